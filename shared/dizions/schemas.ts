// The shapes of Dizions API replies, as zod schemas built from the field lists of ./model.ts.
// Known fields are typed (ids, dictionary ids, Y/N flags, timestamps, dates, numbers, text); fields
// the server adds later are kept untouched; a wrong type fails with the group, index and field named.
// Tolerant where real servers are sloppy: digit strings become numbers, "" and zero dates become null.

import { z } from 'zod';
import { CLIENT_FIELDS, CONTACT_FIELDS, REFERRAL_FIELDS, SCHEDULE_FIELDS, WORKER_FIELDS, dictionaryFor, type RecordGroup } from './model.js';
import { DATE_PATTERN, TIMESTAMP_PATTERN } from './assumptions.js';
import { ReplyReadError, readCreateReply, readServerTimestamp } from './replies.js';

// ---- field kinds ------------------------------------------------------------------------------
// Field names mean the same thing in every group (`user` is always a login id, `stage` always a
// dictionary id), so one kind per name suffices; dictionary-ness is read from model.ts per group.

export const ID_FIELD_NAMES = ['id', 'client', 'referral', 'user', 'worker', 'usual_support_worker', 'additional_org_person'] as const;
export const FLAG_FIELD_NAMES = ['employment_status', 'registered_disabled', 'blue_badge_holder', 'active', 'deceased', 'consent', 'referral_complete', 'project_active'] as const;
export const TIMESTAMP_FIELD_NAMES = ['start_date', 'end_date', 'updated'] as const;
export const DATE_FIELD_NAMES = ['dob', 'date'] as const;
export const NUMBER_FIELD_NAMES = ['people_in_household', 'travel_time', 'travel_mileage'] as const;
/** Fields that hold a dictionary id in at least one group (model.ts DICTIONARY_FIELDS says which group). */
export const DICTIONARY_FIELD_NAMES = [
  'gender',
  'ethnicity',
  'religion',
  'sexual_orientation',
  'marital_status',
  'main_language',
  'main_disability',
  'accommodation',
  'county',
  'district',
  'gp_surgery',
  'school',
  'preferred_communication_method',
  'age_range',
  'type',
  'website_photo_consent',
  'client_type',
  'project',
  'template',
  'stage',
  'due_stage',
  'project_category',
  'contact_method',
  'contact_type',
  'funding_sponsor',
  'referrer',
  'introduction_source',
  'priority',
  'response_method',
  'transport_method',
] as const;

type IdName = (typeof ID_FIELD_NAMES)[number];
type FlagName = (typeof FLAG_FIELD_NAMES)[number];
type TimestampName = (typeof TIMESTAMP_FIELD_NAMES)[number];
type DateName = (typeof DATE_FIELD_NAMES)[number];
type NumberName = (typeof NUMBER_FIELD_NAMES)[number];
type DictionaryName = (typeof DICTIONARY_FIELD_NAMES)[number];

export type FieldKind = 'id' | 'flag' | 'timestamp' | 'date' | 'number' | 'dictionary' | 'text' | 'relationships';

const has = (list: readonly string[], name: string) => list.includes(name);

/** How a field of a group is typed in replies. */
export function fieldKind(group: string, field: string): FieldKind {
  if (group === 'clients' && field === 'relationship_details') return 'relationships';
  if (has(ID_FIELD_NAMES, field)) return 'id';
  if (has(FLAG_FIELD_NAMES, field)) return 'flag';
  if (has(TIMESTAMP_FIELD_NAMES, field)) return 'timestamp';
  if (has(DATE_FIELD_NAMES, field)) return 'date';
  if (has(NUMBER_FIELD_NAMES, field)) return 'number';
  if (dictionaryFor(group, field)) return 'dictionary';
  return 'text';
}

// ---- record types -----------------------------------------------------------------------------

/** One entry of a client's `relationship_details` (assumptions table: relationships). The shape is
 * unpublished: any object is kept raw; ./replies.ts readRelationship() reads it in either dialect's words. */
export interface RelationshipDetail {
  id_second?: number;
  relationship_first_to_second?: number | string | null;
  relationship_second_to_first?: number | string | null;
  relationship_first_to_second_carer?: number | string | null;
  relationship_second_to_first_carer?: number | string | null;
  [extra: string]: unknown;
}

type FieldType<F extends string> = F extends IdName
  ? number | null
  : F extends FlagName
    ? 'Y' | 'N' | null
    : F extends TimestampName | DateName
      ? string | null
      : F extends NumberName
        ? number | null
        : // A dictionary id, or its name when the GET asked for resolveIds[].
          F extends DictionaryName
          ? number | string | null
          : F extends 'relationship_details'
            ? RelationshipDetail[]
            : string | null;

