// Push events from main to the renderer (Electron: webContents.send; browser host: SSE). Each has
// one payload schema; main validates before sending, so the renderer can trust the shape.

import { z } from 'zod';
import { syncProgressSchema, syncStatusSchema } from '../sync-status.js';

export const outboxCounts = z.object({
  /** Entries not yet confirmed by the server (the header's pending count). */
  pending: z.number().int().nonnegative(),
  /** Entries that need the user: rejected, conflicting or in doubt. */
  needsAttention: z.number().int().nonnegative(),
});
export type OutboxCounts = z.infer<typeof outboxCounts>;

export const events = {
  /** The whole SyncStatus, on every change. */
  'sync:status': syncStatusSchema,
  /** Fine-grained progress while a run is active. */
  'sync:progress': syncProgressSchema,
  /** The outbox changed (an edit queued, sent, rejected, resolved…). */
  'outbox:changed': outboxCounts,
  /** Replica tables written (by a sync or a local edit): lists showing them should reload. */
  'data:changed': z.object({ tables: z.array(z.string().max(64)).max(50) }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events & string;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
