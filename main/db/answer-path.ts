// The same language, answered offline: a GET path of the Dizions grammar (shared/url-grammar.ts)
// answered from the replica in the JSON shape the server returns (assumptions table in
// shared/dizions-api.md). Filters AND across keys and OR across `;`; `client_*` filters join
// clients, referral fields on contacts join referrals; fields the replica does not model are read
// from each record's raw JSON. Anything the server would refuse is a QueryError, never a guess.

import { DATE_PATTERN, TIMESTAMP_PATTERN, type DictionaryEntry } from '../../shared/dizions/assumptions.js';
import {
  DICTIONARY_FIELDS, DICTIONARY_TABLES, GROUP_FIELDS, GROUP_FILTERS, GROUP_RANGES, dictionaryFor, isRecordGroup, isTimeDimension,
  type RangeKey, type RecordGroup, type TimeDimension,
} from '../../shared/dizions/model.js';
import { GrammarError, parsePath, type DizionsPath, type FilterPair, type RecordsPath } from '../../shared/url-grammar.js';
import { GROUP_TABLES, quoteIdent } from './groups.js';
import type { Replica } from './open.js';
import { dictionaryRowToEntry, getSelectableFields, selectableFieldNames, type ApiRecord, type SqlValue } from './records.js';

/** A path the server would refuse (status as the server would answer: 400 bad key, 404 unknown group/dictionary, 405 not readable). */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(message: string, readonly status: 400 | 404 | 405 = 400) {
    super(message);
  }
}

type Handle = Pick<Replica, 'sqlite'>;

/** Answers a GET path (string or parsed) from the replica, in the server's JSON shape. */
export function answerPath(replica: Handle, path: string | DizionsPath): unknown {
  let parsed: DizionsPath;
  try {
    parsed = typeof path === 'string' ? parsePath(path) : path;
  } catch (error) {
    if (error instanceof GrammarError) throw new QueryError(error.message, 400);
    throw error;
  }
  switch (parsed.kind) {
    case 'records':
      if (parsed.uploads) throw new QueryError('uploads cannot be read back through the API (only POSTed)', 405);
      return parsed.report ? answerReport(replica, parsed) : answerRecords(replica, parsed);
    case 'selectable_fields':
      return answerSelectableFields(replica, parsed.group, parsed.extensionDatabase);
    case 'dictionary_all':
      return answerAllDictionaries(replica);
    case 'dictionary':
      return dictionaryEntries(replica, `${parsed.apiGroup}/${parsed.table}`);
    case 'relationships':
      return dictionaryEntries(replica, parsed.carer ? 'carer_relationships' : 'relationships');
    case 'dictionary_search': {
      const term = parsed.term.toLowerCase();
      return dictionaryEntries(replica, `${parsed.apiGroup}/${parsed.table}`).filter((e) => String(e.name).toLowerCase().includes(term));
    }
    case 'external_referral':
      throw new QueryError('external referrals are write-only: the API has no GET for them', 405);
  }
}

// ---- where a group's fields live ----------------------------------------------------------------------

interface Source {
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
  /** The date a time dimension and date_active read. */
  dateColumn?: string;
  /** Whether single-record extension fields (raw-only) may be filtered and selected (clients, referrals, extension dbs). */
  rawFields: boolean;
  joins: Set<'clients' | 'referrals'>;
}

const CLIENT_COLUMNS = new Set(GROUP_TABLES.clients.columns);
const REFERRAL_COLUMNS = new Set(GROUP_TABLES.referrals.columns);
const SAFE_NAME = /^[a-z][a-z0-9_]*$/;
const DATE_COLUMNS: Partial<Record<RecordGroup, string>> = {
  referrals: 'date', due_contacts: 'start_date', done_contacts: 'start_date', schedules: 'start_date',
};

