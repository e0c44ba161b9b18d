// The replica's write API for sync, and the row mappers. Bulk paths use prepared statements cached
// per connection and one transaction per call (a batch is all-or-nothing). Invariant: a record's
// typed columns are always recordToRow(raw) — written together here, never separately.

import type Database from 'better-sqlite3';
import { isRecordGroup, type RecordGroup } from '../../shared/dizions/model.js';
import type { DictionaryEntry } from '../../shared/dizions/assumptions.js';
import { GROUP_TABLES, quoteIdent, type GroupTable } from './groups.js';
import { cached as statement } from './statement-cache.js';
import type { Replica } from './open.js';
import type { clients } from './schema.js';

/** A record as the API sends it: field name → value. */
export type ApiRecord = Record<string, unknown>;
export type SqlValue = string | number | bigint | Buffer | null;

export interface UpsertResult {
  inserted: number;
  updated: number;
  /** Sent again exactly as stored: not rewritten. */
  unchanged?: number;
}

type Handle = Pick<Replica, 'sqlite'>;

// ---- row mappers --------------------------------------------------------------------------------

/** Turns one API value into what its typed column holds: '' and missing become null, objects JSON. */
export function toColumnValue(value: unknown): SqlValue {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Buffer.isBuffer(value)) return value;
  return JSON.stringify(value);
}

/** The record's id as a positive integer, or a clear error naming the group. */
export function recordId(group: string, record: ApiRecord): number {
  const id = typeof record.id === 'string' && /^\d+$/.test(record.id) ? Number(record.id) : record.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new Error(`a ${group} record without a valid id (got ${JSON.stringify(record.id)}) cannot be stored`);
  }
  return id;
}

/** API record → the row the replica stores (typed columns + raw, and state for contacts). */
export function recordToRow(group: RecordGroup, record: ApiRecord): Record<string, SqlValue> {
  const spec = GROUP_TABLES[group];
  const row: Record<string, SqlValue> = {};
  for (const column of spec.columns) row[column] = toColumnValue(record[column]);
  row.id = recordId(group, record);
  row.raw = JSON.stringify(record);
  if (spec.state) row.state = spec.state;
  return row;
}

/** Stored row → the record as the server sent it (the raw JSON is the truth; columns are derived). */
export function rowToRecord(row: { raw: string }): ApiRecord {
  return JSON.parse(row.raw) as ApiRecord;
}

export const clientToRow = (record: ApiRecord) => recordToRow('clients', record) as unknown as typeof clients.$inferInsert;

function groupTable(group: string): GroupTable {
  if (!isRecordGroup(group)) throw new Error(`"${group}" is not a record group the replica keeps`);
  return GROUP_TABLES[group];
}

interface UpsertStatements {
  /** The stored row in `written` order (typed columns, raw, state); undefined when absent. */
  current: Database.Statement;
  insert: Database.Statement;
  /** An UPDATE of just the columns at these positions of `written` (raw always), made once per set. */
  update(changed: readonly number[]): Database.Statement;
}

function upsertStatements(sqlite: Database.Database, spec: GroupTable): UpsertStatements {
  const table = quoteIdent(spec.table);
  const written = [...spec.columns, 'raw', ...(spec.state ? ['state'] : [])];
  // A primary-key probe then a plain INSERT or UPDATE: cheaper than INSERT … ON CONFLICT when the
  // table has triggers (the FTS ones), measured ~1.5× on client rows.
  // Read positionally (raw mode): no other statement has this text, and the cache shares by text.
  const current = statement(sqlite, `SELECT ${written.map(quoteIdent).join(', ')} FROM ${table} WHERE id = ?`).raw(true);
  const insert = statement(sqlite, `INSERT INTO ${table} (${written.map(quoteIdent).join(', ')}) VALUES (${written.map(() => '?').join(', ')})`);
  const update = (changed: readonly number[]) => statement(sqlite, `UPDATE ${table} SET ${changed.map((i) => `${quoteIdent(written[i]!)} = ?`).join(', ')} WHERE id = ?`);
  return { current, insert, update };
}

// ---- records --------------------------------------------------------------------------------------

/**
 * Inserts or replaces whole records (as the server sent them) in one transaction. A due contact
 * that arrives as done (same id) becomes done. Records must be complete: the stored raw is replaced.
 * A record identical to the stored one (same raw, same state) is left alone: a full re-sync that
 * brings back mostly unchanged records then dirties no pages and keeps its commits short (the
 * person's edits wait for them). An update sets only the typed columns whose value changed (and
 * raw): SQLite then leaves alone every index (and search trigger) on columns not set, so an edit to
 * a description rewrites one table page instead of that page plus a leaf of each of the table's indexes.
 */
