// Calendar arithmetic on the server's wall-clock strings, and the clock behind `updated`.
// Dates and timestamps are UK local wall-clock strings (assumptions.ts); arithmetic here treats
// them as naive (no zone), which is what the server's text does. The `updated` clock never goes
// backwards and always moves a record's value forward, so a change is always visible to sync.

import { DATE_PATTERN, TIMESTAMP_PATTERN, formatServerTimestamp } from '../../shared/dizions/assumptions.js';

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` string. */
export function dayNumber(date: string): number {
  return Math.floor(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY);
}

const dayCache = new Map<number, string>();
/** `YYYY-MM-DD` of a day number (cached: the generator formats millions of dates over a few thousand days). */
export function dateOfDay(day: number): string {
  let text = dayCache.get(day);
  if (text === undefined) {
    text = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    dayCache.set(day, text);
  }
  return text;
}

export function addDays(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/** The UK calendar date of an instant. */
export function ukToday(now: Date): string {
  return formatServerTimestamp(now).slice(0, 10);
}

export function isValidDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  return dateOfDay(dayNumber(value)) === value;
}

export function isValidTimestamp(value: string): boolean {
  if (!TIMESTAMP_PATTERN.test(value)) return false;
  if (!isValidDate(value.slice(0, 10))) return false;
  const [h, m, s] = value.slice(11).split(':').map(Number);
  return h! < 24 && m! < 60 && s! < 60;
}

/** Adds seconds to a `YYYY-MM-DD HH:MM:SS` string (naive wall clock). */
export function addSeconds(timestamp: string, seconds: number): string {
  const ms =
    Date.UTC(
      Number(timestamp.slice(0, 4)),
      Number(timestamp.slice(5, 7)) - 1,
      Number(timestamp.slice(8, 10)),
      Number(timestamp.slice(11, 13)),
      Number(timestamp.slice(14, 16)),
      Number(timestamp.slice(17, 19)),
    ) +
    seconds * 1000;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `HH:MM:SS` for a number of minutes after midnight. */
export function clockTime(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
}

/**
 * Issues `updated` values: the server's wall clock, but never earlier than a value already issued,
 * and always later than the record's previous value (so two changes of one record within the same
 * second still differ; the resolution is one second, and a burst may run a few seconds ahead).
 */
export class UpdatedClock {
  constructor(
    private readonly now: () => Date,
    private last: string,
  ) {}

  next(previous?: string | null): string {
    let stamp = formatServerTimestamp(this.now());
    if (stamp < this.last) stamp = this.last;
    if (previous && stamp <= previous) stamp = addSeconds(previous, 1);
    if (stamp > this.last) this.last = stamp;
    return stamp;
  }
}
