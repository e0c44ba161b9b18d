// "My actions" in SQL: one login's due contacts, soonest first (undated last), each with whether an
// unconfirmed outbox entry still writes it. Dates compare as the API writes them (UK local text).

import type Database from 'better-sqlite3';
import type { ApiRecord } from './records.js';

export interface DueActionsQuery {
  user: number;
  /** Inclusive bounds, `YYYY-MM-DD HH:MM:SS`. */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

export function dueActionsOf(sqlite: Database.Database, query: DueActionsQuery): Array<{ id: number; raw: ApiRecord; pending: boolean }> {
  const conditions = [`state = 'due'`, '"user" = @user'];
  const params: Record<string, unknown> = { user: query.user, limit: query.limit };
  if (query.from !== undefined) {
    conditions.push('start_date >= @from');
    params.from = query.from;
  }
  if (query.to !== undefined) {
    conditions.push('start_date <= @to');
    params.to = query.to;
  }
  const rows = sqlite
    .prepare(
      `SELECT c.id, c.raw,
       EXISTS (SELECT 1 FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id
               WHERE r.family = 'contacts' AND r.record_id = c.id AND r.role = 'target' AND e.state <> 'confirmed') AS pending
     FROM contacts c WHERE ${conditions.join(' AND ')}
     ORDER BY start_date IS NULL, start_date, id LIMIT @limit`,
    )
    .all(params) as Array<{ id: number; raw: string; pending: number }>;
  return rows.map((row) => ({ id: row.id, raw: JSON.parse(row.raw) as ApiRecord, pending: row.pending === 1 }));
}