function sourceFor(replica: Handle, path: RecordsPath): Source {
  if (path.group === 'extension_database') {
    const database = path.extensionDatabase ?? '';
    const label = `extension_database/${database}`;
    const known = getSelectableFields(replica, label) !== undefined
      || replica.sqlite.prepare('SELECT 1 FROM extension_records WHERE database = ? LIMIT 1').get(database) !== undefined;
    if (!known) throw new QueryError(`extension database "${database}" is not in the replica (unknown, or not synced yet)`, 404);
    const modelled = new Set(['id', 'referral', 'client', 'updated', ...selectableFieldNames(replica, label)]);
    return {
      label, group: 'extension_database', table: 'extension_records', baseWhere: ['t.database = ?'], baseParams: [database],
      columns: new Set(['id', 'referral', 'client', 'updated']), modelled, filterKeys: modelled, ranges: new Set(), rawFields: true, joins: new Set(),
    };
  }
  if (!isRecordGroup(path.group)) throw new QueryError(`unknown group "${path.group}"`, 404);
  const group = path.group;
  const spec = GROUP_TABLES[group];
  const source: Source = {
    label: group, group, table: spec.table,
    baseWhere: spec.state ? ['t.state = ?'] : [], baseParams: spec.state ? [spec.state] : [],
    columns: new Set(spec.columns), modelled: new Set(GROUP_FIELDS[group]), filterKeys: new Set(GROUP_FILTERS[group]),
    ranges: new Set(GROUP_RANGES[group]), rawFields: group === 'clients' || group === 'referrals', joins: new Set(),
  };
  const dateColumn = DATE_COLUMNS[group];
  if (dateColumn) source.dateColumn = dateColumn;
  return source;
}

function isContacts(source: Source): boolean {
  return source.group === 'due_contacts' || source.group === 'done_contacts';
}

/** The SQL expression for a field or filter key of a group, or undefined when the replica has no column for it. */
function columnExpression(source: Source, key: string): string | undefined {
  if (source.columns.has(key)) return `t.${quoteIdent(key)}`;
  const joinsClients = source.group === 'referrals' || isContacts(source);
  if (joinsClients && key.startsWith('client_')) {
    const field = key === 'client_type' ? 'type' : key.slice('client_'.length);
    if (CLIENT_COLUMNS.has(field)) {
      source.joins.add('clients');
      return `c.${quoteIdent(field)}`;
    }
  }
  if (isContacts(source) && REFERRAL_COLUMNS.has(key)) {
    source.joins.add('referrals');
    return `r.${quoteIdent(key)}`;
  }
  if ((source.group === 'referrals' || isContacts(source)) && (key === 'project_name' || key === 'project_active')) {
    const project = source.group === 'referrals' || source.columns.has('project') ? 't.project' : 'r.project';
    const value = key === 'project_name' ? 'd.name' : `json_extract(d.extra, '$.active')`;
    return `(SELECT ${value} FROM dictionaries d WHERE d.table_ref = 'referrals/project' AND d.id = ${project})`;
  }
  return undefined;
}

/** A field only the raw JSON holds (single-record extension fields, new server fields). */
function rawExpression(key: string): string {
  return `json_extract(t.raw, '$.${key}')`;
}

/** A field the group does not model but the server offers: listed in its selectable fields, or seen in a stored record. */
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

/** The expression a filter key reads, or a QueryError naming the key and group. */
function filterExpression(replica: Handle, source: Source, key: string): string {
  checkName(key, 'filter key');
  const known = source.filterKeys.has(key) || isExtensionField(replica, source, key);
  if (!known) throw new QueryError(`unknown filter "${key}" for ${source.label}`);
  return columnExpression(source, key) ?? rawExpression(key);
}

/**
 * The expression a field (field/, dimension, metric) reads. field/ takes the group's fields and its
 * selectable fields; a dimension may also be a filter key (`client_gender` of contacts, via the join).
 */
function fieldExpression(replica: Handle, source: Source, key: string, what: 'field' | 'dimension' | 'metric'): string {
  checkName(key, what);
  const known = source.modelled.has(key)
    || (what !== 'field' && source.filterKeys.has(key))
    || selectableFieldNames(replica, source.label).includes(key)
    || isExtensionField(replica, source, key);
  if (!known) throw new QueryError(`unknown ${what} "${key}" for ${source.label}`);
  return columnExpression(source, key) ?? rawExpression(key);
}

// ---- filters ----------------------------------------------------------------------------------------------

