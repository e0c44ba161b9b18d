// The seam between the report engine and its exports: a report result as the server shapes it
// (rows of ids plus `count`), the dictionary names to show instead of ids, and how fresh the
// replica was. toDisplayTable turns it into what people read: names, never ids; a crosstab when
// there is a metric; time in order, everything else by name, "(no value)" last.

import { isTimeDimension } from '../dizions/model.js';
import { fieldLabel } from '../field-labels.js';

export interface ReportFilter {
  key: string;
  label: string;
  /** The filter's values as people know them (dictionary names, already resolved). */
  values: string[];
}

export interface ReportDefinition {
  title?: string;
  /** The Dizions path, e.g. `clients/dimension/district/metric/gender/blue_badge_holder/Y`. */
  path: string;
  group: string;
  dimension: string;
  metric?: string;
  filters: ReportFilter[];
}

export type ReportValue = string | number | null;

export interface ReportFreshness {
  /** When the replica last synced: ISO 8601, or the API's `YYYY-MM-DD HH:MM:SS` (UK time); null if never. */
  lastSyncedAt: string | null;
  /** True when the replica holds only this worker's caseload, not the whole organisation. */
  scoped: boolean;
  /** Always shown next to the figures ("covers what was synced …"). */
  note: string;
}

export interface ReportTable {
  definition: ReportDefinition;
  /** Server-shaped rows: `{district: 3, gender: 1, count: 5}`; a null key for records with no value. */
  rows: Array<Record<string, ReportValue>>;
  /** Per column (dimension / metric): id → dictionary name. Values without a name show as they are. */
  names: Record<string, Record<string, string>>;
  /** Optional extension, aligned with rows: travel_time / travel_mileage totals. Never in the server JSON. */
  sums?: Array<Record<string, number>>;
  generatedAt: Date;
  replicaFreshness: ReportFreshness;
}

export interface DisplayColumn {
  key: string;
  label: string;
  numeric: boolean;
}

export type DisplayCell = string | number;

export interface DisplayTable {
  columns: DisplayColumn[];
  rows: DisplayCell[][];
  /** Records matched: the sum of every row's count (the server's rows add up to it). */
  total: number;
}

export const NO_VALUE = '(no value)';
export const TOTAL_LABEL = 'Total';

/** The report's title: the definition's own, or one made from its group, dimension and metric. */
export function reportTitle(definition: ReportDefinition): string {
  if (definition.title && definition.title.trim() !== '') return definition.title.trim();
  const group = fieldLabel(definition.group);
  const by = definition.metric ? `${fieldLabel(definition.dimension).toLowerCase()} and ${fieldLabel(definition.metric).toLowerCase()}` : fieldLabel(definition.dimension).toLowerCase();
  return `${group} by ${by}`;
}

/** One distinct value of a column, with the label people see. */
export interface ColumnValue {
  raw: ReportValue;
  /** Stable key of the raw value (`"null"` for the no-value row). */
  key: string;
  label: string;
}

function keyOf(raw: ReportValue): string {
  return raw === null ? 'null' : String(raw);
}

/**
 * The distinct values of `column` in display order, with labels: time dimensions chronologically
 * (their values are ISO-like strings, so text order is time order), others by name with numbers
 * in numeric order; the no-value entry last. Two ids sharing one name are told apart by their id.
 */
export function columnValues(table: ReportTable, column: string): ColumnValue[] {
  const seen = new Map<string, ReportValue>();
  for (const row of table.rows) {
    const raw = row[column] ?? null;
    const key = keyOf(raw);
    if (!seen.has(key)) seen.set(key, raw);
  }
  const names = table.names[column] ?? {};
  const values: ColumnValue[] = [...seen].map(([key, raw]) => ({ raw, key, label: raw === null ? NO_VALUE : (names[key] ?? key) }));

  const byLabel = new Map<string, number>();
  for (const v of values) byLabel.set(v.label, (byLabel.get(v.label) ?? 0) + 1);
  for (const v of values) if (v.raw !== null && (byLabel.get(v.label) ?? 0) > 1 && v.label !== v.key) v.label = `${v.label} (#${v.key})`;

  const collator = new Intl.Collator('en-GB', { numeric: true, sensitivity: 'base' });
  const time = isTimeDimension(column);
  return values.sort((a, b) => {
    if (a.raw === null || b.raw === null) return a.raw === null ? (b.raw === null ? 0 : 1) : -1;
    if (time) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return collator.compare(a.label, b.label) || collator.compare(a.key, b.key);
  });
}

