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

/** The data engine's thread (main/threads/): running, restarting after it stopped unexpectedly, or given up on. */
export const coreStatus = z.object({
  state: z.enum(['running', 'restarting', 'failed']),
  /** A sentence for the notice; null when there is nothing to say. */
  message: z.string().max(400).nullable(),
  /** Restarts since the app started. */
  restarts: z.number().int().nonnegative(),
});
export type CoreStatus = z.infer<typeof coreStatus>;

export const events = {
  /** The whole SyncStatus, on every change. */
  'sync:status': syncStatusSchema,
  /** Fine-grained progress while a run is active. */
  'sync:progress': syncProgressSchema,
  /** The outbox changed (an edit queued, sent, rejected, resolved…). */
  'outbox:changed': outboxCounts,
  /** Replica tables written (by a sync or a local edit): lists showing them should reload. */
  'data:changed': z.object({ tables: z.array(z.string().max(64)).max(50) }),
  /** The data engine stopped unexpectedly and is restarting (or came back): the app shows a notice. */
  'core:status': coreStatus,
} as const;

export type Events = typeof events;
export type EventName = keyof Events & string;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
