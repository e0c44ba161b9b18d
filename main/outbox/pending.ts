// Which replica records carry local edits the server has not confirmed yet. Sync-down asks before
// it writes: a record listed here is never overwritten or dropped by a download (DHIS2's rule);
// its edit is rebased once its entries settle. Every state but `confirmed` counts, failed included:
// the local change stays applied until the user retries or discards it.

import type Database from 'better-sqlite3';
import { familyOf } from './families.js';
import { cached } from '../db/statement-cache.js';

type Handle = { sqlite: Database.Database };

const hasOutbox = new WeakMap<Database.Database, boolean>();

/** True once the outbox migration has run on this database (false on a replica that predates it). */
export function outboxExists(sqlite: Database.Database): boolean {
  let known = hasOutbox.get(sqlite);
  if (known === undefined || !known) {
    known = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_records'`).get() !== undefined;
    hasOutbox.set(sqlite, known);
  }
  return known;
}

/**
 * Ids of the records of `group` (clients, referrals, due_contacts, done_contacts — the last two
 * share ids — or `extension_database/<name>_<id>`) that have unconfirmed local edits. Includes the
 * negative temp ids of records created offline.
 */
export function pendingRecordIds(replica: Handle, group: string): Set<number> {
  if (!outboxExists(replica.sqlite)) return new Set();
  const rows = cached(
    replica.sqlite,
    `SELECT DISTINCT r.record_id FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id
       WHERE r.family = ? AND r.role = 'target' AND e.state <> 'confirmed'`,
  )
    .pluck()
    .all(familyOf(group)) as number[];
  return new Set(rows);
}

/** How many entries the server has not confirmed yet (SyncStatus.pending). */
export function pendingEntryCount(replica: Handle): number {
  if (!outboxExists(replica.sqlite)) return 0;
  return replica.sqlite.prepare(`SELECT count(*) FROM outbox_entries WHERE state <> 'confirmed'`).pluck().get() as number;
}
