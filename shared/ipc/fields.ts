// The building blocks of IPC input and output schemas: ids (negative for records not yet sent),
// Dizions dates and timestamps, Y/N flags, bounded text. Every input bound lives here, so the
// fuzz test and the renderer's forms meet the same limits and the same messages.

import { z } from 'zod';
import { DATE_PATTERN, TIMESTAMP_PATTERN } from '../dizions/assumptions.js';
import { GrammarError, parsePath } from '../url-grammar.js';

// ---- limits ------------------------------------------------------------------------------------

export const LIMITS = {
  shortText: 200,
  description: 20_000,
  name: 100,
  path: 2_000,
  searchTerm: 200,
  listLimit: 1_000,
  scopePaths: 20,
  visibilityIds: 100,
  filterValues: 50,
  filesPerUpload: 5,
  /** Per file, before base64; the browser host's body cap is derived from it. */
  fileBytes: 10 * 1024 * 1024,
  filename: 255,
  /** A form draft (shared/ipc/drafts.ts): its key, its field names, how many fields, its whole JSON. */
  draftKey: 80,
  draftField: 100,
  draftFields: 200,
  draftChars: 100_000,
} as const;

/** Base64 characters of the largest file (4 characters per 3 bytes, padded). */
export const MAX_FILE_BASE64 = Math.ceil(LIMITS.fileBytes / 3) * 4;

// ---- ids ---------------------------------------------------------------------------------------

const ID_MESSAGE = 'expected a record id (a whole number; negative for a record not yet sent)';

/** A record id: positive from the server, negative for a record created here and not yet sent. */
export const recordId = z.int({ error: ID_MESSAGE }).refine((n) => n !== 0, { error: ID_MESSAGE });

/** An id the server issued: users, workers, dictionary entries, outbox entries. */
export const serverId = z.int({ error: 'expected a positive whole-number id' }).positive({ error: 'expected a positive whole-number id' });

/** A dictionary entry id (see dictionaries:get), or null to clear the field. */
export const dictionaryId = serverId.nullable();

// ---- dates -------------------------------------------------------------------------------------

function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1900 && y <= 2200;
}

function isClockTime(text: string): boolean {
  const [h, min, s] = text.slice(11).split(':').map(Number) as [number, number, number];
  return h <= 23 && min <= 59 && s <= 59;
}

/** `YYYY-MM-DD`, a real calendar date. */
export const dizionsDate = z
  .string({ error: 'expected a date like 2024-03-31' })
  .max(10, { error: 'expected a date like 2024-03-31' })
  .refine((s) => DATE_PATTERN.test(s) && isCalendarDate(s), { error: 'expected a date like 2024-03-31' });

/** `YYYY-MM-DD HH:MM:SS` in UK local time (the API's timestamps). */
export const dizionsTimestamp = z
  .string({ error: 'expected a date and time like 2024-03-31 14:30:00' })
  .max(19, { error: 'expected a date and time like 2024-03-31 14:30:00' })
  .refine((s) => TIMESTAMP_PATTERN.test(s) && isCalendarDate(s) && isClockTime(s), { error: 'expected a date and time like 2024-03-31 14:30:00' });

/** An ISO 8601 instant for the app's own records (sync times, outbox entries). */
export const isoInstant = z.string().max(40);

// ---- values ------------------------------------------------------------------------------------

export const flag = z.enum(['Y', 'N'], { error: 'expected Y or N' });

/** Free text of at most `max` characters (the API takes anything printable, and newlines). */
export function text(max: number = LIMITS.shortText) {
  return z.string({ error: 'expected text' }).max(max, { error: `at most ${max} characters` });
}

/** A name a person typed: not blank, at most 100 characters. */
export const personName = z
  .string({ error: 'expected a name' })
  .max(LIMITS.name, { error: `at most ${LIMITS.name} characters` })
  .refine((s) => s.trim().length > 0, { error: 'must not be blank' });

export const description = z
  .string({ error: 'expected text' })
  .max(LIMITS.description, { error: `at most ${LIMITS.description} characters` })
  .refine((s) => s.trim().length > 0, { error: 'must not be blank' });

/** A field name of the API (`first_name`, `date_43`, `website_photo_consent`). Never `__proto__`. */
export const fieldName = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, { error: 'expected a field name (lowercase letters, digits and _)' });

/** A scalar value as the API holds it. */
export const scalar = z.union([z.string(), z.number(), z.null()]);
export type Scalar = z.infer<typeof scalar>;

/** A field value sent in (an outbox edit): bounded text, a finite number, or null to clear. */
export const inputScalar = z.union([z.string().max(LIMITS.description), z.number(), z.null()], { error: 'expected text, a number or null' });

/** Minutes or miles: a non-negative number with a sane ceiling. */
export const quantity = z.number({ error: 'expected a number' }).nonnegative({ error: 'must not be negative' }).max(100_000, { error: 'too large' });

// ---- paths of the Dizions grammar ---------------------------------------------------------------

/** A GET path of the Dizions grammar (`clients/district/3;4`), checked by the one parser. */
export const dizionsPath = z
  .string({ error: 'expected a path like clients/district/3' })
  .min(1, { error: 'expected a path like clients/district/3' })
  .max(LIMITS.path, { error: `at most ${LIMITS.path} characters` })
  .superRefine((path, ctx) => {
    try {
      parsePath(path);
    } catch (error) {
      if (!(error instanceof GrammarError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });

/** A report path: a records path with `/dimension/…` (and optionally `/metric/…`). */
export const reportPath = dizionsPath.superRefine((path, ctx) => {
  try {
    const parsed = parsePath(path);
    if (parsed.kind !== 'records' || !parsed.report) ctx.addIssue({ code: 'custom', message: 'a report path needs /dimension/<field>, e.g. clients/dimension/district' });
  } catch {
    // dizionsPath already reported it.
  }
});

// ---- shapes shared by outputs ----------------------------------------------------------------------

/** An API record: `id` plus the API's own field names holding scalars. Unknown fields pass through. */
export function apiRecord<S extends z.ZodRawShape>(known: S) {
  return z.looseObject({ id: recordId, ...known }).catchall(scalar);
}

/** Who a record is about, enough to name it in a list. */
export const clientSummary = apiRecord({
  first_name: z.string().nullable(),
  surname: z.string().nullable(),
});
export type ClientSummary = z.infer<typeof clientSummary>;

/** The result of a local write: the record's id (temporary and negative until sent) and its outbox entry. */
export const writeResult = z.object({
  id: recordId,
  outboxId: serverId.nullable(),
});
export type WriteResult = z.infer<typeof writeResult>;

/** A referral's status, derived from its stage through its template. */
export const stageStatus = z.enum(['Pending', 'Open', 'Closed']);

/** The empty input of channels that take none. */
export const noInput = z.strictObject({});

/** A strict object whose keys are all optional, with at least one present (an update). */
export function someOf<S extends z.ZodRawShape>(shape: S) {
  return z
    .strictObject(shape)
    .partial()
    .refine((value) => Object.keys(value).length > 0, { error: 'nothing to change: give at least one field' });
}