/**
 * True when the stored row (in upsertStatements' `written` order) already holds this record as
 * sent: same raw means same typed columns (they are derived from it); only the state may differ.
 */
function storedAsSent(spec: GroupTable, stored: SqlValue[] | undefined, raw: string): boolean {
  const rawAt = spec.columns.length;
  return stored !== undefined && stored[rawAt] === raw && (!spec.state || stored[rawAt + 1] === spec.state);
}

export function upsertRecords(replica: Handle, group: RecordGroup, records: readonly ApiRecord[], options: { fresh?: boolean } = {}): UpsertResult {
  const spec = groupTable(group);
  const { current, insert, update } = upsertStatements(replica.sqlite, spec);
  const rawAt = spec.columns.length;
  const run = replica.sqlite.transaction((batch: readonly ApiRecord[]) => {
    let inserted = 0;
    let updatedCount = 0;
    let unchanged = 0;
    for (const record of batch) {
      const id = recordId(group, record);
      const raw = JSON.stringify(record);
      // `fresh`: the group's fill, where nearly every id is new: the insert is tried first and the
      // row read only when the id is taken (the server sent it twice; a due contact now done).
      let values = options.fresh ? rowValues(spec, id, record, raw) : undefined;
      if (values && tryInsert(insert, values)) {
        inserted++;
        continue;
      }
      const stored = current.get(id) as SqlValue[] | undefined;
      if (storedAsSent(spec, stored, raw)) {
        unchanged++;
        continue;
      }
      values ??= rowValues(spec, id, record, raw);
      if (stored === undefined) {
        insert.run(values);
        inserted++;
      } else {
        // `stored` lines up with `values`; raw is always written (it differs, or the state does).
        const changed: number[] = [];
        const params: SqlValue[] = [];
        for (let i = 1; i < values.length; i++) {
          if (i !== rawAt && values[i] === stored[i]) continue;
          changed.push(i);
          params.push(values[i]!);
        }
        params.push(id);
        update(changed).run(params);
        updatedCount++;
      }
    }
    return { inserted, updated: updatedCount, unchanged };
  });
  return run(records);
}

/** A record's row in upsertStatements' `written` order: id, typed columns, raw, state. */
function rowValues(spec: GroupTable, id: number, record: ApiRecord, raw: string): SqlValue[] {
  const values: SqlValue[] = [id];
  for (let i = 1; i < spec.columns.length; i++) values.push(toColumnValue(record[spec.columns[i]!]));
  values.push(raw);
  if (spec.state) values.push(spec.state);
  return values;
}

/** Inserts the row; false when its id is already stored (the table's only uniqueness rule). */
function tryInsert(insert: Database.Statement, values: SqlValue[]): boolean {
  try {
    insert.run(values);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
    throw error;
  }
}

/**
 * The records that differ from what the replica holds (new, changed, or in another state): read
 * only, so a sync can compare a slice without taking the write lock, and take it only for what
 * upsertRecords would write (the same comparison: storedAsSent).
 */
export function changedRecords(replica: Handle, group: RecordGroup, records: readonly ApiRecord[]): ApiRecord[] {
  const spec = groupTable(group);
  const { current } = upsertStatements(replica.sqlite, spec);
  return records.filter((record) => !storedAsSent(spec, current.get(recordId(group, record)) as SqlValue[] | undefined, JSON.stringify(record)));
}

/** Removes records of a group by id (a due-contact delete never removes a done contact with that id). */
export function deleteRecords(replica: Handle, group: RecordGroup, ids: Iterable<number>): number {
  const spec = groupTable(group);
  const del = statement(replica.sqlite, `DELETE FROM ${quoteIdent(spec.table)} WHERE id = ?${spec.state ? ' AND state = ?' : ''}`);
  const run = replica.sqlite.transaction((list: Iterable<number>) => {
    let deleted = 0;
    for (const id of list) deleted += (spec.state ? del.run(id, spec.state) : del.run(id)).changes;
    return deleted;
  });
  return run(ids);
}

/** Every id of a group with its `updated` stamp, for the incremental diff against the server. */
export function getIdsAndUpdated(replica: Handle, group: RecordGroup): Map<number, string | null> {
  const spec = groupTable(group);
  const select = statement(replica.sqlite, `SELECT id, updated FROM ${quoteIdent(spec.table)}${spec.state ? ' WHERE state = ?' : ''}`).raw(true);
  const out = new Map<number, string | null>();
  for (const row of (spec.state ? select.iterate(spec.state) : select.iterate()) as Iterable<[number, string | null]>) {
    out.set(row[0], row[1]);
  }
  return out;
}

