// The zod schema of one field value in an edit, by the field's kind (model.ts and
// shared/dizions/schemas.ts say which kind): ids, temp-id references, Y/N flags, calendar dates,
// timestamps, numbers, dictionary ids, visibility lists, text. Values arrive as form text (the
// CLI) or numbers (the UI) and leave as the text the API receives; "" and null clear a field.

import { z } from 'zod';
import { DATE_PATTERN, TIMESTAMP_PATTERN } from '../dizions/assumptions.js';
import { fieldKind } from '../dizions/schemas.js';

export type EditValue = string | number | null;

export type EditFieldKind = 'id' | 'reference' | 'flag' | 'date' | 'timestamp' | 'number' | 'whole' | 'dictionary' | 'relationship' | 'carer_relationship' | 'id_list' | 'text';

/** Fields whose value names a record of another family; a temp id (negative) may stand there. */
export const REFERENCE_FAMILIES: Record<string, 'clients' | 'referrals'> = {
  client: 'clients',
  referral: 'referrals',
  id_second: 'clients',
};

export function editFieldKind(group: string, field: string): EditFieldKind {
  if (field in REFERENCE_FAMILIES) return 'reference';
  // Relationship values, in the seed's names and the current manual's (the neutral ones).
  if (field === 'relationship_first_to_second' || field === 'relationship_second_to_first' || field === 'relation_first_to_second' || field === 'relation_second_to_first') return 'relationship';
  if (field === 'relationship_first_to_second_carer' || field === 'relationship_second_to_first_carer' || field === 'carer_relation_first_to_second' || field === 'carer_relation_second_to_first')
    return 'carer_relationship';
  if (field === 'major' || field === 'send_one_letter_to_both') return 'flag';
  if (field === 'user_visibility' || field === 'group_visibility') return 'id_list';
  if (field === 'org_type_id') return 'text';
  if (field === 'people_in_household') return 'whole';
  if (/^date_\d+$/.test(field)) return 'date';
  const kind = fieldKind(group === 'external_referral' ? 'clients' : group, field);
  switch (kind) {
    case 'id':
      return 'id';
    case 'flag':
      return 'flag';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
    case 'number':
      return 'number';
    case 'dictionary':
      return 'dictionary';
    default:
      return 'text';
  }
}

/** A real calendar day (2023-02-30 is refused, not rolled over). */
export function isCalendarDate(text: string): boolean {
  if (!DATE_PATTERN.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d && y >= 1850;
}

export function isTimestamp(text: string): boolean {
  if (!TIMESTAMP_PATTERN.test(text)) return false;
  const [date, time] = text.split(' ') as [string, string];
  const [h, min, s] = time.split(':').map(Number) as [number, number, number];
  return isCalendarDate(date) && h < 24 && min < 60 && s < 60;
}

const WHOLE = /^-?\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** Form text: numbers become decimal text, "" becomes null, strings are trimmed (text keeps inner spaces). */
export const formValue = z.union([z.string(), z.number(), z.null()], { error: 'expected text, a number or nothing' }).transform((v): string | null => {
  if (v === null) return null;
  const text = typeof v === 'number' ? String(v) : v.trim();
  return text === '' ? null : text;
});

const MAX_TEXT = 10_000;

/** Checks one non-null value of a kind; returns the problem in words, or undefined when fine. */
export function kindProblem(kind: EditFieldKind, value: string): string | undefined {
  switch (kind) {
    case 'id':
      return WHOLE.test(value) && Number(value) > 0 && Number.isSafeInteger(Number(value)) ? undefined : `expected a positive whole-number id, got "${value}"`;
    case 'reference':
      return WHOLE.test(value) && Number(value) !== 0 && Number.isSafeInteger(Number(value)) ? undefined : `expected a record id (negative for a record created offline), got "${value}"`;
    case 'dictionary':
    case 'relationship':
    case 'carer_relationship':
      return WHOLE.test(value) && Number(value) > 0 && Number.isSafeInteger(Number(value)) ? undefined : `expected a dictionary id (a positive whole number), got "${value}"`;
    case 'flag':
      return value === 'Y' || value === 'N' ? undefined : `expected Y or N, got "${value}"`;
    case 'date':
      return isCalendarDate(value) ? undefined : `expected a date YYYY-MM-DD, got "${value}"`;
    case 'timestamp':
      return isTimestamp(value) ? undefined : `expected a timestamp "YYYY-MM-DD HH:MM:SS", got "${value}"`;
    case 'number':
      return DECIMAL.test(value) ? undefined : `expected a number ≥ 0, got "${value}"`;
    case 'whole':
      return /^\d+$/.test(value) && Number(value) <= 1000 ? undefined : `expected a whole number ≥ 0, got "${value}"`;
    case 'id_list':
      return /^\d+(,\d+)*$/.test(value) && value.split(',').every((v) => Number(v) > 0) ? undefined : `expected comma-separated ids such as 3,7, got "${value}"`;
    case 'text':
      return value.length <= MAX_TEXT ? undefined : `is longer than ${MAX_TEXT} characters`;
  }
}
