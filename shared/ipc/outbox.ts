// Outbox channels: the queue of edits made offline, each waiting to be sent exactly once. An entry
// leaves only after the server confirmed it; the user acts on failed, rejected, conflicting and
// in-doubt entries here (the CLI's `caseworker outbox` offers the same verbs).

import { z } from 'zod';
import { LIMITS, fieldName, inputScalar, isoInstant, recordId, scalar, serverId } from './fields.js';

/**
 * What an entry waiting for the server looks like to the user:
 * pending — waiting to be sent; sending — on the wire now; failed — could not reach the server (or
 * waits for an entry that failed), will retry; rejected — the server refused it (its message is
 * shown: Edit / Retry / Discard); conflict — the record changed on the server too (choose mine or
 * theirs per field); in_doubt — sent but the reply was lost (Send again / Mark done where the API
 * cannot be asked). Confirmed entries are history and are not listed.
 */
export const OUTBOX_STATES = ['pending', 'sending', 'failed', 'rejected', 'conflict', 'in_doubt'] as const;

/** The states the outbox stores (mirrors main/db/schema-outbox.ts; a test keeps them equal). */
export const STORED_OUTBOX_STATES = ['pending', 'sending', 'in_doubt', 'failed', 'conflict', 'confirmed'] as const;

/** The state shown for a stored state and error code; null for confirmed entries (history). */
export function outboxDisplayState(stored: (typeof STORED_OUTBOX_STATES)[number], errorCode: string | null): OutboxState | null {
  switch (stored) {
    case 'confirmed':
      return null;
    case 'pending':
      // A pending entry with an error is backing off after a network or server failure.
      return errorCode ? 'failed' : 'pending';
    case 'failed':
      return errorCode === 'blocked' ? 'failed' : 'rejected';
    default:
      return stored;
  }
}

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
      data: z.record(fieldName, inputScalar).refine((d) => Object.keys(d).length > 0 && Object.keys(d).length <= 100, { error: 'give between 1 and 100 fields' }),
    }),
    output: z.object({ entry: outboxEntry }),
  },
  /** Settle a conflict field by field: keep mine (send it) or take theirs. */
  'outbox:resolve': {
    input: z.strictObject({
      id: serverId,
      choices: z
        .array(z.strictObject({ field: fieldName, keep: z.enum(['mine', 'theirs']) }))
        .min(1)
        .max(LIMITS.visibilityIds),
    }),
    output: z.object({ entry: outboxEntry.nullable() }),
  },
  /** An in-doubt entry: the user checked and it did not arrive — send it again. */
  'outbox:send-again': { input: entryId, output: z.object({ entry: outboxEntry }) },
  /** An in-doubt entry: the user checked and it did arrive — drop it as done. */
  'outbox:mark-done': { input: entryId, output: z.object({ id: serverId }) },
} as const;
