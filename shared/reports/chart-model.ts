// What a report's chart shows, before any drawing: a bar chart for a dimension alone, stacked
// bars for dimension × metric, lines for time dimensions (gaps filled with 0, "(no value)" left
// out since it has no place in time). Only the largest bars and series are drawn apart (the rest
// of the series fold into "Other"); a note says what was left out, and the table has it all.

import { isTimeDimension } from '../dizions/model.js';
import { fieldLabel } from '../field-labels.js';
import { columnValues, reportTitle, type ColumnValue, type ReportTable, type ReportValue } from './report-table.js';

export type ChartKind = 'bar' | 'stacked-bar' | 'line';

export interface ChartSeries {
  name: string;
  colour: string;
  /** One value per category. */
  values: number[];
}

export interface ChartModel {
  kind: ChartKind;
  title: string;
  /** A sentence or two for screen readers and the SVG `<desc>`. */
  description: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  series: ChartSeries[];
  /** What the chart leaves out (undated records, the long tail), shown under the title. */
  note?: string;
}

export interface ChartModelOptions {
  /** At most this many bars, the largest (default 30); the note says so. Lines show every point. */
  maxCategories?: number;
  /** Metric values beyond this many fold into one "Other" series (default 8). */
  maxSeries?: number;
}

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#332288'];
export const NO_VALUE_COLOUR = '#999999';
export const OTHER_COLOUR = '#666666';
const OTHER = 'Other';

/** Consecutive time keys from `first` to `last` inclusive, or undefined if they are not well-formed. */
export function timeRange(dimension: string, first: string, last: string, limit = 2000): string[] | undefined {
  const out: string[] = [];
  let key: string | undefined = first;
  while (key !== undefined && key <= last && out.length <= limit) {
    out.push(key);
    key = nextTimeKey(dimension, key);
  }
  return key === undefined || out.length > limit || out[out.length - 1] !== last ? undefined : out;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function nextTimeKey(dimension: string, key: string): string | undefined {
  if (dimension === 'year') return /^\d{4}$/.test(key) ? String(Number(key) + 1) : undefined;
  if (dimension === 'month') {
    const m = /^(\d{4})-(\d{2})$/.exec(key);
    if (!m) return undefined;
    const month = Number(m[2]);
    return month === 12 ? `${Number(m[1]) + 1}-01` : `${m[1]}-${pad(month + 1)}`;
  }
  if (dimension === 'day') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(key)) return undefined;
    const at = new Date(`${key}T00:00:00Z`);
    at.setUTCDate(at.getUTCDate() + 1);
    return at.toISOString().slice(0, 10);
  }
  if (dimension === 'week') {
    const m = /^(\d{4})-W(\d{2})$/.exec(key);
    if (!m) return undefined;
    const monday = isoWeekMonday(Number(m[1]), Number(m[2]));
    monday.setUTCDate(monday.getUTCDate() + 7);
    return isoWeekKey(monday);
  }
  return undefined;
}

function isoWeekMonday(year: number, week: number): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4);
  monday.setUTCDate(jan4.getUTCDate() - ((jan4.getUTCDay() + 6) % 7) + (week - 1) * 7);
  return monday;
}

