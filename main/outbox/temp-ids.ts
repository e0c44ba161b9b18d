// Temporary ids for records created offline: negative integers from one sequence (never reused),
// accepted wherever an id goes. When the create lands, its temp id is replaced by the server's id
// everywhere at once — replica rows, references and raw JSON, and every waiting outbox entry — in
// the caller's transaction, so nothing ever points at an id that no longer exists.

import type Database from 'better-sqlite3';
import { GrammarError, parsePath, printPath } from '../../shared/url-grammar.js';
import { cached } from '../db/statement-cache.js';
import { readLocal, writeLocal, deleteLocal, keepsRecords, referencingColumns } from '../db/local-records.js';
import { REFERENCE_FIELDS } from './families.js';
import type { WriteTarget } from '../../shared/dizions/dialects.js';
import type { FormFields } from './entries.js';

export function allocateTempId(sqlite: Database.Database, family: string): number {
  const seq = Number(cached(sqlite, 'INSERT INTO outbox_temp_ids (family) VALUES (?)').run(family).lastInsertRowid);
  return -seq;
}

export function bindTempId(sqlite: Database.Database, tempId: number, entryId: number): void {
  cached(sqlite, 'UPDATE outbox_temp_ids SET entry_id = ? WHERE seq = ?').run(entryId, -tempId);
}

/** The server id a temp id became, if its create has landed. */
export function landedId(sqlite: Database.Database, tempId: number): number | undefined {
  const row = cached(sqlite, 'SELECT server_id FROM outbox_temp_ids WHERE seq = ?').get(-tempId) as { server_id: number | null } | undefined;
  return row?.server_id ?? undefined;
}

/** Server ids of the records of `family` created on this device whose creates have landed. */
export function serverIdsCreatedHere(sqlite: Database.Database, family: string): number[] {
  return cached(sqlite, 'SELECT server_id FROM outbox_temp_ids WHERE family = ? AND server_id IS NOT NULL ORDER BY server_id').pluck().all(family) as number[];
}

/** A temp id no longer names anything (its create was discarded). */
export function retireTempId(sqlite: Database.Database, tempId: number): void {
  cached(sqlite, 'UPDATE outbox_temp_ids SET entry_id = NULL WHERE seq = ?').run(-tempId);
}

/** Replaces ids in a path's filter values (`due_contacts/referral/-4`, `clients/id/-3/uploads`). */
export function replaceIdsInPath(path: string, map: (id: string) => string): string {
  let parsed;
  try {
    parsed = parsePath(path);
  } catch (error) {
    if (error instanceof GrammarError) return path;
    throw error;
  }
  if (parsed.kind === 'relationship_details') {
    const first = map(parsed.first);
    const second = map(parsed.second);
    return first === parsed.first && second === parsed.second ? path : printPath({ ...parsed, first, second });
  }
  if (parsed.kind !== 'records') return path;
  let changed = false;
  for (const pair of parsed.pairs) {
    if ('values' in pair && (pair.key === 'id' || pair.key === 'referral' || pair.key === 'client')) {
      pair.values = pair.values.map((v) => {
        const next = map(v);
        if (next !== v) changed = true;
        return next;
      });
    }
  }
  return changed ? printPath(parsed) : path;
}

/** Replaces ids in an entry's target records (the record, its referral, a relationship's second client). */
export function replaceIdsInTarget(target: WriteTarget, map: (id: string) => string): WriteTarget {
  const out: WriteTarget = { ...target };
  for (const key of ['recordId', 'referralId', 'secondId'] as const) {
    const value = out[key];
    if (value !== undefined) out[key] = Number(map(String(value)));
  }
  return out;
}

/** Replaces temp ids in reference fields (client, referral, id_second). */
export function replaceIdsInFields(fields: FormFields, map: (id: string) => string): FormFields {
  const out: FormFields = { ...fields };
  for (const key of Object.keys(REFERENCE_FIELDS)) {
    const value = out[key];
    if (typeof value === 'string') out[key] = map(value);
  }
  return out;
}

/** The create of `tempId` landed as `serverId`: rewrite the replica and every waiting entry. */
export function landTempId(sqlite: Database.Database, tempId: number, serverId: number): void {
  const row = cached(sqlite, 'SELECT family FROM outbox_temp_ids WHERE seq = ?').get(-tempId) as { family: string } | undefined;
  if (!row) throw new Error(`temp id ${tempId} was never handed out`);
  const family = row.family;
  cached(sqlite, 'UPDATE outbox_temp_ids SET server_id = ? WHERE seq = ?').run(serverId, -tempId);

  if (keepsRecords(family)) {
    const local = readLocal(sqlite, { family, id: tempId });
    if (local) {
      // A download may already hold the server's copy; the local one carries the edits still queued.
      deleteLocal(sqlite, { family, id: serverId });
      deleteLocal(sqlite, { family, id: tempId });
      writeLocal(sqlite, { family, id: serverId }, { ...local.raw, id: serverId }, local.state);
    }
    for (const { family: table, column } of referencingColumns(family)) {
      const name = table === 'extension_records' ? 'extension_records' : table;
      cached(sqlite, `UPDATE "${name}" SET "${column}" = ?, raw = json_set(raw, '$.${column}', ?) WHERE "${column}" = ?`).run(serverId, serverId, tempId);
    }
    if (family === 'clients') {
      const rows = cached(sqlite, `SELECT id, raw FROM clients WHERE instr(raw, ?) > 0`).all(`"id_second":${tempId}`) as Array<{ id: number; raw: string }>;
      for (const r of rows) {
        const raw = JSON.parse(r.raw) as { relationship_details?: Array<Record<string, unknown>> };
        for (const detail of raw.relationship_details ?? []) if (detail.id_second === tempId) detail.id_second = serverId;
        cached(sqlite, 'UPDATE clients SET raw = ? WHERE id = ?').run(JSON.stringify(raw), r.id);
      }
    }
  }

  // Waiting entries: paths, reference fields and bases; then the record keys they wait on.
  const from = String(tempId);
  const to = String(serverId);
  const swap = (v: string) => (v === from ? to : v);
  const waiting = cached(
    sqlite,
    `SELECT DISTINCT e.id, e.path, e.fields, e.base, e.record_id, e.target FROM outbox_entries e JOIN outbox_records r ON r.entry_id = e.id
     WHERE r.family = ? AND r.record_id = ?`,
  ).all(family, tempId) as Array<{ id: number; path: string; fields: string; base: string | null; record_id: number | null; target: string }>;
  const update = cached(sqlite, 'UPDATE outbox_entries SET path = ?, fields = ?, base = ?, record_id = ?, target = ? WHERE id = ?');
  for (const entry of waiting) {
    const fields = replaceIdsInFields(JSON.parse(entry.fields) as FormFields, swap);
    const base = entry.base === null ? null : JSON.stringify(replaceIdsInFields(JSON.parse(entry.base) as FormFields, swap));
    const target = replaceIdsInTarget(JSON.parse(entry.target) as WriteTarget, swap);
    update.run(replaceIdsInPath(entry.path, swap), JSON.stringify(fields), base, entry.record_id === tempId ? serverId : entry.record_id, JSON.stringify(target), entry.id);
  }
  cached(sqlite, 'UPDATE OR REPLACE outbox_records SET record_id = ? WHERE family = ? AND record_id = ?').run(serverId, family, tempId);
}