interface GroupFieldNames {
  clients: (typeof CLIENT_FIELDS)[number] | 'website_photo_consent' | 'relationship_details';
  referrals: (typeof REFERRAL_FIELDS)[number];
  due_contacts: (typeof CONTACT_FIELDS)[number];
  done_contacts: (typeof CONTACT_FIELDS)[number];
  workers: (typeof WORKER_FIELDS)[number];
  schedules: (typeof SCHEDULE_FIELDS)[number];
}

/** A record of a group: every known field optional (a /field/ GET returns only some), unknown fields kept. */
export type GroupRecord<G extends RecordGroup> = { [F in GroupFieldNames[G]]?: FieldType<F> } & { [extra: string]: unknown };
export type ClientRecord = GroupRecord<'clients'>;
export type ReferralRecord = GroupRecord<'referrals'>;
export type ContactRecord = GroupRecord<'due_contacts'>;
export type WorkerRecord = GroupRecord<'workers'>;
export type ScheduleRecord = GroupRecord<'schedules'>;
/** A multiple-record extension database row: its fields are the database's own (`date_43`, …). */
export type ExtensionRecord = { id?: number; referral?: number | null; client?: number | null; [field: string]: unknown };

// ---- field schemas ----------------------------------------------------------------------------

const DIGITS = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function digitsToNumber(value: unknown): unknown {
  return typeof value === 'string' && DIGITS.test(value.trim()) ? Number(value.trim()) : value;
}
function decimalToNumber(value: unknown): unknown {
  if (value === '') return null;
  return typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value.trim()) : value;
}
/** Empty strings and MySQL zero dates mean "no date". */
function emptyDateToNull(value: unknown): unknown {
  return value === '' || value === '0000-00-00' || value === '0000-00-00 00:00:00' ? null : value;
}
/** Timestamps read tolerantly (./replies.ts): a `T`, no seconds, a zone; zero dates are null. */
function looseTimestamp(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const read = readServerTimestamp(value);
  return read === undefined ? value : read;
}

const positiveId = (what = 'a positive whole-number id') =>
  z.preprocess(
    digitsToNumber,
    z
      .number({ error: `expected ${what}` })
      .int({ error: `expected ${what}` })
      .positive({ error: `expected ${what}` }),
  );

const FIELD_SCHEMAS = {
  id: positiveId('a positive whole-number id or null').nullable(),
  dictionary: z.preprocess(
    (v) => (v === '' ? null : digitsToNumber(v)),
    z
      .number({ error: 'expected a dictionary id (whole number) or null' })
      .int({ error: 'expected a dictionary id (whole number) or null' })
      .nonnegative({ error: 'expected a dictionary id (whole number) or null' })
      .nullable(),
  ),
  resolved: z.string({ error: 'expected a dictionary name (string) or null' }).nullable(),
  flag: z.preprocess((v) => (v === '' ? null : v), z.enum(['Y', 'N'], { error: 'expected "Y", "N" or null' }).nullable()),
  timestamp: z.preprocess(
    looseTimestamp,
    z.string({ error: 'expected a timestamp "YYYY-MM-DD HH:MM:SS" or null' }).regex(TIMESTAMP_PATTERN, { error: 'expected a timestamp "YYYY-MM-DD HH:MM:SS" or null' }).nullable(),
  ),
  // Dates are `YYYY-MM-DD`; a server that sends the time too is tolerated.
  date: z.preprocess(
    emptyDateToNull,
    z
      .string({ error: 'expected a date "YYYY-MM-DD" or null' })
      .refine((s) => DATE_PATTERN.test(s) || TIMESTAMP_PATTERN.test(s), { error: 'expected a date "YYYY-MM-DD" or null' })
      .nullable(),
  ),
  number: z.preprocess(decimalToNumber, z.number({ error: 'expected a number or null' }).nullable()),
  text: z.string({ error: 'expected string or null' }).nullable(),
} as const;

// A name is taken as it comes (even "12"); only a number is read as an id.
const dictionaryOrName = z.union([FIELD_SCHEMAS.resolved, FIELD_SCHEMAS.dictionary], { error: 'expected a dictionary id or name, or null' });

// Any object shape, kept raw: the entry's keys are unpublished and differ between the dialects' words.
const relationshipDetailSchema = z.looseObject({});

const GROUP_FIELD_LISTS: Record<RecordGroup, readonly string[]> = {
  clients: [...CLIENT_FIELDS, 'website_photo_consent', 'relationship_details'],
  referrals: REFERRAL_FIELDS,
  due_contacts: CONTACT_FIELDS,
  done_contacts: CONTACT_FIELDS,
  workers: WORKER_FIELDS,
  schedules: SCHEDULE_FIELDS,
};

