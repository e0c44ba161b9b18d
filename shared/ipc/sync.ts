// Sync channels: push the outbox then pull the caseload, cancel a run, read the one SyncStatus.
// Progress and status changes are pushed as events (events.ts), not polled.

import { z } from 'zod';
import { syncStatusSchema } from '../sync-status.js';
import { isoInstant } from './fields.js';

export const syncSummary = z.object({
  /** Outbox entries the server confirmed. */
  sent: z.number().int().nonnegative(),
  /** Entries now rejected, conflicting or in doubt (they need the user). */
  needsAttention: z.number().int().nonnegative(),
  /** Records written into the replica. */
  received: z.number().int().nonnegative(),
  cancelled: z.boolean(),
  finishedAt: isoInstant,
});
export type SyncSummary = z.infer<typeof syncSummary>;

export const syncChannels = {
  /** Run a sync now (the outbox first). `full` re-fetches everything instead of what changed. Resolves when it ends. */
  'sync:run': {
    input: z.strictObject({ full: z.boolean().optional() }),
    output: syncSummary,
  },
  'sync:cancel': {
    input: z.strictObject({}),
    output: z.object({ cancelled: z.boolean() }),
  },
  'sync:status': {
    input: z.strictObject({}),
    output: syncStatusSchema,
  },
} as const;
