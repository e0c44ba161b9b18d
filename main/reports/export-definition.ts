// The words the XLSX and PDF exports print about a report: its definition (title, the path a
// power user can reuse against the server, filters by name) and how fresh the replica was.
// Times are shown in UK format in Europe/London, with GMT/BST, so a printed report is unambiguous.

import { fieldLabel } from '../../shared/field-labels.js';
import { reportTitle, type ReportFreshness, type ReportTable } from '../../shared/reports/report-table.js';
import { UK_DATE_TIME_OPTIONS } from '../../shared/uk-clock.js';

const UK_DATE_TIME = new Intl.DateTimeFormat('en-GB', { ...UK_DATE_TIME_OPTIONS, timeZoneName: 'short' });

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

/** The instant a sync time names (the API's zone-less form read as UK local time), if it parses. */
export function parseSyncTime(value: string | null): Date | undefined {
  if (value === null) return undefined;
  const local = SERVER_LOCAL.exec(value.trim());
  if (local) {
    const wall = Date.UTC(Number(local[1]), Number(local[2]) - 1, Number(local[3]), Number(local[4]), Number(local[5]));
    // London is UTC+0 or UTC+1: the offset at that wall-clock time, read back through Intl.
    const parts = UK_DATE_TIME.formatToParts(new Date(wall));
    const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? local[4]);
    const offsetHours = (hour - Number(local[4]) + 24) % 24;
    return new Date(wall - offsetHours * 3_600_000);
  }
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

const HOUR = 3_600_000;

/** How long before the report the replica last synced, with a warning past a day. */
export function syncAge(lastSyncedAt: string | null, generatedAt: Date): string | undefined {
  const synced = parseSyncTime(lastSyncedAt);
  if (!synced) return undefined;
  const ms = generatedAt.getTime() - synced.getTime();
  if (ms < 0) return undefined;
  if (ms < HOUR) return 'less than an hour before this report was made';
  const hours = Math.floor(ms / HOUR);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} before this report was made${hours >= 24 ? ': changes since then are not included' : ''}`;
  return `${Math.floor(hours / 24)} days before this report was made: changes since then are not included`;
}

export interface FreshnessLines {
  lastSynced: string;
  /** E.g. "3 days before this report was made: …"; absent when the sync time is unknown. */
  age?: string;
  scope: string;
  note: string;
}

/** The freshness lines shown next to every exported table. */
export function freshnessLines(freshness: ReportFreshness, generatedAt?: Date): FreshnessLines {
  const age = generatedAt ? syncAge(freshness.lastSyncedAt, generatedAt) : undefined;
  return {
    lastSynced: formatSyncTime(freshness.lastSyncedAt),
    ...(age ? { age } : {}),
    scope: freshness.scoped
      ? 'Scoped replica: the figures cover only the records synced to this device, not the whole organisation'
      : 'Full replica: the figures cover everything synced, as of the last sync',
    note: freshness.note,
  };
}

/** Label/value pairs describing the report, in the order both exports print them. */
export function definitionEntries(table: ReportTable, recordsMatched: number): Array<[string, string]> {
  const { definition } = table;
  const fresh = freshnessLines(table.replicaFreshness, table.generatedAt);
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
    ['Replica age', fresh.age ?? 'unknown'],
    ['Replica scope', fresh.scope],
    ['Note', fresh.note],
  );
  return entries;
}