interface Where {
  sql: string[];
  params: SqlValue[];
}

function buildWhere(replica: Handle, source: Source, pairs: readonly FilterPair[]): Where {
  const where: Where = { sql: [...source.baseWhere], params: [...source.baseParams] };
  for (const pair of pairs) {
    if ('range' in pair) addRange(source, pair.key, pair.range, where);
    else addValues(replica, source, pair.key, pair.values, where);
  }
  return where;
}

function addValues(replica: Handle, source: Source, key: string, values: readonly string[], where: Where): void {
  if (values.length === 0) throw new QueryError(`filter "${key}" has no value`);
  const expression = filterExpression(replica, source, key);
  const isColumn = !expression.startsWith('json_extract(t.raw');
  // JSON values carry no column affinity: compare them as text, as they appear in the path.
  const target = isColumn ? expression : `CAST(${expression} AS TEXT)`;
  if (key === 'start_date' || key === 'end_date') {
    // A date-only value matches any time that day.
    const dates = values.filter((v) => DATE_PATTERN.test(v));
    const exact = values.filter((v) => !DATE_PATTERN.test(v));
    const parts: string[] = [];
    if (exact.length) parts.push(`${target} IN (${exact.map(() => '?').join(', ')})`);
    if (dates.length) parts.push(`substr(${target}, 1, 10) IN (${dates.map(() => '?').join(', ')})`);
    where.sql.push(`(${parts.join(' OR ')})`);
    where.params.push(...exact, ...dates);
    return;
  }
  where.sql.push(`${target} IN (${values.map(() => '?').join(', ')})`);
  where.params.push(...values);
}

/** `from,to` as the inclusive text bounds of a day range: a date-only `to` reaches 23:59:59 that day. */
function rangeBounds(key: string, [from, to]: readonly [string, string]): [string, string] {
  for (const bound of [from, to]) {
    if (!DATE_PATTERN.test(bound) && !TIMESTAMP_PATTERN.test(bound)) {
      throw new QueryError(`${key} takes dates "YYYY-MM-DD,YYYY-MM-DD" (or "YYYY-MM-DD HH:MM:SS" times), got "${bound}"`);
    }
  }
  return [from, DATE_PATTERN.test(to) ? `${to} 23:59:59` : to];
}

function addRange(source: Source, key: string, range: readonly [string, string], where: Where): void {
  if (!source.ranges.has(key as RangeKey)) throw new QueryError(`${source.label} cannot be filtered by the range "${key}"`);
  const [from, to] = rangeBounds(key, range);
  if (key === 'date_active' && source.group === 'referrals') {
    // A referral is active in a range when it has a (due or done) contact starting in it.
    where.sql.push('EXISTS (SELECT 1 FROM contacts x WHERE x.referral = t.id AND x.start_date BETWEEN ? AND ?)');
  } else if (key === 'date_active') {
    where.sql.push(`t.${quoteIdent(source.dateColumn ?? 'start_date')} BETWEEN ? AND ?`);
  } else {
    where.sql.push(`t.${quoteIdent(key)} BETWEEN ? AND ?`);
  }
  where.params.push(from, to);
}

function fromClause(source: Source): string {
  let from = `${quoteIdent(source.table)} t`;
  if (source.joins.has('referrals')) from += ' LEFT JOIN referrals r ON r.id = t.referral';
  if (source.joins.has('clients')) from += ' LEFT JOIN clients c ON c.id = t.client';
  return from;
}

function whereClause(where: Where): string {
  return where.sql.length ? ` WHERE ${where.sql.join(' AND ')}` : '';
}

// ---- records ------------------------------------------------------------------------------------------------

function answerRecords(replica: Handle, path: RecordsPath): ApiRecord[] {
  const source = sourceFor(replica, path);
  const where = buildWhere(replica, source, path.pairs);
  const fields = path.fields;
  if (fields) for (const field of fields) fieldExpression(replica, source, field, 'field');
  const resolve = resolverFor(replica, source, path.resolveIds);
  const sql = `SELECT t.raw FROM ${fromClause(source)}${whereClause(where)} ORDER BY t.id`;
  const out: ApiRecord[] = [];
  for (const row of replica.sqlite.prepare(sql).iterate(...where.params) as Iterable<{ raw: string }>) {
    const record = JSON.parse(row.raw) as ApiRecord;
    const shaped = fields ? Object.fromEntries(fields.map((f) => [f, record[f] ?? null])) : record;
    out.push(resolve ? resolve(shaped) : shaped);
  }
  return out;
}

