// Dictionary channels: the friendly names of the ids records carry (`organisations/district`,
// `referrals/project`, `relationships` …) as held in the replica, a name search, and the workers.

import { z } from 'zod';
import { LIMITS } from './fields.js';
import { worker } from './settings.js';

/** `<api_group>/<table_reference>` as in `dictionary/referrals/project`, or `relationships` / `carer_relationships`. */
export const dictionaryTable = z
  .string({ error: 'expected a dictionary like referrals/project' })
  .max(100)
  .regex(/^[a-z][a-z_]{0,39}(\/[a-z][a-z0-9_]{0,59})?$/, { error: 'expected a dictionary like referrals/project' });

/** `{id, name}` plus whatever the dictionary carries (stages: template, status; projects: category, active). */
export const dictionaryEntry = z.looseObject({ id: z.number().int(), name: z.string() }).catchall(z.json());
export type DictionaryEntry = z.infer<typeof dictionaryEntry>;

export const dictionariesChannels = {
  /** Every entry of one dictionary. NOT_FOUND for a dictionary the replica does not hold. */
  'dictionaries:get': {
    input: z.strictObject({ table: dictionaryTable }),
    output: z.object({ entries: z.array(dictionaryEntry) }),
  },
  /** Entries whose name contains the term, case-insensitively (as `dictionary/search/…`). */
  'dictionaries:search': {
    input: z.strictObject({ table: dictionaryTable, term: z.string().min(1).max(LIMITS.searchTerm) }),
    output: z.object({ entries: z.array(dictionaryEntry) }),
  },
  /** The /workers records (usual support worker names, "this is me"). */
  'dictionaries:workers': {
    input: z.strictObject({ active: z.boolean().optional() }),
    output: z.object({ workers: z.array(worker) }),
  },
} as const;
