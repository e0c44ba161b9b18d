// A person's write never rides inside the sync's open transaction. Ingest keeps one transaction open
// across event-loop turns (main/db/bulk-transaction.ts, paced by main/sync/ingest.ts) and commits
// every few thousand rows; a write that arrived between two slices would become a savepoint inside
// it, and a cancel (rollback) or a crash before that commit would lose an edit the screen had called
// saved. Committing first is safe at any slice boundary: every slice carries its own cursor, and
// BulkTransaction carries on with the next slice as if it had committed itself.

import type Database from 'better-sqlite3';

/** Commits the transaction left open between two ingest slices, if any; true when there was one. */
export function commitOpenIngest(sqlite: Database.Database): boolean {
  if (!sqlite.inTransaction) return false;
  sqlite.exec('COMMIT');
  return true;
}