/** One record as the server sent it, or undefined. */
export function getRecord(replica: Handle, group: RecordGroup, id: number): ApiRecord | undefined {
  const spec = groupTable(group);
  const row = statement(replica.sqlite, `SELECT raw FROM ${quoteIdent(spec.table)} WHERE id = ?${spec.state ? ' AND state = ?' : ''}`).get(...(spec.state ? [id, spec.state] : [id])) as
    { raw: string } | undefined;
  return row ? rowToRecord(row) : undefined;
}

/** How many records of a group the replica holds. */
export function countRecords(replica: Handle, group: RecordGroup): number {
  const spec = groupTable(group);
  const count = (sql: string) => (statement(replica.sqlite, sql).get() as { n: number }).n;
  const all = count(`SELECT count(*) AS n FROM ${quoteIdent(spec.table)}`);
  if (!spec.state) return all;
  // Due and done share the table (state is 'due' or 'done', never null). Done = all − due: every
  // row counts from the narrowest index and the due ones from their partial index, where counting
  // `state = 'done'` read a wide covering index of every done contact (at 100,000 clients, 90 ms
  // of decrypting in `caseworker status`'s 0.3 s, against 54 ms for both counts here).
  const due = count(`SELECT count(*) AS n FROM ${quoteIdent(spec.table)} WHERE state = 'due'`);
  return spec.state === 'due' ? due : all - due;
}

// ---- dictionaries -----------------------------------------------------------------------------------

/**
 * Stores a dictionary (`organisations/district`, `relationships`, …). A fetched dictionary is the
 * whole list, so by default entries no longer listed are removed.
 */
export function upsertDictionary(replica: Handle, tableRef: string, entries: readonly DictionaryEntry[], options: { replaceAll?: boolean } = {}): number {
  const clear = statement(replica.sqlite, 'DELETE FROM dictionaries WHERE table_ref = ?');
  const put = statement(
    replica.sqlite,
    `INSERT INTO dictionaries (table_ref, id, name, extra) VALUES (?, ?, ?, ?)
     ON CONFLICT(table_ref, id) DO UPDATE SET name = excluded.name, extra = excluded.extra`,
  );
  const run = replica.sqlite.transaction(() => {
    if (options.replaceAll !== false) clear.run(tableRef);
    for (const entry of entries) {
      const { id, name, ...extra } = entry;
      const entryId = recordId(`dictionary ${tableRef}`, { id });
      put.run(tableRef, entryId, String(name ?? ''), Object.keys(extra).length > 0 ? JSON.stringify(extra) : null);
    }
    return entries.length;
  });
  return run();
}

/** A dictionary's entries in the API's shape `[{id, name, …extra}]`, by id. */
export function getDictionary(replica: Handle, tableRef: string): DictionaryEntry[] {
  const rows = statement(replica.sqlite, 'SELECT id, name, extra FROM dictionaries WHERE table_ref = ? ORDER BY id').all(tableRef) as Array<{ id: number; name: string; extra: string | null }>;
  return rows.map(dictionaryRowToEntry);
}

export function dictionaryRowToEntry(row: { id: number; name: string; extra: string | null }): DictionaryEntry {
  return { id: row.id, name: row.name, ...(row.extra ? (JSON.parse(row.extra) as Record<string, unknown>) : {}) };
}

/** The table refs the replica holds dictionaries for. */
// ---- multiple-record extension databases --------------------------------------------------------------

/** Inserts or replaces rows of one extension database (`wellcheck_notes_9`) in one transaction. */
export function upsertExtensionRecords(replica: Handle, database: string, records: readonly ApiRecord[]): UpsertResult {
  const insert = statement(replica.sqlite, 'INSERT INTO extension_records (database, id, referral, client, updated, raw) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(database, id) DO NOTHING');
  const update = statement(replica.sqlite, 'UPDATE extension_records SET referral = ?, client = ?, updated = ?, raw = ? WHERE database = ? AND id = ?');
  const run = replica.sqlite.transaction((batch: readonly ApiRecord[]) => {
    let inserted = 0;
    let updatedCount = 0;
    for (const record of batch) {
      const id = recordId(`extension_database/${database}`, record);
      const referral = toColumnValue(record.referral);
      const client = toColumnValue(record.client);
      const updatedAt = toColumnValue(record.updated);
      const raw = JSON.stringify(record);
      if (insert.run(database, id, referral, client, updatedAt, raw).changes === 1) inserted++;
      else {
        update.run(referral, client, updatedAt, raw, database, id);
        updatedCount++;
      }
    }
    return { inserted, updated: updatedCount };
  });
  return run(records);
}

