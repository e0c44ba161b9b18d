// @vitest-environment happy-dom
// What a field worker types in the renderer's date and time boxes, read the UK way (day first,
// 24-hour clock) into the API's values — and the message set against the box when it cannot be.
import { describe, expect, it } from 'vitest';
import { useFormErrors } from '../../renderer/src/composables/use-form-errors.js';
import { formatDate, formatLongDay, parseUkDate, parseUkTime } from '../../renderer/src/format/uk-time.js';
import { DATE_MESSAGE, TIME_MESSAGE, dateValue, numberValue, timestampValue } from '../../renderer/src/forms/uk-fields.js';

describe('UK dates', () => {
  it('reads day first, with slashes, dots or dashes and with or without leading zeros', () => {
    expect(parseUkDate('31/03/2024')).toBe('2024-03-31');
    expect(parseUkDate('1/4/2024')).toBe('2024-04-01');
    expect(parseUkDate(' 05.11.2023 ')).toBe('2023-11-05');
    expect(parseUkDate('29-02-2024')).toBe('2024-02-29');
  });

  it('refuses dates that are not on the calendar or not written the UK way', () => {
    for (const text of ['31/04/2024', '29/02/2023', '2024-03-31', '03/31/2024', '31/03/24', '', 'tomorrow']) expect(parseUkDate(text), text).toBeNull();
  });

  it('shows API dates the UK way, long days with their weekday', () => {
    expect(formatDate('2024-03-31')).toBe('31/03/2024');
    expect(formatLongDay('2024-03-31')).toBe('Sunday 31 March 2024');
  });
});

describe('24-hour times', () => {
  it('reads 9:05, 14:30 and 1430 as seconds-precise API times', () => {
    expect(parseUkTime('9:05')).toBe('09:05:00');
    expect(parseUkTime('14:30')).toBe('14:30:00');
    expect(parseUkTime('1430')).toBe('14:30:00');
  });

  it('refuses hours and minutes out of range and 12-hour times', () => {
    for (const text of ['24:00', '12:60', '2:30pm', '2', '']) expect(parseUkTime(text), text).toBeNull();
  });
});

describe('a form turning typed text into API values', () => {
  const form = () => useFormErrors({ start_date: 'Start date', start_time: 'Start time', travel_time: 'Travel time' });

  it('joins a UK date and time into one API timestamp', () => {
    const errors = form();
    expect(timestampValue('31/3/2024', '9:05', 'start_date', 'start_time', errors)).toBe('2024-03-31 09:05:00');
    expect(errors.any()).toBe(false);
  });

  it('puts each mistake against its own box, with a message that shows the right form', () => {
    const errors = form();
    expect(timestampValue('31/02/2024', '25:00', 'start_date', 'start_time', errors)).toBeUndefined();
    expect(errors.errors).toEqual({ start_date: DATE_MESSAGE, start_time: TIME_MESSAGE });
    expect(errors.problems.value.map((p) => p.label)).toEqual(['Start date', 'Start time']);
  });

  it('asks for a required date, and leaves an optional one empty', () => {
    const errors = form();
    expect(dateValue('', 'start_date', errors, false)).toBeNull();
    expect(errors.any()).toBe(false);
    expect(dateValue('  ', 'start_date', errors, true)).toBeUndefined();
    expect(errors.errors.start_date).toBe('Enter a date');
  });

  it('reads numbers, empty as no value, words as a mistake', () => {
    const errors = form();
    expect(numberValue('2.5', 'travel_time', errors)).toBe(2.5);
    expect(numberValue('', 'travel_time', errors)).toBeNull();
    expect(errors.any()).toBe(false);
    expect(numberValue('half an hour', 'travel_time', errors)).toBeUndefined();
    expect(errors.errors.travel_time).toMatch(/Enter a number/);
  });
});
