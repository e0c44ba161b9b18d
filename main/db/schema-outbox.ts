// The outbox's tables, beside the replica's: queued edits (one row per write, in queue order),
// the records each edit touches (for ordering and "pending" marks), temporary ids handed out for
// records created offline, and uploaded files held (encrypted by SQLCipher) until the server has them.
// Invariant: an edit's local change and its rows here are written in one transaction (main/outbox/queue.ts).

import { index, integer, primaryKey, sqliteTable, text, blob } from 'drizzle-orm/sqlite-core';

/** pending → sending → confirmed, or in_doubt / failed / conflict for the user or the reconciler to settle. */
export const OUTBOX_STATES = ['pending', 'sending', 'in_doubt', 'failed', 'conflict', 'confirmed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export const outboxEntries = sqliteTable(
  'outbox_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    created_at: text('created_at').notNull(),
    /** The write as last printed (at queue time, then at each send) and the dialect it was printed in:
     * history for people. What is sent is printed afresh from operation + target in the connection's dialect. */
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** JSON {field: string | null} in neutral names (shared/dizions/dialects.ts); temp ids replaced as parents land. */
    fields: text('fields').notNull(),
    /** WriteOperation of shared/dizions/dialects.ts (create-client, complete-action, record-contact, upload-file…). */
    operation: text('operation').notNull(),
    dialect: text('dialect').notNull(),
    /** JSON WriteTarget: the records the write names (recordId, referralId, secondId, externalId, extensionDatabase, uploadGroup). */
    target: text('target').notNull().default('{}'),
    /** The record written: group family (clients, referrals, contacts, extension_database/x_9, external_referral) and id. */
    record_family: text('record_family').notNull(),
    record_id: integer('record_id'),
    /** For creates: the temporary (negative) id handed out at queue time, and the server's id once known. */
    temp_id: integer('temp_id'),
    server_id: integer('server_id'),
    state: text('state', { enum: OUTBOX_STATES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch ms before which the replay loop leaves the entry alone (backoff, settle time). */
    next_attempt_at: integer('next_attempt_at').notNull().default(0),
    /** Server-format timestamp (UK local) of the first send: the window a reconciliation searches. */
    first_sent_at: text('first_sent_at'),
    last_attempt_at: text('last_attempt_at'),
    /** A closed code (rejected, unauthorised, blocked, in_doubt, unverifiable, conflict, gone, network) and a sentence. */
    error_code: text('error_code'),
    error: text('error'),
    /** The entry whose failure holds this one back. */
    blocked_by: integer('blocked_by'),
    /** Updates: JSON {field: value} the replica held before the edit (the three-way merge's base), and the record's `updated`. */
    base: text('base'),
    base_updated: text('base_updated'),
    /** JSON of what discard restores: {state?} for contacts that were due before a completion. */
    before: text('before'),
    /** JSON {field: {base, mine, theirs}} while state = conflict. */
    conflict: text('conflict'),
    confirmed_at: text('confirmed_at'),
    /** How it was confirmed: sent, reconciled (found on the server), resolved, marked (by the user). */
    outcome: text('outcome'),
  },
  (t) => [index('outbox_entries_state').on(t.state, t.next_attempt_at)],
);

/** Every record an entry writes (target) or waits for (reference to a record created offline). */
export const outboxRecords = sqliteTable(
  'outbox_records',
  {
    entry_id: integer('entry_id')
      .notNull()
      .references(() => outboxEntries.id, { onDelete: 'cascade' }),
    family: text('family').notNull(),
    record_id: integer('record_id').notNull(),
    role: text('role', { enum: ['target', 'reference'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.entry_id, t.family, t.record_id] }), index('outbox_records_record').on(t.family, t.record_id)],
);

/** Temporary ids: -id is the temp id, never reused; server_id once the create landed. */
export const outboxTempIds = sqliteTable('outbox_temp_ids', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  family: text('family').notNull(),
  entry_id: integer('entry_id'),
  server_id: integer('server_id'),
});

/**
 * Files of queued uploads, kept as BLOBs inside the SQLCipher database rather than as separate
 * files: they are encrypted with the replica's own key (no second key or cipher to get wrong),
 * written in the same transaction as their entry (no orphaned or missing file after a crash), and
 * gone with the replica. The cost is database growth while an upload waits; the bytes are dropped
 * once the server confirmed it, and uploads are capped at 32 MiB per edit (queue.ts).
 */
export const outboxFiles = sqliteTable(
  'outbox_files',
  {
    entry_id: integer('entry_id')
      .notNull()
      .references(() => outboxEntries.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    filename: text('filename').notNull(),
    content_type: text('content_type'),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    /** Emptied (null) once the server confirmed the upload. */
    data: blob('data', { mode: 'buffer' }),
  },
  (t) => [primaryKey({ columns: [t.entry_id, t.seq] })],
);

/** Key/value JSON for the queue itself (why it is paused). */
export const outboxState = sqliteTable('outbox_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
