// The same language, answered offline: a GET path of the Dizions grammar (shared/url-grammar.ts)
// answered from the replica in the JSON shape the server returns (assumptions table in
// shared/dizions-api.md). Filters, joins and value checks live in query-source.ts; this module
// shapes records (field/, resolveIds[]), reports (GROUP BY with a null row) and dictionaries.
// Without field/, a record is returned as synced (sync asks for every selectable field): a superset
// of the server's default fields. Anything the server would refuse is a QueryError, never a guess.

import type { DictionaryEntry } from '../../shared/dizions/assumptions.js';
import { DICTIONARY_FIELDS, DICTIONARY_TABLES, GROUP_FIELDS, dictionaryFor, isRecordGroup, isTimeDimension, type TimeDimension } from '../../shared/dizions/model.js';
import { GrammarError, parsePath, type DizionsPath, type RecordsPath } from '../../shared/url-grammar.js';
import { QueryError, buildWhere, datePrefixExpression, dayExpression, fieldRead, fromClause, sourceFor, whereClause, type Handle, type Source } from './query-source.js';
import { dictionaryRowToEntry, getSelectableFields, type ApiRecord } from './records.js';

export { QueryError } from './query-source.js';

/** A path as the grammar reads it; a path it refuses is the server's 400. */
function parsedPath(path: string | DizionsPath): DizionsPath {
  try {
    return typeof path === 'string' ? parsePath(path) : path;
  } catch (error) {
    if (error instanceof GrammarError) throw new QueryError(error.message, 400);
    throw error;
  }
}

