// The words the XLSX and PDF exports print about a report: its definition (title, the path a
// power user can reuse against the server, filters by name) and how fresh the replica was.
// Times are shown in UK format in Europe/London, with GMT/BST, so a printed report is unambiguous.

import { SERVER_TIME_ZONE } from '../../shared/dizions/assumptions.js';
import { fieldLabel, reportTitle, type ReportFreshness, type ReportTable } from './report-table.js';

const UK_DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: SERVER_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
});

/** `03/11/2025 14:02 GMT` — the instant in UK local time. */
export function formatUkDateTime(at: Date): string {
  const parts = UK_DATE_TIME.formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

const SERVER_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

/**
 * A sync time as people read it. The API's own `YYYY-MM-DD HH:MM:SS` is already UK local time
 * (no zone), so it is only reordered; an ISO instant with a zone is converted to UK time.
 */
export function formatSyncTime(value: string | null): string {
  if (value === null || value.trim() === '') return 'never';
  const local = SERVER_LOCAL.exec(value.trim());
  if (local) return `${local[3]}/${local[2]}/${local[1]} ${local[4]}:${local[5]} (UK time)`;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? value : formatUkDateTime(at);
}

/** The freshness lines shown next to every exported table. */
export function freshnessLines(freshness: ReportFreshness): { lastSynced: string; scope: string; note: string } {
  return {
    lastSynced: formatSyncTime(freshness.lastSyncedAt),
    scope: freshness.scoped
      ? 'Scoped replica: the figures cover only the records synced to this device, not the whole organisation'
      : 'Full replica: the figures cover everything synced, as of the last sync',
    note: freshness.note,
  };
}

/** Label/value pairs describing the report, in the order both exports print them. */
export function definitionEntries(table: ReportTable, recordsMatched: number): Array<[string, string]> {
  const { definition } = table;
  const fresh = freshnessLines(table.replicaFreshness);
  const entries: Array<[string, string]> = [
    ['Title', reportTitle(definition)],
    ['Path', definition.path],
    ['Group', definition.group],
    ['Dimension', definition.dimension],
    ['Metric', definition.metric ?? '(none)'],
  ];
  if (definition.filters.length === 0) entries.push(['Filters', '(none)']);
  for (const filter of definition.filters) entries.push([`Filter: ${filter.label || fieldLabel(filter.key)}`, filter.values.join('; ')]);
  entries.push(
    ['Records matched', String(recordsMatched)],
    ['Generated at', formatUkDateTime(table.generatedAt)],
    ['Replica last synced', fresh.lastSynced],
    ['Replica scope', fresh.scope],
    ['Note', fresh.note],
  );
  return entries;
}
