// Where a group's fields live in the replica, and how the API's filters become SQL over them:
// typed columns of the group's table (alias t), a client's fields through a LEFT JOIN to clients
// (c), a contact's referral fields through a LEFT JOIN to referrals (r), project name/active from
// the project dictionary, and anything else from the record's raw JSON. Values are checked by the
// field's kind as the server checks them (ids are whole numbers, flags Y/N, text case-insensitive).

import { DATE_PATTERN, TIMESTAMP_PATTERN } from '../../shared/dizions/assumptions.js';
import { GROUP_FIELDS, GROUP_FILTERS, GROUP_RANGES, isRecordGroup, storageKind, type RangeKey, type RecordGroup, type StorageKind } from '../../shared/dizions/model.js';
import type { FilterPair, RecordsPath } from '../../shared/url-grammar.js';
import { GROUP_TABLES, quoteIdent } from './groups.js';
import type { Replica } from './open.js';
import { getSelectableFields, selectableFieldNames, type SqlValue } from './records.js';

/** A path the server would refuse (status as the server would answer: 400 bad key, 404 unknown group/dictionary, 405 not readable). */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    message: string,
    readonly status: 400 | 404 | 405 = 400,
  ) {
    super(message);
  }
}

export type Handle = Pick<Replica, 'sqlite'>;

/** How a field's filter values are checked and compared (the model's kinds, as the server has them). */
export type FieldKind = StorageKind;
/** A field's kind from the data model: ids and dictionary fields are whole numbers, and so on. */
export const fieldKind = storageKind;

export interface Source {
  /** `clients`, `done_contacts`, `extension_database/wellcheck_notes_9`. */
  label: string;
  group: RecordGroup | 'extension_database';
  table: string;
  baseWhere: string[];
  baseParams: SqlValue[];
  columns: ReadonlySet<string>;
  /** Fields the group models (for field/ and dimensions). */
  modelled: ReadonlySet<string>;
  /** Plain filter keys the API accepts for the group. */
  filterKeys: ReadonlySet<string>;
  ranges: ReadonlySet<RangeKey>;
  /** The date field that time dimensions read (contacts' and schedules' start_date, referrals' date, an extension database's date_NN). */
  dateField?: string;
  /** Whether fields the model lacks (single-record extension fields) may be filtered: clients, referrals, extension databases. */
  rawFields: boolean;
  joins: Set<'clients' | 'referrals'>;
}

/** Where a field is read from, and how its values compare. */
export interface FieldRead {
  sql: string;
  kind: FieldKind;
  /** Read from the raw JSON: no column affinity, so compared as text. */
  fromRaw: boolean;
}

const CLIENT_COLUMNS = new Set(GROUP_TABLES.clients.columns);
const REFERRAL_COLUMNS = new Set(GROUP_TABLES.referrals.columns);
const SAFE_NAME = /^[a-z][a-z0-9_]*$/;
const DATE_FIELDS: Partial<Record<RecordGroup, string>> = {
  referrals: 'date',
  due_contacts: 'start_date',
  done_contacts: 'start_date',
  schedules: 'start_date',
};

