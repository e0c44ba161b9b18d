// The one SyncStatus shape (after PowerSync's): main pushes it on every change as the `sync:status`
// event and answers it from `sync:status`; the renderer reads it through one composable.
// Pure zod: the same schema validates what main sends and documents what the renderer gets.

import { z } from 'zod';

/** What a sync run is doing now; `null` in SyncStatus when no run is active. */
export const SYNC_PHASES = ['uploading', 'listing', 'downloading', 'dictionaries', 'finishing'] as const;
export const syncPhaseSchema = z.enum(SYNC_PHASES);
export type SyncPhase = z.infer<typeof syncPhaseSchema>;

/** A failure of the last upload or download, in the envelope's words (code + a sentence for people). */
export const syncErrorSchema = z.object({
  code: z.string().max(40),
  message: z.string().max(2000),
});
export type SyncError = z.infer<typeof syncErrorSchema>;

export const syncStatusSchema = z.object({
  /** The last request to the server got an answer (the server is reachable with these keys). */
  connected: z.boolean(),
  /** Edits are being sent to the server. */
  uploading: z.boolean(),
  /** Records are being fetched into the replica. */
  downloading: z.boolean(),
  /** When the last sync finished completely (ISO 8601), or null if never. */
  lastSyncedAt: z.string().max(40).nullable(),
  uploadError: syncErrorSchema.nullable(),
  downloadError: syncErrorSchema.nullable(),
  /** Outbox entries not yet confirmed by the server. */
  pending: z.number().int().nonnegative(),
  phase: syncPhaseSchema.nullable(),
  /** Progress of the current phase; total is null while unknown. */
  progress: z
    .object({
      done: z.number().int().nonnegative(),
      total: z.number().int().nonnegative().nullable(),
    })
    .nullable(),
  /** The last push found another Caseworker on this computer sending this outbox (its lease is live): nothing was sent. */
  otherSender: z.boolean().optional(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** The status before anything has happened: offline until the first answer from the server. */
export const INITIAL_SYNC_STATUS: SyncStatus = {
  connected: false,
  uploading: false,
  downloading: false,
  lastSyncedAt: null,
  uploadError: null,
  downloadError: null,
  pending: 0,
  phase: null,
  progress: null,
};

/** Detailed progress pushed as `sync:progress` while a run is active (bytes received so far). */
export const syncProgressSchema = z.object({
  phase: syncPhaseSchema,
  /** The record group being listed or downloaded, when the phase has one. */
  group: z.string().max(40).optional(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable(),
  bytes: z.number().int().nonnegative(),
});
export type SyncProgress = z.infer<typeof syncProgressSchema>;