export interface RecordSchemaOptions {
  /** The `resolveIds[]` of the GET: those dictionary fields hold names instead of ids. `ALL` resolves every one. */
  resolved?: readonly string[];
}

function fieldSchema(group: string, field: string, resolved: readonly string[]): z.ZodType {
  const kind = fieldKind(group, field);
  if (kind === 'relationships') return z.array(relationshipDetailSchema, { error: 'expected a list of relationships (objects)' });
  if (kind === 'dictionary' && (resolved.includes('ALL') || resolved.includes(field))) return dictionaryOrName;
  if (kind === 'dictionary') return FIELD_SCHEMAS.dictionary;
  return FIELD_SCHEMAS[kind];
}

const schemaCache = new Map<string, z.ZodType>();

/** The zod schema of one record of `group` (cached per group and resolveIds). */
export function recordSchema<G extends RecordGroup>(group: G, options: RecordSchemaOptions = {}): z.ZodType<GroupRecord<G>> {
  const resolved = [...(options.resolved ?? [])].sort();
  const key = `${group}|${resolved.join(',')}`;
  let schema = schemaCache.get(key);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const field of GROUP_FIELD_LISTS[group]) shape[field] = fieldSchema(group, field, resolved).optional();
    schema = z.looseObject(shape);
    schemaCache.set(key, schema);
  }
  return schema as z.ZodType<GroupRecord<G>>;
}

/** Extension database rows: only the linking ids are known; everything else is the database's own. */
export const extensionRecordSchema = z.looseObject({
  id: positiveId().optional(),
  referral: FIELD_SCHEMAS.id.optional(),
  client: FIELD_SCHEMAS.id.optional(),
}) as unknown as z.ZodType<ExtensionRecord>;

// ---- other replies ----------------------------------------------------------------------------

/** Create and update replies: `{"id": N}`. */
export const idReplySchema = z.looseObject({ id: positiveId() });
export type IdReplyBody = z.infer<typeof idReplySchema>;

/** Report rows: the dimension (and metric) value plus `count`; null for records without a value. */
export const reportRowSchema = z
  .looseObject({
    count: z.preprocess(
      digitsToNumber,
      z.number({ error: 'expected a count (whole number ≥ 0)' }).int({ error: 'expected a count (whole number ≥ 0)' }).nonnegative({ error: 'expected a count (whole number ≥ 0)' }),
    ),
  })
  .catchall(z.union([z.string(), z.number(), z.null()], { error: 'expected a string, number or null' }));
export type ReportRowBody = z.infer<typeof reportRowSchema>;

/** Dictionaries: `[{id, name}]`, stage rows carry `template`/`status`, project rows `category`/`active`. */
export const dictionaryEntrySchema = z.looseObject({
  id: z.preprocess(digitsToNumber, z.number({ error: 'expected a whole-number id' }).int({ error: 'expected a whole-number id' })),
  name: z.string({ error: 'expected string' }),
});
export type DictionaryEntryBody = z.infer<typeof dictionaryEntrySchema>;

// ---- parsing with named errors ----------------------------------------------------------------

/** A reply whose shape is not what the API promises; the message names where: `clients[3].surname: expected string or null, got 42`. */
export class ResponseShapeError extends Error {
  override name = 'ResponseShapeError';
  constructor(
    readonly what: string,
    readonly index: number | undefined,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${what}${index === undefined ? '' : `[${index}]`}${field ? `.${field}` : ''}: ${detail}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function printIssuePath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string, index?: number): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? printIssuePath(issue.path) : undefined;
  const detail = `${issue.message}, got ${describe(field ? valueAt(value, issue.path) : value)}`;
  throw new ResponseShapeError(what, index, field, detail);
}

function expectArray(json: unknown, what: string): unknown[] {
  if (!Array.isArray(json)) throw new ResponseShapeError(what, undefined, undefined, `expected a list of records, got ${describe(json)}`);
  return json;
}

// ---- the fast path -------------------------------------------------------------------------------
// Bulk sync validates every record of a 100k-client caseload. Most records are already exactly
// right, so a plain check per field decides first; only a record it cannot vouch for goes through
// zod, which coerces (digit strings, zero dates) or names the field at fault. Invariant (tested):
// whatever the fast check accepts, zod accepts unchanged.