export function sourceFor(replica: Handle, path: RecordsPath): Source {
  if (path.group === 'extension_database') {
    const database = path.extensionDatabase ?? '';
    const label = `extension_database/${database}`;
    const known = getSelectableFields(replica, label) !== undefined || replica.sqlite.prepare('SELECT 1 FROM extension_records WHERE database = ? LIMIT 1').get(database) !== undefined;
    if (!known) throw new QueryError(`extension database "${database}" is not in the replica (unknown, or not synced yet)`, 404);
    const fields = selectableFieldNames(replica, label);
    const modelled = new Set(['id', 'referral', 'client', 'updated', ...fields]);
    const source: Source = {
      label,
      group: 'extension_database',
      table: 'extension_records',
      baseWhere: ['t.database = ?'],
      baseParams: [database],
      columns: new Set(['id', 'referral', 'client', 'updated']),
      modelled,
      filterKeys: new Set([...modelled].filter((f) => f !== 'updated')),
      ranges: new Set(),
      rawFields: true,
      joins: new Set(),
    };
    const dateField = fields.find((f) => /^date_\d+$/.test(f));
    if (dateField) source.dateField = dateField;
    return source;
  }
  if (!isRecordGroup(path.group)) throw new QueryError(`unknown group "${path.group}"`, 404);
  const group = path.group;
  const spec = GROUP_TABLES[group];
  const source: Source = {
    label: group,
    group,
    table: spec.table,
    baseWhere: spec.state ? ['t.state = ?'] : [],
    baseParams: spec.state ? [spec.state] : [],
    columns: new Set(spec.columns),
    modelled: new Set(GROUP_FIELDS[group]),
    filterKeys: new Set(GROUP_FILTERS[group]),
    ranges: new Set(GROUP_RANGES[group]),
    rawFields: group === 'clients' || group === 'referrals',
    joins: new Set(),
  };
  const dateField = DATE_FIELDS[group];
  if (dateField) source.dateField = dateField;
  return source;
}

function isContacts(source: Source): boolean {
  return source.group === 'due_contacts' || source.group === 'done_contacts';
}

/** The kind of one of the source's own fields. */
function ownKind(source: Source, field: string): FieldKind {
  return fieldKind(source.group === 'extension_database' ? source.label : source.group, field);
}

/** Where the replica holds a field or filter key of the source, or undefined when only the raw JSON does. */
function locate(source: Source, key: string): FieldRead | undefined {
  if (source.columns.has(key)) return { sql: `t.${quoteIdent(key)}`, kind: ownKind(source, key), fromRaw: false };
  const joinsClients = source.group === 'referrals' || isContacts(source);
  if (joinsClients && key.startsWith('client_')) {
    const field = key === 'client_type' ? 'type' : key.slice('client_'.length);
    if (CLIENT_COLUMNS.has(field)) {
      source.joins.add('clients');
      return { sql: `c.${quoteIdent(field)}`, kind: fieldKind('clients', field), fromRaw: false };
    }
  }
  if (isContacts(source) && REFERRAL_COLUMNS.has(key)) {
    source.joins.add('referrals');
    return { sql: `r.${quoteIdent(key)}`, kind: fieldKind('referrals', key), fromRaw: false };
  }
  if ((source.group === 'referrals' || isContacts(source)) && (key === 'project_name' || key === 'project_active')) {
    const value = key === 'project_name' ? 'd.name' : `json_extract(d.extra, '$.active')`;
    return {
      sql: `(SELECT ${value} FROM dictionaries d WHERE d.table_ref = 'referrals/project' AND d.id = t.project)`,
      kind: key === 'project_name' ? 'text' : 'flag',
      fromRaw: false,
    };
  }
  return undefined;
}

function rawRead(source: Source, key: string): FieldRead {
  return { sql: `json_extract(t.raw, '$.${key}')`, kind: ownKind(source, key), fromRaw: true };
}

/** A field the model lacks but the server offers: listed in the group's selectable fields, or seen in a stored record. */
function isExtensionField(replica: Handle, source: Source, key: string): boolean {
  if (!source.rawFields || source.modelled.has(key)) return false;
  if (selectableFieldNames(replica, source.label).includes(key)) return true;
  // Selectable fields not synced yet: accept a key some stored record actually carries.
  const probe = `SELECT 1 FROM ${quoteIdent(source.table)} t WHERE ${[...source.baseWhere, `json_type(t.raw, '$.${key}') IS NOT NULL`].join(' AND ')} LIMIT 1`;
  return replica.sqlite.prepare(probe).get(...source.baseParams) !== undefined;
}

