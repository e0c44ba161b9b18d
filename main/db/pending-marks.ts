// Reads of the outbox that the record screens show beside a record: which unconfirmed entries
// write it (the "not yet sent" marks) and which files were queued for it from this device. Rows
// come back as stored (JSON columns as text); main/app/record-views.ts turns them into marks.

import type Database from 'better-sqlite3';
import { cached } from './statement-cache.js';

export interface MarkRow {
  entry: number;
  family: string;
  record_id: number;
  state: string;
  operation: string;
  fields: string;
  error_code: string | null;
  /** For contacts: the state the contact is in now (due / done); null for other families. */
  contact_state: 'due' | 'done' | null;
}

/** Unconfirmed entries targeting any of `ids` of `family`, oldest first. */
export function pendingMarkRows(sqlite: Database.Database, family: string, ids: readonly number[]): MarkRow[] {
  return cached(
    sqlite,
    `SELECT e.id AS entry, r.family, r.record_id, e.state, e.operation, e.fields, e.error_code,
              ${family === 'contacts' ? '(SELECT state FROM contacts c WHERE c.id = r.record_id)' : 'NULL'} AS contact_state
       FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id
       WHERE r.family = ? AND r.role = 'target' AND e.state <> 'confirmed' AND r.record_id IN (SELECT value FROM json_each(?))
       ORDER BY e.id`,
  ).all(family, JSON.stringify(ids)) as MarkRow[];
}

/** An entry's stored `before` (JSON text), or null. */
export function entryBefore(sqlite: Database.Database, entry: number): string | null {
  const row = cached(sqlite, 'SELECT before FROM outbox_entries WHERE id = ?').get(entry) as { before: string | null } | undefined;
  return row?.before ?? null;
}

export interface UploadRow {
  file: number;
  entry: number;
  method: string;
  path: string;
  target: string;
  fields: string;
  state: string;
  created_at: string;
  filename: string;
  content_type: string | null;
  bytes: number;
}

/** Files queued from this device for any of `ids` of `group` (clients or referrals), in queue order. */
export function uploadRows(sqlite: Database.Database, group: 'clients' | 'referrals', ids: readonly number[]): UploadRow[] {
  return cached(
    sqlite,
    `SELECT f.rowid AS file, e.id AS entry, e.method, e.path, e.target, e.fields, e.state, e.created_at, f.filename, f.content_type, f.bytes
       FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id JOIN outbox_files f ON f.entry_id = e.id
       WHERE r.family = ? AND r.role = 'reference' AND e.operation = 'upload-file' AND r.record_id IN (SELECT value FROM json_each(?))
       ORDER BY e.id, f.seq`,
  ).all(group, JSON.stringify(ids)) as UploadRow[];
}
