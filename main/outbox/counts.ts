// What the header shows of the outbox: entries not yet confirmed, and those of them that wait for
// the person (a conflict, a refusal that is not a block, an in-doubt write only they can settle).
import type Database from 'better-sqlite3';
import { cached } from '../db/statement-cache.js';

export function countOutbox(sqlite: Database.Database): { pending: number; needsAttention: number } {
  const row = cached(
    sqlite,
    `SELECT count(*) AS pending,
            coalesce(sum(state = 'conflict' OR (state = 'failed' AND coalesce(error_code, '') <> 'blocked')
                         OR (state = 'in_doubt' AND error_code IN ('unverifiable', 'ambiguous'))), 0) AS attention
     FROM outbox_entries WHERE state <> 'confirmed'`,
  ).get() as { pending: number; attention: number };
  return { pending: row.pending, needsAttention: row.attention };
}
