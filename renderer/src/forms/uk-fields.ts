// Turning what was typed in a form into the API's values, recording a message against the
// control that holds a mistake: UK dates and times into `YYYY-MM-DD HH:MM:SS`, numbers, ids.

import { parseUkDate, parseUkTime } from '../format/uk-time.js';
import type { FormErrors } from '../composables/use-form-errors.js';

export const DATE_MESSAGE = 'Enter a date like 31/03/2024';
export const TIME_MESSAGE = 'Enter a time like 14:30 (24-hour clock)';

/** A UK date; records the problem against `control` and returns undefined when it is wrong. */
export function dateValue(text: string, control: string, errors: FormErrors, required: boolean): string | null | undefined {
  if (text.trim() === '') {
    if (required) errors.set(control, 'Enter a date');
    return required ? undefined : null;
  }
  const date = parseUkDate(text);
  if (!date) errors.set(control, DATE_MESSAGE);
  return date ?? undefined;
}

/** A UK date and 24-hour time as one API timestamp. */
export function timestampValue(dateText: string, timeText: string, dateControl: string, timeControl: string, errors: FormErrors): string | undefined {
  const date = dateValue(dateText, dateControl, errors, true);
  let time: string | null = null;
  if (timeText.trim() === '') errors.set(timeControl, 'Enter a time');
  else {
    time = parseUkTime(timeText);
    if (!time) errors.set(timeControl, TIME_MESSAGE);
  }
  return date && time ? `${date} ${time}` : undefined;
}

/** A non-negative number typed as text ("" → null). */
export function numberValue(text: string, control: string, errors: FormErrors): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  if (!Number.isFinite(n)) {
    errors.set(control, 'Enter a number, like 15 or 2.5');
    return undefined;
  }
  return n;
}