function isoWeekKey(date: Date): string {
  // The ISO week belongs to the year of its Thursday, and week 1's Thursday falls in 1–7 January.
  const thursday = new Date(date);
  thursday.setUTCDate(date.getUTCDate() + 3 - ((date.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const dayOfYear = Math.round((thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000);
  return `${year}-W${pad(1 + Math.floor(dayOfYear / 7))}`;
}

function keyOf(raw: ReportValue): string {
  return raw === null ? 'null' : String(raw);
}

/** Counts per (dimension key, metric key). */
function countGrid(table: ReportTable): Map<string, Map<string, number>> {
  const { dimension, metric } = table.definition;
  const grid = new Map<string, Map<string, number>>();
  for (const row of table.rows) {
    const d = keyOf(row[dimension] ?? null);
    const m = metric ? keyOf(row[metric] ?? null) : 'count';
    const inner = grid.get(d) ?? new Map<string, number>();
    inner.set(m, (inner.get(m) ?? 0) + (Number(row.count) || 0));
    grid.set(d, inner);
  }
  return grid;
}

function describe(kind: ChartKind, title: string, categories: string[], series: ChartSeries[], notes: string[]): string {
  const what = kind === 'line' ? 'Line chart' : kind === 'stacked-bar' ? 'Stacked bar chart' : 'Bar chart';
  if (categories.length === 0) return `${what} of ${title}: no records matched.`;
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const shown = categories
    .slice(0, 12)
    .map((c, i) => `${c} ${totals[i]}`)
    .join(', ');
  const more = categories.length > 12 ? `, and ${categories.length - 12} more` : '';
  const parts = series.length > 1 ? ` Series: ${series.map((s) => s.name).join(', ')}.` : '';
  return [`${what} of ${title}. ${shown}${more}.${parts}`, ...notes].join(' ');
}

export function chartModelFor(table: ReportTable, options: ChartModelOptions = {}): ChartModel {
  const { dimension, metric } = table.definition;
  const maxCategories = Math.max(2, options.maxCategories ?? 30);
  const maxSeries = Math.max(2, options.maxSeries ?? 8);
  const grid = countGrid(table);
  const time = isTimeDimension(dimension);
  const kind: ChartKind = time ? 'line' : metric ? 'stacked-bar' : 'bar';
  const notes: string[] = [];

  // Categories (x axis), as [label, dimension keys folded into it].
  let dims: ColumnValue[] = columnValues(table, dimension);
  if (time) {
    const noDate = dims.filter((d) => d.raw === null);
    dims = dims.filter((d) => d.raw !== null);
    const first = dims[0];
    const last = dims[dims.length - 1];
    const filled = first && last ? timeRange(dimension, first.key, last.key) : undefined;
    // Only fill when every key sits on the sequence; malformed keys keep the chart as given.
    if (filled && dims.every((d) => filled.includes(d.key))) dims = filled.map((key) => dims.find((d) => d.key === key) ?? { raw: key, key, label: key });
    const undated = noDate.reduce((sum, d) => sum + [...(grid.get(d.key)?.values() ?? [])].reduce((a, b) => a + b, 0), 0);
    if (undated > 0) notes.push(`${undated} record${undated === 1 ? '' : 's'} with no ${dimension} not shown.`);
  }
  let categories: Array<{ label: string; keys: string[] }> = dims.map((d) => ({ label: d.label, keys: [d.key] }));
  const categoryTotal = (keys: string[]) => keys.reduce((sum, k) => sum + [...(grid.get(k)?.values() ?? [])].reduce((a, b) => a + b, 0), 0);
  if (!time && categories.length > maxCategories) {
    // Show the largest bars in their usual order; one "Other" bar would dwarf them all.
    const ranked = [...categories].sort((a, b) => categoryTotal(b.keys) - categoryTotal(a.keys));
    const kept = new Set(ranked.slice(0, maxCategories));
    notes.push(`Showing the ${maxCategories} largest of ${categories.length} ${fieldLabel(dimension).toLowerCase()} values; the table lists them all.`);
    categories = categories.filter((c) => kept.has(c));
  }

  // Series (stacks or lines), as [name, metric keys folded into it].
  let seriesKeys: Array<{ name: string; keys: string[]; colour?: string }>;
  if (metric) {
    const mets = columnValues(table, metric);
    seriesKeys = mets.map((m) => ({ name: m.label, keys: [m.key], ...(m.raw === null ? { colour: NO_VALUE_COLOUR } : {}) }));
    if (seriesKeys.length > maxSeries) {
      const metricTotal = (keys: string[]) => [...grid.values()].reduce((sum, inner) => sum + keys.reduce((s, k) => s + (inner.get(k) ?? 0), 0), 0);
      const ranked = [...seriesKeys].sort((a, b) => metricTotal(b.keys) - metricTotal(a.keys));
      const kept = new Set(ranked.slice(0, maxSeries - 1));
      const folded = seriesKeys.filter((s) => !kept.has(s));
      seriesKeys = [...seriesKeys.filter((s) => kept.has(s)), { name: `${OTHER} (${folded.length})`, keys: folded.flatMap((s) => s.keys), colour: OTHER_COLOUR }];
    }
  } else {
    seriesKeys = [{ name: 'Count', keys: ['count'] }];
  }

  let paletteIndex = 0;
  const series: ChartSeries[] = seriesKeys.map((s) => ({
    name: s.name,
    colour: s.colour ?? PALETTE[paletteIndex++ % PALETTE.length]!,
    values: categories.map((c) => c.keys.reduce((sum, d) => sum + s.keys.reduce((acc, m) => acc + (grid.get(d)?.get(m) ?? 0), 0), 0)),
  }));

  const title = reportTitle(table.definition);
  const labels = categories.map((c) => c.label);
  return {
    kind,
    title,
    description: describe(kind, title, labels, series, notes),
    ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
    xLabel: fieldLabel(dimension),
    yLabel: 'Count',
    categories: labels,
    series,
  };
}