type Check = (value: unknown) => boolean;
const ZERO_DATES = new Set(['0000-00-00', '0000-00-00 00:00:00']);
const isNull = (v: unknown) => v === null || v === undefined;
const FAST_CHECKS: Record<Exclude<FieldKind, 'relationships'> | 'resolved', Check> = {
  id: (v) => isNull(v) || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0),
  dictionary: (v) => isNull(v) || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0),
  resolved: (v) => isNull(v) || typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0),
  flag: (v) => isNull(v) || v === 'Y' || v === 'N',
  timestamp: (v) => isNull(v) || (typeof v === 'string' && TIMESTAMP_PATTERN.test(v) && !ZERO_DATES.has(v)),
  date: (v) => isNull(v) || (typeof v === 'string' && (DATE_PATTERN.test(v) || TIMESTAMP_PATTERN.test(v)) && !ZERO_DATES.has(v)),
  number: (v) => isNull(v) || (typeof v === 'number' && Number.isFinite(v)),
  text: (v) => isNull(v) || typeof v === 'string',
};

/** The fast check of one field kind (exported for the property test that holds it to zod). */
export function fastCheck(kind: FieldKind | 'resolved'): Check {
  return kind === 'relationships' ? isNull : FAST_CHECKS[kind];
}

const fastCache = new Map<string, Array<readonly [string, Check]>>();

function fastChecks(group: RecordGroup, resolved: readonly string[]): Array<readonly [string, Check]> {
  const key = `${group}|${[...resolved].sort().join(',')}`;
  let checks = fastCache.get(key);
  if (!checks) {
    checks = GROUP_FIELD_LISTS[group].map((field) => {
      const kind = fieldKind(group, field);
      const resolvedHere = kind === 'dictionary' && (resolved.includes('ALL') || resolved.includes(field));
      return [field, fastCheck(resolvedHere ? 'resolved' : kind)] as const;
    });
    fastCache.set(key, checks);
  }
  return checks;
}

/** Validates one record (sync calls this per record while it ingests in bulk). A record that needs
 * no coercion is returned as it came (the same object); otherwise a coerced copy. */
export function parseRecord<G extends RecordGroup>(group: G, value: unknown, index?: number, options: RecordSchemaOptions = {}): GroupRecord<G> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ResponseShapeError(group, index, undefined, `expected a record (object), got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  if (fastChecks(group, options.resolved ?? []).every(([field, check]) => check(record[field]))) return record as GroupRecord<G>;
  return parseWith(recordSchema(group, options), value, group, index);
}

/** Validates a collection GET reply: an array of records of `group`. */
export function parseRecords<G extends RecordGroup>(group: G, json: unknown, options: RecordSchemaOptions = {}): GroupRecord<G>[] {
  return expectArray(json, group).map((value, index) => parseRecord(group, value, index, options));
}

export function parseExtensionRecords(database: string, json: unknown): ExtensionRecord[] {
  return expectArray(json, database).map((value, index) => parseWith(extensionRecordSchema, value, database, index));
}

/** A create's reply, read tolerantly (./replies.ts): `{"id": N}`, `N`, `"N"`, `{"id": "N"}`, `[{"id": N}]`. */
export function parseIdReply(json: unknown, what = 'reply'): IdReplyBody {
  try {
    return { id: readCreateReply(json, what) };
  } catch (error) {
    if (error instanceof ReplyReadError) throw new ResponseShapeError(what, undefined, error.field?.replace(/^\./, ''), error.detail);
    throw error;
  }
}

export function parseReportRows(json: unknown, what = 'report'): ReportRowBody[] {
  return expectArray(json, what).map((value, index) => parseWith(reportRowSchema, value, what, index));
}

export function parseDictionary(json: unknown, what = 'dictionary'): DictionaryEntryBody[] {
  return expectArray(json, what).map((value, index) => parseWith(dictionaryEntrySchema, value, what, index));
}

/** `dictionary` (all): an object keyed `<group>/<table>`, each a dictionary. */
export function parseDictionaryAll(json: unknown): Record<string, DictionaryEntryBody[]> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ResponseShapeError('dictionary', undefined, undefined, `expected an object keyed <group>/<table>, got ${describe(json)}`);
  }
  const out: Record<string, DictionaryEntryBody[]> = {};
  for (const [table, entries] of Object.entries(json)) out[table] = parseDictionary(entries, `dictionary["${table}"]`);
  return out;
}

/** `<group>/selectable_fields`: unpublished; a list of names, or objects carrying a name, or an object keyed by name. */
export function parseSelectableFields(json: unknown, what = 'selectable_fields'): string[] {
  if (Array.isArray(json)) {
    return json.map((item, index) => {
      if (typeof item === 'string') return item;
      if (item && typeof item === 'object') {
        for (const key of ['field', 'name', 'id']) {
          const value = (item as Record<string, unknown>)[key];
          if (typeof value === 'string') return value;
        }
      }
      throw new ResponseShapeError(what, index, undefined, `expected a field name, got ${describe(item)}`);
    });
  }
  if (json && typeof json === 'object') return Object.keys(json);
  throw new ResponseShapeError(what, undefined, undefined, `expected a list of field names, got ${describe(json)}`);
}