/** The sum keys present (travel_time, travel_mileage …), in the order first seen. */
export function sumKeys(table: ReportTable): string[] {
  const keys: string[] = [];
  for (const sums of table.sums ?? []) for (const key of Object.keys(sums)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

function rowCount(row: Record<string, ReportValue>): number {
  const count = row.count;
  return typeof count === 'number' ? count : Number(count ?? 0) || 0;
}

/** Sums come from SQL over decimals: keep two places so 0.1 + 0.2 reads 0.3. */
function roundSum(value: number): number {
  return Math.round(value * 100) / 100;
}

function grandTotal(table: ReportTable): number {
  return table.rows.reduce((sum, row) => sum + rowCount(row), 0);
}

/** One row per server row: dimension, (metric), count, (sums); ordered by dimension then metric. */
export function toLongTable(table: ReportTable): DisplayTable {
  const { dimension, metric } = table.definition;
  const keys = sumKeys(table);
  const columns: DisplayColumn[] = [{ key: dimension, label: fieldLabel(dimension), numeric: false }];
  if (metric) columns.push({ key: metric, label: fieldLabel(metric), numeric: false });
  columns.push({ key: 'count', label: 'Count', numeric: true });
  for (const key of keys) columns.push({ key, label: fieldLabel(key), numeric: true });

  const dims = columnValues(table, dimension);
  const mets = metric ? columnValues(table, metric) : [];
  const dimPos = new Map(dims.map((v, i) => [v.key, i]));
  const metPos = new Map(mets.map((v, i) => [v.key, i]));

  const indexed = table.rows.map((row, i) => ({
    row,
    sums: table.sums?.[i] ?? {},
    dim: dimPos.get(keyOf(row[dimension] ?? null))!,
    met: metric ? metPos.get(keyOf(row[metric] ?? null))! : 0,
  }));
  indexed.sort((a, b) => a.dim - b.dim || a.met - b.met);

  const rows = indexed.map(({ row, sums, dim, met }) => {
    const cells: DisplayCell[] = [dims[dim]!.label];
    if (metric) cells.push(mets[met]!.label);
    cells.push(rowCount(row));
    for (const key of keys) cells.push(roundSum(sums[key] ?? 0));
    return cells;
  });
  return { columns, rows, total: grandTotal(table) };
}

/**
 * Dimension rows × metric columns, each cell a count (0 where the server had no row), then a
 * Total column; sums (when present) are totalled per dimension row after it.
 */
export function toCrosstab(table: ReportTable): DisplayTable {
  const { dimension, metric } = table.definition;
  if (!metric) throw new Error('a crosstab needs a metric; this report has only a dimension');
  const dims = columnValues(table, dimension);
  const mets = columnValues(table, metric);
  const keys = sumKeys(table);

  const columns: DisplayColumn[] = [
    { key: dimension, label: fieldLabel(dimension), numeric: false },
    ...mets.map((m) => ({ key: `${metric}:${m.key}`, label: m.label, numeric: true })),
    { key: 'total', label: TOTAL_LABEL, numeric: true },
    ...keys.map((key) => ({ key, label: fieldLabel(key), numeric: true })),
  ];

  const dimIndex = new Map(dims.map((d, i) => [d.key, i]));
  const metIndex = new Map(mets.map((m, i) => [m.key, i]));
  const counts = dims.map(() => mets.map(() => 0));
  const sums = dims.map(() => keys.map(() => 0));
  table.rows.forEach((row, i) => {
    const d = dimIndex.get(keyOf(row[dimension] ?? null))!;
    const m = metIndex.get(keyOf(row[metric] ?? null))!;
    counts[d]![m]! += rowCount(row);
    const rowSums = table.sums?.[i] ?? {};
    keys.forEach((key, k) => (sums[d]![k]! += rowSums[key] ?? 0));
  });

  const rows = dims.map((d, i) => {
    const line = counts[i]!;
    return [d.label, ...line, line.reduce((a, b) => a + b, 0), ...sums[i]!.map(roundSum)];
  });
  return { columns, rows, total: grandTotal(table) };
}

/** What the views and exports show: the crosstab when there is a metric, else the long form. */
export function toDisplayTable(table: ReportTable): DisplayTable {
  return table.definition.metric ? toCrosstab(table) : toLongTable(table);
}