/** Answers a GET path (string or parsed) from the replica, in the server's JSON shape. */
export function answerPath(replica: Handle, path: string | DizionsPath): unknown {
  const parsed = parsedPath(path);
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

// ---- records ------------------------------------------------------------------------------------------------

function answerRecords(replica: Handle, path: RecordsPath): ApiRecord[] {
  const source = sourceFor(replica, path);
  const where = buildWhere(replica, source, path.pairs);
  const fields = path.fields ? [...new Set(path.fields)] : undefined;
  if (fields) for (const field of fields) fieldRead(replica, source, field, 'field');
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

/** A time dimension's bucket: day `YYYY-MM-DD`, ISO week `YYYY-Www`, month `YYYY-MM`, year `YYYY`. */
function timeExpression(replica: Handle, source: Source, dimension: TimeDimension): string {
  const day = dayExpression(replica, source, dimension);
  switch (dimension) {
    case 'day':
      return day;
    case 'week':
      return `strftime('%G-W%V', ${day})`;
    case 'month':
      return datePrefixExpression(source, dimension, 7);
    case 'year':
      return datePrefixExpression(source, dimension, 4);
  }
}

function axisExpression(replica: Handle, source: Source, name: string, role: 'dimension' | 'metric'): string {
  return isTimeDimension(name) ? timeExpression(replica, source, name) : fieldRead(replica, source, name, role).sql;
}

/** `[{<dimension>: value, [<metric>: value,] count}]`, ordered by value (null first); the counts add up to the records matched. */
function answerReport(replica: Handle, path: RecordsPath): Array<Record<string, unknown>> {
  return reportWithTotals(replica, path, []).rows;
}

export interface ReportWithTotals {
  rows: Array<Record<string, unknown>>;
  /** One entry per row: column → SQL total() over the row's records (0 when every value is null). */
  totals: Array<Record<string, number>>;
}

/**
 * A report path's rows in the server's shape and, aligned with them, SQL totals of numeric columns
 * of the group (`travel_time`, `travel_mileage`) over the same GROUP BY: the report engine's sums
 * extension (main/reports/engine.ts), computed in the one query that counts, so they cannot disagree.
 */
export function answerReportWithTotals(replica: Handle, path: string | RecordsPath, totals: readonly string[]): ReportWithTotals {
  const parsed = parsedPath(path);
  if (parsed.kind !== 'records' || !parsed.report) throw new QueryError('a report path is <group>/dimension/<dimension>[/metric/<metric>] plus filters');
  if (parsed.uploads) throw new QueryError('uploads cannot be read back through the API (only POSTed)', 405);
  return reportWithTotals(replica, parsed, totals);
}

function reportWithTotals(replica: Handle, path: RecordsPath, totals: readonly string[]): ReportWithTotals {
  const { dimension, metric } = path.report!;
  if (path.fields) throw new QueryError('field/ cannot be combined with dimension/: a report returns its dimension, metric and count');
  if (metric === dimension) throw new QueryError(`metric "${metric}" must differ from the dimension`);
  const source = sourceFor(replica, path);
  const axes = [dimension, ...(metric === undefined ? [] : [metric])];
  const expressions = axes.map((name, i) => axisExpression(replica, source, name, i === 0 ? 'dimension' : 'metric'));
  const where = buildWhere(replica, source, path.pairs);
  const resolve = resolverFor(replica, source, path.resolveIds);
  for (const column of totals) {
    if (!source.columns.has(column)) throw new QueryError(`${source.label} has no numeric column "${column}" to total`);
  }
  const select = expressions.map((e, i) => `${e} AS a${i}`).join(', ');
  const sums = totals.map((column, i) => `, total(t."${column}") AS s${i}`).join('');
  const groupBy = expressions.map((_, i) => String(i + 1)).join(', ');
  const sql = `SELECT ${select}, count(*) AS n${sums} FROM ${fromClause(source)}${whereClause(where)} GROUP BY ${groupBy} ORDER BY ${groupBy}`;
  // Arrays, not objects, from SQLite, and one object per row built here: a month × user report of a
  // whole organisation has ~100,000 rows, and every allocation per row shows.
  const rows = replica.sqlite
    .prepare(sql)
    .raw(true)
    .all(...where.params) as unknown[][];
  const n = axes.length;
  const [dimensionName, metricName] = axes as [string, string | undefined];
  const shaped: Array<Record<string, unknown>> = new Array(rows.length);
  const totalled: Array<Record<string, number>> = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const out: Record<string, unknown> =
      metricName === undefined ? { [dimensionName]: row[0] ?? null, count: row[1] } : { [dimensionName]: row[0] ?? null, [metricName]: row[1] ?? null, count: row[2] };
    shaped[r] = resolve ? resolve(out) : out;
    const sums: Record<string, number> = {};
    for (let i = 0; i < totals.length; i++) sums[totals[i]!] = Number(row[n + 1 + i] ?? 0);
    totalled[r] = sums;
  }
  return { rows: shaped, totals: totalled };
}

// ---- resolveIds[] --------------------------------------------------------------------------------------------------

const RELATIONSHIP_DETAILS = 'relationship_details';
const RELATION_KEYS: Record<string, string> = {
  relationship_first_to_second: 'relationships',
  relationship_second_to_first: 'relationships',
  relationship_first_to_second_carer: 'carer_relationships',
  relationship_second_to_first_carer: 'carer_relationships',
};

/**
 * `resolveIds[]=x` replaces x's dictionary id by its name in each record (unknown ids stay);
 * `ALL` does every dictionary field; a client's relationship_details resolve their relationship ids.
 */
function resolverFor(replica: Handle, source: Source, resolveIds: readonly string[] | undefined): ((record: ApiRecord) => ApiRecord) | undefined {
  if (!resolveIds || resolveIds.length === 0) return undefined;
  const tables = new Map<string, string>();
  let relationships = false;
  for (const name of resolveIds) {
    if (name === 'ALL') {
      for (const [key, table] of Object.entries(DICTIONARY_FIELDS)) {
        if (key.startsWith(`${source.label}.`)) tables.set(key.slice(source.label.length + 1), table);
      }
      relationships ||= source.group === 'clients';
    } else if (name === RELATIONSHIP_DETAILS && source.group === 'clients') {
      relationships = true;
    } else {
      const table = source.group === 'extension_database' ? undefined : dictionaryFor(source.group, name);
      if (!table) throw new QueryError(`resolveIds: "${name}" is not a dictionary field of ${source.label}`);
      tables.set(name, table);
    }
  }
  const lookup = replica.sqlite.prepare('SELECT id, name FROM dictionaries WHERE table_ref = ?');
  const names = new Map<string, Map<string, string>>();
  const load = (table: string) => {
    if (!names.has(table)) names.set(table, new Map((lookup.all(table) as Array<{ id: number; name: string }>).map((r) => [String(r.id), r.name])));
    return names.get(table)!;
  };
  const nameOf = (table: string, value: unknown) => {
    if (value === null || value === undefined || value === '' || typeof value === 'object') return value;
    return load(table).get(String(value)) ?? value;
  };
  return (record) => {
    for (const [field, table] of tables) if (field in record) record[field] = nameOf(table, record[field]);
    const details = record[RELATIONSHIP_DETAILS];
    if (relationships && Array.isArray(details)) {
      record[RELATIONSHIP_DETAILS] = details.map((entry: unknown) => {
        if (!entry || typeof entry !== 'object') return entry;
        const copy = { ...(entry as Record<string, unknown>) };
        for (const [key, table] of Object.entries(RELATION_KEYS)) if (key in copy) copy[key] = nameOf(table, copy[key]);
        return copy;
      });
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
  const rows = replica.sqlite.prepare(`SELECT table_ref, id, name, extra FROM dictionaries WHERE instr(table_ref, '/') > 0 ORDER BY table_ref, id`).all() as Array<{
    table_ref: string;
    id: number;
    name: string;
    extra: string | null;
  }>;
  const out: Record<string, DictionaryEntry[]> = {};
  for (const row of rows) (out[row.table_ref] ??= []).push(dictionaryRowToEntry(row));
  return out;
}
