// Outbox channels: the queue of edits made offline, each waiting to be sent exactly once. An entry
// leaves only after the server confirmed it; the user acts on failed, rejected, conflicting and
// in-doubt entries here (the CLI's `caseworker outbox` offers the same verbs).

import { z } from 'zod';
import { LIMITS, fieldName, isoInstant, recordId, scalar, serverId } from './fields.js';

/**
 * The outbox's own states (mirrors main/db/schema-outbox.ts; a test keeps them equal):
 * pending — waiting to be sent; sending — on the wire now; in_doubt — sent but the reply was lost
 * (the reconciler checks, or, where the API cannot be asked, the user chooses Send again / Mark
 * done); failed — the server refused it or it is held back (lastError says why: Edit / Retry /
 * Discard); conflict — the record changed on the server too (choose mine or theirs per field);
 * confirmed — the server has it (kept as history).
 */
export const OUTBOX_STATES = ['pending', 'sending', 'in_doubt', 'failed', 'conflict', 'confirmed'] as const;
export const outboxState = z.enum(OUTBOX_STATES);
export type OutboxState = z.infer<typeof outboxState>;

export const conflictField = z.object({
  field: z.string(),
  /** What this app sent. */
  mine: scalar,
  /** What the server holds now. */
  theirs: scalar,
  /** What both started from. */
  base: scalar,
});

export const outboxEntry = z.object({
  id: serverId,
  createdAt: isoInstant,
  /** `PUT` or `POST` and the printed path, e.g. `POST done_contacts/id/88`. */
  method: z.enum(['PUT', 'POST']),
  path: z.string(),
  /** The record the edit is about (temporary and negative until its create is confirmed). */
  group: z.string(),
  recordId: recordId.nullable(),
  /** A line for people: "Complete action 88 for Jo Bloggs' referral 12". */
  summary: z.string(),
  state: outboxState,
  attempts: z.number().int().nonnegative(),
  /** The fields sent (API names), and what they held before the edit. */
  data: z.record(z.string(), scalar),
  previous: z.record(z.string(), scalar).nullable(),
  /** The outbox's closed code (rejected, unauthorised, blocked, in_doubt, unverifiable, conflict, gone, network) and the server's or our sentence. */
  lastError: z.object({ code: z.string().max(40), message: z.string() }).nullable(),
  conflict: z.array(conflictField).nullable(),
});
export type OutboxEntry = z.infer<typeof outboxEntry>;

const entryId = z.strictObject({ id: serverId });

export const outboxChannels = {
  /** The entries in the given states; default every state but confirmed. */
  'outbox:list': {
    input: z.strictObject({ states: z.array(outboxState).min(1).max(OUTBOX_STATES.length).optional() }),
    output: z.object({ entries: z.array(outboxEntry) }),
  },
  /** Send a failed or rejected entry again now. */
  'outbox:retry': { input: entryId, output: z.object({ entry: outboxEntry }) },
  /** Drop an entry and undo its local edit. */
  'outbox:discard': { input: entryId, output: z.object({ id: serverId }) },
  /** Change a rejected entry's fields before retrying it. */
  'outbox:edit': {
    input: z.strictObject({
      id: serverId,
      data: z.record(fieldName, scalar).refine((d) => Object.keys(d).length > 0 && Object.keys(d).length <= 100, { error: 'give between 1 and 100 fields' }),
    }),
    output: z.object({ entry: outboxEntry }),
  },
  /** Settle a conflict field by field: keep mine (send it) or take theirs. */
  'outbox:resolve': {
    input: z.strictObject({
      id: serverId,
      choices: z.array(z.strictObject({ field: fieldName, keep: z.enum(['mine', 'theirs']) })).min(1).max(LIMITS.visibilityIds),
    }),
    output: z.object({ entry: outboxEntry.nullable() }),
  },
  /** An in-doubt entry: the user checked and it did not arrive — send it again. */
  'outbox:send-again': { input: entryId, output: z.object({ entry: outboxEntry }) },
  /** An in-doubt entry: the user checked and it did arrive — drop it as done. */
  'outbox:mark-done': { input: entryId, output: z.object({ id: serverId }) },
} as const;
