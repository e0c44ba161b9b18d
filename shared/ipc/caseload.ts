// Caseload channels: my clients with their open referrals, next action date and pending marks,
// searchable and filterable by the dictionary values the API filters by; and a raw GET path of
// the Dizions grammar answered from the replica (the same language the API speaks).

import { z } from 'zod';
import { LIMITS, apiRecord, clientSummary, dizionsPath, dizionsTimestamp, serverId, stageStatus, text } from './fields.js';

const idAlternatives = z.array(serverId).min(1).max(LIMITS.filterValues);

/** Filters by the keys the API filters clients and referrals by; each takes alternatives (`3;4`). */
export const caseloadFilters = z.strictObject({
  district: idAlternatives.optional(),
  county: idAlternatives.optional(),
  gender: idAlternatives.optional(),
  ethnicity: idAlternatives.optional(),
  usual_support_worker: idAlternatives.optional(),
  project: idAlternatives.optional(),
  stage: idAlternatives.optional(),
  priority: idAlternatives.optional(),
  /** Referral status through the stage's template. */
  status: z.array(stageStatus).min(1).max(3).optional(),
  /** Only clients with edits still in the outbox. */
  pending: z.boolean().optional(),
});
export type CaseloadFilters = z.infer<typeof caseloadFilters>;

export const CASELOAD_SORTS = ['surname', 'next_action', 'updated'] as const;

export const caseloadRow = z.object({
  client: clientSummary,
  /** The client's open (and pending) referrals. */
  referrals: z.array(
    apiRecord({
      project: z.number().nullable(),
      stage: z.number().nullable(),
      status: stageStatus.nullable(),
    }),
  ),
  /** The soonest due contact's start, `YYYY-MM-DD HH:MM:SS`. */
  next_action: dizionsTimestamp.nullable(),
  /** Outbox entries touching this client or its referrals and contacts. */
  pending: z.number().int().nonnegative(),
});
export type CaseloadRow = z.infer<typeof caseloadRow>;

export const caseloadChannels = {
  /** A page of my caseload. `search` is full text over name, postcode, NHS number and external id. */
  'caseload:list': {
    input: z.strictObject({
      search: text(LIMITS.searchTerm).optional(),
      filters: caseloadFilters.optional(),
      sort: z.enum(CASELOAD_SORTS).optional(),
      descending: z.boolean().optional(),
      offset: z.int().min(0).max(10_000_000).optional(),
      limit: z.int().min(1).max(LIMITS.listLimit).optional(),
    }),
    output: z.object({
      rows: z.array(caseloadRow),
      /** Rows matching, across all pages. */
      total: z.number().int().nonnegative(),
      offset: z.number().int().nonnegative(),
    }),
  },
  /** A GET path of the Dizions grammar (`clients/district/3;4/field/id;surname`) answered offline from the replica. */
  'caseload:query': {
    input: z.strictObject({ path: dizionsPath }),
    output: z.object({
      rows: z.array(z.looseObject({}).catchall(z.json())),
    }),
  },
} as const;
