// Reads and writes single replica records for local edits, by family and id — including records
// created offline, whose ids are negative temp ids (records.ts accepts server ids only). The typed
// columns are derived from `raw` with records.ts's own toColumnValue, so they never disagree.

import type Database from 'better-sqlite3';
import { GROUP_TABLES, quoteIdent } from './groups.js';
import { cached } from './statement-cache.js';
import { toColumnValue, type ApiRecord, type SqlValue } from './records.js';

export interface RecordRef {
  /** clients, referrals, contacts or extension_database/<name>_<id> */
  family: string;
  id: number;
}

export interface LocalRecord {
  raw: ApiRecord;
  /** contacts only */
  state?: 'due' | 'done';
}

type Spec = { table: string; columns: readonly string[]; extension?: string };

function specOf(family: string): Spec {
  if (family === 'clients') return GROUP_TABLES.clients;
  if (family === 'referrals') return GROUP_TABLES.referrals;
  if (family === 'contacts') return GROUP_TABLES.due_contacts;
  if (family.startsWith('extension_database/')) {
    return { table: 'extension_records', columns: ['id', 'referral', 'client', 'updated'], extension: family.slice('extension_database/'.length) };
  }
  throw new Error(`the replica keeps no records of "${family}"`);
}

export function keepsRecords(family: string): boolean {
  return family === 'clients' || family === 'referrals' || family === 'contacts' || family.startsWith('extension_database/');
}

export function readLocal(sqlite: Database.Database, ref: RecordRef): LocalRecord | undefined {
  const spec = specOf(ref.family);
  const where = spec.extension ? 'database = ? AND id = ?' : 'id = ?';
  const params = spec.extension ? [spec.extension, ref.id] : [ref.id];
  const stateColumn = ref.family === 'contacts' ? ', state' : '';
  const row = cached(sqlite, `SELECT raw${stateColumn} FROM ${quoteIdent(spec.table)} WHERE ${where}`).get(...params) as { raw: string; state?: 'due' | 'done' } | undefined;
  if (!row) return undefined;
  return row.state ? { raw: JSON.parse(row.raw) as ApiRecord, state: row.state } : { raw: JSON.parse(row.raw) as ApiRecord };
}

/**
 * Inserts the record `raw` (its `id` is the row's id), or updates it in place — an UPDATE, not a
 * REPLACE, so search triggers fire only when searchable fields change. Typed columns derive from raw.
 */
export function writeLocal(sqlite: Database.Database, ref: RecordRef, raw: ApiRecord, state?: 'due' | 'done'): void {
  const spec = specOf(ref.family);
  const record: ApiRecord = { ...raw, id: ref.id };
  const names: string[] = spec.columns.filter((c) => c !== 'id');
  const values: SqlValue[] = names.map((c) => toColumnValue(record[c]));
  names.push('raw');
  values.push(JSON.stringify(record));
  if (ref.family === 'contacts') {
    names.push('state');
    values.push(state ?? 'due');
  }
  const table = quoteIdent(spec.table);
  const where = spec.extension ? 'database = ? AND id = ?' : 'id = ?';
  const key: SqlValue[] = spec.extension ? [spec.extension, ref.id] : [ref.id];
  const updated = cached(sqlite, `UPDATE ${table} SET ${names.map((n) => `${quoteIdent(n)} = ?`).join(', ')} WHERE ${where}`).run(...values, ...key);
  if (updated.changes > 0) return;
  const keyNames = spec.extension ? ['database', 'id'] : ['id'];
  const all = [...keyNames, ...names];
  cached(sqlite, `INSERT INTO ${table} (${all.map(quoteIdent).join(', ')}) VALUES (${all.map(() => '?').join(', ')})`).run(...key, ...values);
}

export function deleteLocal(sqlite: Database.Database, ref: RecordRef): void {
  const spec = specOf(ref.family);
  if (spec.extension) sqlite.prepare('DELETE FROM extension_records WHERE database = ? AND id = ?').run(spec.extension, ref.id);
  else sqlite.prepare(`DELETE FROM ${quoteIdent(spec.table)} WHERE id = ?`).run(ref.id);
}

/** Every (table, column) that holds an id of `family`, for replacing a temp id by the server's. */
export function referencingColumns(family: string): Array<{ family: string; column: string }> {
  if (family === 'clients') {
    return [
      { family: 'referrals', column: 'client' },
      { family: 'contacts', column: 'client' },
      { family: 'extension_records', column: 'client' },
      { family: 'schedules', column: 'client' },
    ];
  }
  if (family === 'referrals') {
    return [
      { family: 'contacts', column: 'referral' },
      { family: 'extension_records', column: 'referral' },
      { family: 'schedules', column: 'referral' },
    ];
  }
  return [];
}
