// Dates and times as people in the UK read and type them (31/03/2024, 14:30), always in
// Europe/London. The API's own `YYYY-MM-DD HH:MM:SS` values are already UK local time, so they are
// reformatted as text, never passed through Date (which would apply the machine's time zone).

import { formatServerTimestamp } from '../../../shared/dizions/assumptions.js';
import { UK_DATE_TIME_OPTIONS } from '../../../shared/uk-clock.js';

const API_DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const API_TIME = /^\d{4}-\d{2}-\d{2}[ T](\d{2}):(\d{2})/;

/** `2024-03-31` or `2024-03-31 14:30:00` → `31/03/2024`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const m = API_DATE.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

/** `2024-03-31 14:30:00` → `14:30`. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '';
  const m = API_TIME.exec(value);
  return m ? `${m[1]}:${m[2]}` : '';
}

/** `2024-03-31 14:30:00` → `31/03/2024 14:30`. */
export function formatTimestamp(value: string | null | undefined): string {
  if (!value) return '';
  const time = formatTime(value);
  return time ? `${formatDate(value)} ${time}` : formatDate(value);
}

const instantFormat = new Intl.DateTimeFormat('en-GB', UK_DATE_TIME_OPTIONS);

/** An ISO 8601 instant (sync times, outbox entries) in UK time: `31/03/2024, 14:30`. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : instantFormat.format(at);
}

/** Now, as the API writes it: `YYYY-MM-DD HH:MM:SS` in UK time. */
export function nowInLondon(at: Date = new Date()): string {
  return formatServerTimestamp(at);
}

/** Today's date in UK time, `YYYY-MM-DD`. */
export function todayInLondon(at: Date = new Date()): string {
  return nowInLondon(at).slice(0, 10);
}

/** Adds whole days to a `YYYY-MM-DD` date (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d + days));
  return at.toISOString().slice(0, 10);
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** `2024-03-31` → `Sunday 31 March 2024`. */
export function formatLongDay(date: string): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number) as [number, number, number];
  return dayFormat.format(new Date(Date.UTC(y, m - 1, d))).replace(',', '');
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const at = new Date(Date.UTC(y, m - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d && y >= 1900 && y <= 2200;
}

/** What a person typed as a UK date (`31/3/2024`, `31-03-2024`, `31.03.2024`) → `2024-03-31`, or null. */
export function parseUkDate(text: string): string | null {
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isCalendarDate(y, mo, d)) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A 24-hour time (`9:05`, `14:30`, `1430`) → `HH:MM:00`, or null. */
export function parseUkTime(text: string): string | null {
  const m = /^\s*(\d{1,2})[:.]?(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return null;
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}:00`;
}

export const UK_DATE_HINT = 'dd/mm/yyyy';
export const UK_TIME_HINT = '24-hour, hh:mm';