export function deleteExtensionRecords(replica: Handle, database: string, ids: Iterable<number>): number {
  const del = statement(replica.sqlite, 'DELETE FROM extension_records WHERE database = ? AND id = ?');
  const run = replica.sqlite.transaction((list: Iterable<number>) => {
    let deleted = 0;
    for (const id of list) deleted += del.run(database, id).changes;
    return deleted;
  });
  return run(ids);
}

export function getExtensionIdsAndUpdated(replica: Handle, database: string): Map<number, string | null> {
  const rows = statement(replica.sqlite, 'SELECT id, updated FROM extension_records WHERE database = ?').raw(true).iterate(database) as Iterable<[number, string | null]>;
  return new Map(rows);
}

// ---- selectable fields -----------------------------------------------------------------------------------

/** Keeps the server's `<group>/selectable_fields` reply verbatim (group: `clients`, `extension_database/x_9`, …). */
export function setSelectableFields(replica: Handle, group: string, reply: unknown): void {
  statement(
    replica.sqlite,
    `INSERT INTO selectable_fields ("group", reply, fetched_at) VALUES (?, ?, strftime('%Y-%m-%d %H:%M:%S', 'now'))
     ON CONFLICT("group") DO UPDATE SET reply = excluded.reply, fetched_at = excluded.fetched_at`,
  ).run(group, JSON.stringify(reply));
}

/** The stored reply, or undefined when the group's selectable fields were never fetched. */
export function getSelectableFields(replica: Handle, group: string): unknown {
  const row = statement(replica.sqlite, 'SELECT reply FROM selectable_fields WHERE "group" = ?').get(group) as { reply: string } | undefined;
  return row ? JSON.parse(row.reply) : undefined;
}

/**
 * The field names in a stored selectable_fields reply. Its shape is unpublished, so accept a list of
 * names, a list of objects with `name`/`field`/`key`, or an object keyed by field name.
 */
export function selectableFieldNames(replica: Handle, group: string): string[] {
  const reply = getSelectableFields(replica, group);
  if (Array.isArray(reply)) {
    return reply.flatMap((item) => {
      if (typeof item === 'string') return [item];
      if (item && typeof item === 'object') {
        const named = (item as Record<string, unknown>).name ?? (item as Record<string, unknown>).field ?? (item as Record<string, unknown>).key;
        return typeof named === 'string' ? [named] : [];
      }
      return [];
    });
  }
  if (reply && typeof reply === 'object') return Object.keys(reply);
  return [];
}

// ---- sync state -------------------------------------------------------------------------------------------

/** The keys sync keeps; values are JSON. */
export const SYNC_KEYS = {
  me: 'me',
  myWorker: 'my_worker',
  lastSync: 'last_sync',
  dictionariesFetchedAt: 'dictionaries_fetched_at',
  scope: (group: string) => `scope:${group}`,
  cursor: (name: string) => `cursor:${name}`,
} as const;

export function getSyncState<T = unknown>(replica: Handle, key: string): T | undefined {
  const row = statement(replica.sqlite, 'SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export function setSyncState(replica: Handle, key: string, value: unknown): void {
  if (value === undefined) throw new Error(`sync state "${key}" cannot be set to undefined (use deleteSyncState)`);
  statement(replica.sqlite, 'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}

export function deleteSyncState(replica: Handle, key: string): void {
  statement(replica.sqlite, 'DELETE FROM sync_state WHERE key = ?').run(key);
}

/** Every sync-state key with the given prefix (e.g. `scope:`), as an object. */
export function listSyncState(replica: Handle, prefix = ''): Record<string, unknown> {
  const rows = statement(replica.sqlite, 'SELECT key, value FROM sync_state WHERE substr(key, 1, length(?)) = ? ORDER BY key').all(prefix, prefix) as Array<{ key: string; value: string }>;
  return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
}

/** Whether the replica holds any record of a group from the server (positive ids; negative ones were created offline). */
export function hasServerRecords(replica: Handle, group: RecordGroup): boolean {
  const spec = groupTable(group);
  const found = statement(replica.sqlite, `SELECT EXISTS (SELECT 1 FROM ${quoteIdent(spec.table)} WHERE ${spec.state ? 'state = ? AND ' : ''}id > 0)`)
    .pluck()
    .get(...(spec.state ? [spec.state] : [])) as number;
  return found === 1;
}

/** Whether a table holds no row at all. */
export function isTableEmpty(replica: Handle, table: string): boolean {
  return (
    statement(replica.sqlite, `SELECT NOT EXISTS (SELECT 1 FROM ${quoteIdent(table)})`)
      .pluck()
      .get() === 1
  );
}