// ---- reports --------------------------------------------------------------------------------------------------

/** A time dimension's bucket of a `YYYY-MM-DD[ HH:MM:SS]` column: day, ISO week `YYYY-Www`, month, year. */
function timeExpression(source: Source, dimension: TimeDimension): string {
  if (!source.dateColumn) throw new QueryError(`${source.label} has no date to report by ${dimension}`);
  const day = `substr(t.${quoteIdent(source.dateColumn)}, 1, 10)`;
  switch (dimension) {
    case 'day': return day;
    case 'week': return `strftime('%G-W%V', ${day})`;
    case 'month': return `substr(${day}, 1, 7)`;
    case 'year': return `substr(${day}, 1, 4)`;
  }
}

function reportExpression(replica: Handle, source: Source, name: string, what: 'dimension' | 'metric'): string {
  return isTimeDimension(name) ? timeExpression(source, name) : fieldExpression(replica, source, name, what);
}

function answerReport(replica: Handle, path: RecordsPath): Array<Record<string, unknown>> {
  return reportWithTotals(replica, path, []).rows;
}

/**
 * A report path's rows in the server's shape and, aligned with them, SQL totals of numeric columns
 * of the group (`travel_time`, `travel_mileage`) over the same GROUP BY: the report engine's sums
 * extension, computed in the one query that counts, so rows and totals can never disagree.
 */
export function answerReportWithTotals(replica: Handle, path: string | RecordsPath, totals: readonly string[]): ReportWithTotals {
  let parsed: DizionsPath;
  try {
    parsed = typeof path === 'string' ? parsePath(path) : path;
  } catch (error) {
    if (error instanceof GrammarError) throw new QueryError(error.message, 400);
    throw error;
  }
  if (parsed.kind !== 'records' || !parsed.report) throw new QueryError('a report path is <group>/dimension/<dimension>[/metric/<metric>] plus filters');
  if (parsed.uploads) throw new QueryError('uploads cannot be read back through the API (only POSTed)', 405);
  return reportWithTotals(replica, parsed, totals);
}

export interface ReportWithTotals {
  rows: Array<Record<string, unknown>>;
  /** One entry per row: column → SQL total() (0 when every value is null). */
  totals: Array<Record<string, number>>;
}

function reportWithTotals(replica: Handle, path: RecordsPath, totals: readonly string[]): ReportWithTotals {
  const report = path.report!;
  if (path.fields) throw new QueryError('field/ does not apply to a report (dimension/…)');
  if (report.metric === report.dimension) throw new QueryError('a report\'s metric must differ from its dimension');
  const source = sourceFor(replica, path);
  const dimension = reportExpression(replica, source, report.dimension, 'dimension');
  const metric = report.metric === undefined ? undefined : reportExpression(replica, source, report.metric, 'metric');
  const where = buildWhere(replica, source, path.pairs);
  const resolve = resolverFor(replica, source, path.resolveIds);
  for (const column of totals) {
    if (!source.columns.has(column)) throw new QueryError(`${source.label} has no numeric column "${column}" to total`);
  }
  const select = metric ? `${dimension} AS d, ${metric} AS m` : `${dimension} AS d`;
  const sums = totals.map((column, i) => `, total(t.${quoteIdent(column)}) AS s${i}`).join('');
  const group = metric ? 'd, m' : 'd';
  const order = metric ? 'd IS NULL, d, m IS NULL, m' : 'd IS NULL, d';
  const sql = `SELECT ${select}, count(*) AS n${sums} FROM ${fromClause(source)}${whereClause(where)} GROUP BY ${group} ORDER BY ${order}`;
  const rows = replica.sqlite.prepare(sql).all(...where.params) as Array<{ d: unknown; m?: unknown; n: number } & Record<string, unknown>>;
  return {
    rows: rows.map((row) => {
      const out: Record<string, unknown> = { [report.dimension]: row.d ?? null };
      if (report.metric !== undefined) out[report.metric] = row.m ?? null;
      out.count = row.n;
      return resolve ? resolve(out) : out;
    }),
    totals: rows.map((row) => Object.fromEntries(totals.map((column, i) => [column, Number(row[`s${i}`] ?? 0)]))),
  };
}