function checkName(key: string, what: string): void {
  if (!SAFE_NAME.test(key)) throw new QueryError(`${what} "${key}" is not a valid name`);
}

/** Where a filter key reads from, or a QueryError naming the key and group. */
export function filterRead(replica: Handle, source: Source, key: string): FieldRead {
  checkName(key, 'filter key');
  if (!source.filterKeys.has(key) && !isExtensionField(replica, source, key)) {
    if (source.modelled.has(key)) throw new QueryError(`${key} is a field of ${source.label} but not one of its filters`);
    throw new QueryError(`unknown filter "${key}" for ${source.label}`);
  }
  return locate(source, key) ?? rawRead(source, key);
}

/** Where a field of field/, or a report's dimension or metric, reads from: the group's own and selectable fields. */
export function fieldRead(replica: Handle, source: Source, key: string, what: 'field' | 'dimension' | 'metric'): FieldRead {
  checkName(key, what);
  const known = source.modelled.has(key) || selectableFieldNames(replica, source.label).includes(key) || isExtensionField(replica, source, key);
  if (!known || (what !== 'field' && key === 'id')) {
    throw new QueryError(`unknown ${what} "${key}" for ${source.label}${what === 'field' ? ` (see ${source.label}/selectable_fields)` : ''}`);
  }
  return locate(source, key) ?? rawRead(source, key);
}

/** The date time dimensions read, as an SQL expression of its `YYYY-MM-DD` day. */
export function dayExpression(replica: Handle, source: Source, dimension: string): string {
  return `substr(${dateRead(source, dimension)}, 1, 10)`;
}

/**
 * The first `length` characters of the date time dimensions read (7: `YYYY-MM`, 4: `YYYY`), written
 * as the contacts_state_month_user_start index writes it, so a month report reads that index in order.
 */
export function datePrefixExpression(source: Source, dimension: string, length: number): string {
  return `substr(${dateRead(source, dimension)}, 1, ${length})`;
}

function dateRead(source: Source, dimension: string): string {
  if (!source.dateField) throw new QueryError(`${source.label} have no date to report by ${dimension}: use a field such as district`);
  return source.columns.has(source.dateField) ? `t.${quoteIdent(source.dateField)}` : rawRead(source, source.dateField).sql;
}

// ---- filters ------------------------------------------------------------------------------------------------

export interface Where {
  sql: string[];
  params: SqlValue[];
}

export function buildWhere(replica: Handle, source: Source, pairs: readonly FilterPair[]): Where {
  const where: Where = { sql: [...source.baseWhere], params: [...source.baseParams] };
  for (const pair of pairs) {
    if ('range' in pair) addRange(source, pair.key, pair.range, where);
    else addValues(replica, source, pair.key, pair.values, where);
  }
  return where;
}

/** Checks and converts one filter value for its field's kind, as the server does (a 400 naming it). */
function filterValue(key: string, kind: FieldKind, value: string): SqlValue {
  switch (kind) {
    case 'int':
      if (!/^-?\d+$/.test(value)) throw new QueryError(`value of ${key} must be a whole number (an id), got "${value}"`);
      return Number(value);
    case 'real':
      if (!/^-?\d+(\.\d+)?$/.test(value)) throw new QueryError(`value of ${key} must be a number, got "${value}"`);
      return Number(value);
    case 'flag': {
      const flag = value.toUpperCase();
      if (flag !== 'Y' && flag !== 'N') throw new QueryError(`value of ${key} must be Y or N, got "${value}"`);
      return flag;
    }
    case 'date':
      if (!DATE_PATTERN.test(value)) throw new QueryError(`value of ${key} must be a date YYYY-MM-DD, got "${value}"`);
      return value;
    case 'timestamp':
      if (!DATE_PATTERN.test(value) && !TIMESTAMP_PATTERN.test(value)) throw new QueryError(`value of ${key} must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got "${value}"`);
      return value;
    case 'text':
      return value;
  }
}

