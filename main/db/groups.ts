// Which replica table holds which API group, and which of its columns are typed projections of
// the record. Derived from the Drizzle schema, so a column added there is written, filtered and
// reported on without another list to keep in step.

import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { RecordGroup } from '../../shared/dizions/model.js';
import { clients, contacts, referrals, schedules, workers } from './schema.js';

export interface GroupTable {
  group: RecordGroup;
  table: string;
  /** Typed columns, named as the API fields they hold (id first; not raw, not state). */
  columns: readonly string[];
  /** For the two contact groups sharing the `contacts` table. */
  state?: 'due' | 'done';
}

function columnsOf(table: SQLiteTable): string[] {
  const names = Object.values(getTableColumns(table))
    .map((c) => c.name)
    .filter((n) => n !== 'raw' && n !== 'state');
  return ['id', ...names.filter((n) => n !== 'id')];
}

function spec(group: RecordGroup, table: SQLiteTable, state?: 'due' | 'done'): GroupTable {
  const base = { group, table: getTableName(table), columns: columnsOf(table) };
  return state ? { ...base, state } : base;
}

export const GROUP_TABLES: Record<RecordGroup, GroupTable> = {
  clients: spec('clients', clients),
  referrals: spec('referrals', referrals),
  due_contacts: spec('due_contacts', contacts, 'due'),
  done_contacts: spec('done_contacts', contacts, 'done'),
  workers: spec('workers', workers),
  schedules: spec('schedules', schedules),
};

/** Double-quotes an identifier for SQL built from known names. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