// ---- resolveIds[] --------------------------------------------------------------------------------------------------

/** `resolveIds[]=x` replaces x's dictionary id by its name in each record; `ALL` does every dictionary field. */
function resolverFor(replica: Handle, source: Source, resolveIds: readonly string[] | undefined): ((record: ApiRecord) => ApiRecord) | undefined {
  if (!resolveIds || resolveIds.length === 0) return undefined;
  const tables = new Map<string, string>();
  for (const name of resolveIds) {
    if (name === 'ALL') {
      for (const [key, table] of Object.entries(DICTIONARY_FIELDS)) {
        if (key.startsWith(`${source.label}.`)) tables.set(key.slice(source.label.length + 1), table);
      }
      continue;
    }
    const table = source.group === 'extension_database' ? undefined : dictionaryFor(source.group, name);
    if (!table) throw new QueryError(`resolveIds[]=${name}: "${name}" is not a dictionary field of ${source.label}`);
    tables.set(name, table);
  }
  const names = new Map<string, Map<string, string>>();
  const lookup = replica.sqlite.prepare('SELECT id, name FROM dictionaries WHERE table_ref = ?');
  for (const table of new Set(tables.values())) {
    const rows = lookup.all(table) as Array<{ id: number; name: string }>;
    names.set(table, new Map(rows.map((r) => [String(r.id), r.name])));
  }
  return (record) => {
    for (const [field, table] of tables) {
      const value = record[field];
      if (value === null || value === undefined || value === '') continue;
      const name = names.get(table)?.get(String(value));
      if (name !== undefined) record[field] = name;
    }
    return record;
  };
}

// ---- selectable fields and dictionaries ------------------------------------------------------------------------------

function answerSelectableFields(replica: Handle, group: string, extensionDatabase?: string): unknown {
  const label = extensionDatabase ? `extension_database/${extensionDatabase}` : group;
  const stored = getSelectableFields(replica, label);
  if (stored !== undefined) return stored;
  if (isRecordGroup(group)) return [...GROUP_FIELDS[group]];
  if (extensionDatabase) throw new QueryError(`extension database "${extensionDatabase}" is not in the replica (unknown, or not synced yet)`, 404);
  throw new QueryError(`unknown group "${group}"`, 404);
}

function dictionaryEntries(replica: Handle, tableRef: string): DictionaryEntry[] {
  const rows = replica.sqlite.prepare('SELECT id, name, extra FROM dictionaries WHERE table_ref = ? ORDER BY id').all(tableRef) as Array<{ id: number; name: string; extra: string | null }>;
  if (rows.length === 0 && !isKnownDictionary(tableRef)) throw new QueryError(`unknown dictionary "${tableRef}"`, 404);
  return rows.map(dictionaryRowToEntry);
}

function isKnownDictionary(tableRef: string): boolean {
  return DICTIONARY_TABLES.includes(tableRef) || tableRef === 'relationships' || tableRef === 'carer_relationships';
}

/** `dictionary`: every `<group>/<table>` dictionary, keyed so (the relationship lists have their own paths). */
function answerAllDictionaries(replica: Handle): Record<string, DictionaryEntry[]> {
  const rows = replica.sqlite.prepare(`SELECT table_ref, id, name, extra FROM dictionaries WHERE instr(table_ref, '/') > 0 ORDER BY table_ref, id`)
    .all() as Array<{ table_ref: string; id: number; name: string; extra: string | null }>;
  const out: Record<string, DictionaryEntry[]> = {};
  for (const row of rows) (out[row.table_ref] ??= []).push(dictionaryRowToEntry(row));
  return out;
}