function addValues(replica: Handle, source: Source, key: string, values: readonly string[], where: Where): void {
  if (values.length === 0) throw new QueryError(`filter "${key}" has no value`);
  const read = filterRead(replica, source, key);
  const params = values.map((v) => filterValue(key, read.kind, v));
  const marks = (list: readonly unknown[]) => list.map(() => '?').join(', ');
  if (read.kind === 'timestamp') {
    // A date-only value matches any time that day.
    const dates = params.filter((p) => String(p).length === 10);
    const stamps = params.filter((p) => String(p).length !== 10);
    const parts: string[] = [];
    if (dates.length) parts.push(`substr(${read.sql}, 1, 10) IN (${marks(dates)})`);
    if (stamps.length) parts.push(`${read.sql} IN (${marks(stamps)})`);
    where.sql.push(`(${parts.join(' OR ')})`);
    where.params.push(...dates, ...stamps);
  } else if (read.fromRaw) {
    // JSON values carry no column affinity: compare as the text they print as.
    where.sql.push(`CAST(${read.sql} AS TEXT) COLLATE NOCASE IN (${marks(params)})`);
    where.params.push(...params.map((p) => String(p)));
  } else {
    where.sql.push(`${read.sql}${read.kind === 'text' ? ' COLLATE NOCASE' : ''} IN (${marks(params)})`);
    where.params.push(...params);
  }
}

/** `from,to` as inclusive timestamps: a date-only bound stretches to the start or end of its day. */
function rangeBound(key: string, which: 'start' | 'end', value: string): string {
  if (TIMESTAMP_PATTERN.test(value)) return value;
  if (DATE_PATTERN.test(value)) return `${value} ${which === 'start' ? '00:00:00' : '23:59:59'}`;
  throw new QueryError(`${key} ${which} must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got "${value}"`);
}

function addRange(source: Source, key: string, [rawFrom, rawTo]: readonly [string, string], where: Where): void {
  if (!source.ranges.has(key as RangeKey)) {
    const hint = key === 'updated' ? ' (only referrals can be filtered by updated)' : '';
    throw new QueryError(`${source.label} cannot be filtered by the range "${key}"${hint}`);
  }
  const from = rangeBound(key, 'start', rawFrom);
  const to = rangeBound(key, 'end', rawTo);
  if (to < from) throw new QueryError(`${key} range ends (${rawTo}) before it starts (${rawFrom})`);
  if (key === 'updated') {
    where.sql.push('t.updated BETWEEN ? AND ?');
    where.params.push(from, to);
  } else if (key === 'date') {
    where.sql.push('t.date BETWEEN ? AND ?');
    where.params.push(from.slice(0, 10), to.slice(0, 10));
  } else if (source.group === 'referrals') {
    // date_active: a referral is active in a range when it has a (due or done) contact starting in it.
    where.sql.push('EXISTS (SELECT 1 FROM contacts x WHERE x.referral = t.id AND x.start_date BETWEEN ? AND ?)');
    where.params.push(from, to);
  } else if (source.group === 'schedules') {
    // date_active: a schedule is active when it overlaps the range (no end date: still running).
    where.sql.push('t.start_date <= ? AND (t.end_date IS NULL OR t.end_date >= ?)');
    where.params.push(to, from);
  } else {
    // date_active of a contact: it starts within the range.
    where.sql.push('t.start_date BETWEEN ? AND ?');
    where.params.push(from, to);
  }
}

export function fromClause(source: Source): string {
  let from = `${quoteIdent(source.table)} t`;
  if (source.joins.has('referrals')) from += ' LEFT JOIN referrals r ON r.id = t.referral';
  if (source.joins.has('clients')) from += ' LEFT JOIN clients c ON c.id = t.client';
  return from;
}

export function whereClause(where: Where): string {
  return where.sql.length ? ` WHERE ${where.sql.join(' AND ')}` : '';
}
