// Reading what a Dizions server answers, tolerantly, in one place. No page of the vendor's manual
// shows a reply body, so every reader here accepts each shape a real server plausibly sends (the
// assumptions table of ../shared/dizions-api.md) and fails only on a reply that is really wrong,
// with a message naming the path and field. Pure: the client, replay, sync and the doctor use it.

import { formatServerTimestamp } from './assumptions.js';

/** A reply that cannot be read even tolerantly: `what` names the request, `field` the place in its body. */
export class ReplyReadError extends Error {
  override name = 'ReplyReadError';
  constructor(
    readonly what: string,
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    super(`${what}${field ? ` ${field}` : ''}: ${detail}`);
  }
}

// ---- create and update replies ---------------------------------------------------------------

/** How a server phrased a write's reply (the doctor reports it; tests ask the simulator for each). */
export type ReplyStyle =
  | 'id-object' // {"id": 17}
  | 'id-string-object' // {"id": "17"}
  | 'bare-number' // 17
  | 'bare-string' // "17"
  | 'array' // [{"id": 17}]
  | 'empty' // nothing (or null)
  | 'other'; // a 2xx body carrying no readable id

export const REPLY_STYLE_WORDS: Record<ReplyStyle, string> = {
  'id-object': '{"id": N}',
  'id-string-object': '{"id": "N"}',
  'bare-number': 'a bare N',
  'bare-string': '"N" (a string)',
  array: '[{"id": N}]',
  empty: 'an empty body',
  other: 'a body without an id',
};

const DIGITS = /^\s*[1-9]\d*\s*$/;

function positiveId(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value === 'string' && DIGITS.test(value)) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** The id a write's 2xx reply carries and how it was phrased; `id` is undefined when there is none. */
export function readWriteReply(json: unknown): { id: number | undefined; style: ReplyStyle } {
  if (json === null || json === undefined || json === '') return { id: undefined, style: 'empty' };
  if (typeof json === 'number') {
    const id = positiveId(json);
    return { id, style: id === undefined ? 'other' : 'bare-number' };
  }
  if (typeof json === 'string') {
    const id = positiveId(json);
    return { id, style: id === undefined ? 'other' : 'bare-string' };
  }
  if (Array.isArray(json)) {
    if (json.length !== 1) return { id: undefined, style: 'other' };
    const inner = readWriteReply(json[0]);
    return inner.style === 'id-object' || inner.style === 'id-string-object' ? { id: inner.id, style: 'array' } : { id: undefined, style: 'other' };
  }
  if (typeof json === 'object') {
    const raw = (json as Record<string, unknown>).id;
    const id = positiveId(raw);
    if (id === undefined) return { id: undefined, style: 'other' };
    return { id, style: typeof raw === 'string' ? 'id-string-object' : 'id-object' };
  }
  return { id: undefined, style: 'other' };
}

function describe(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}

/**
 * A create's reply: `{"id": N}`, a bare `N`, `"N"`, `{"id": "N"}` or `[{"id": N}]` all give N.
 * Anything else throws, naming `what` (e.g. `PUT clients`) and what came instead.
 */
export function readCreateReply(json: unknown, what = 'the reply'): number {
  const { id } = readWriteReply(json);
  if (id !== undefined) return id;
  const field = json !== null && typeof json === 'object' && !Array.isArray(json) ? '.id' : undefined;
  throw new ReplyReadError(
    what,
    field,
    `expected the new record's id (a positive whole number, as {"id": N}, N, "N" or [{"id": N}]), got ${describe(field ? (json as Record<string, unknown>).id : json)}`,
  );
}

/** An update's reply: any 2xx body is success (empty included); the id, when the body carries one. */
export function readUpdateReply(json: unknown): number | undefined {
  return readWriteReply(json).id;
}

// ---- timestamps ------------------------------------------------------------------------------

const SEED_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
// `T` or a space, seconds optional, a fraction and a zone optional.
const LOOSE_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const ZERO_TIMESTAMP = /^0000-00-00( 00:00(:00)?)?$/;

/** What a server timestamp is: the seed's form, one read tolerantly, "no value", or unreadable. */
export type TimestampForm = 'seed' | 'iso-t' | 'no-seconds' | 'with-zone' | 'zero' | 'unreadable';

export function timestampForm(value: string): TimestampForm {
  if (SEED_TIMESTAMP.test(value)) return value.startsWith('0000-00-00') ? 'zero' : 'seed';
  if (ZERO_TIMESTAMP.test(value)) return 'zero';
  const match = LOOSE_TIMESTAMP.exec(value);
  if (!match) return 'unreadable';
  if (match[5]) return 'with-zone';
  if (!match[3]) return 'no-seconds';
  return 'iso-t';
}

/**
 * A server timestamp as the seed's `YYYY-MM-DD HH:MM:SS` (UK local time): a `T`, missing seconds or
 * a fraction are tolerated, a zone is converted to UK time, `0000-00-00 00:00:00` and "" are null.
 * Returns undefined for text that is no timestamp at all (the caller decides; sync keeps it as it came).
 */
export function readServerTimestamp(value: string): string | null | undefined {
  if (SEED_TIMESTAMP.test(value)) return value.startsWith('0000-00-00') ? null : value;
  if (value.trim() === '' || ZERO_TIMESTAMP.test(value)) return null;
  const match = LOOSE_TIMESTAMP.exec(value);
  if (!match) return undefined;
  if (match[5]) {
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? undefined : formatServerTimestamp(at);
  }
  return `${match[1]} ${match[2]}${match[3] ?? ':00'}`;
}

/** The timestamp fields of records (assumptions table: timestamps). */
export const TIMESTAMP_FIELDS = ['start_date', 'end_date', 'updated'] as const;

/**
 * Rewrites a downloaded record's timestamps into the seed's form, in place (sync stores records
 * raw; this keeps `updated` comparable and dates readable). Unreadable text is left as it came.
 */
export function normaliseTimestamps(record: Record<string, unknown>): void {
  for (const field of TIMESTAMP_FIELDS) {
    const value = record[field];
    if (typeof value !== 'string' || (value.length === 19 && value.charCodeAt(10) === 32 && value.charCodeAt(0) !== 48)) continue;
    const read = readServerTimestamp(value);
    if (read !== undefined) record[field] = read;
  }
}

// ---- relationships ---------------------------------------------------------------------------

/** One `relationship_details` entry in the 2019 words the app uses, read from either dialect's words. */
export interface RelationshipReading {
  id_second: number | undefined;
  relationship_first_to_second: unknown;
  relationship_second_to_first: unknown;
  relationship_first_to_second_carer: unknown;
  relationship_second_to_first_carer: unknown;
}

// The entry's shape is unpublished: 2019 names (seed), 2025 names (the relationship_details page's
// write keys), and the obvious spellings of "the other client".
const OTHER_CLIENT_KEYS = ['id_second', 'second', 'client_second', 'second_client', 'id_client_second'];
const WORDS: Record<Exclude<keyof RelationshipReading, 'id_second'>, string[]> = {
  relationship_first_to_second: ['relationship_first_to_second', 'relation_first_to_second'],
  relationship_second_to_first: ['relationship_second_to_first', 'relation_second_to_first'],
  relationship_first_to_second_carer: ['relationship_first_to_second_carer', 'carer_relation_first_to_second', 'carer_relationship_first_to_second'],
  relationship_second_to_first_carer: ['relationship_second_to_first_carer', 'carer_relation_second_to_first', 'carer_relationship_second_to_first'],
};

/** A client id in an entry: positive from the server, negative for a temp id in the local replica. */
function recordId(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*-?[1-9]\d*\s*$/.test(value) ? Number(value.trim()) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n !== 0 ? n : undefined;
}

/** Reads one entry of a client's `relationship_details` (any object shape; the raw entry is kept by the caller). */
export function readRelationship(entry: unknown): RelationshipReading {
  const raw = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
  const first = (keys: string[]) => {
    for (const key of keys) if (raw[key] !== undefined) return raw[key];
    return undefined;
  };
  return {
    id_second: recordId(first(OTHER_CLIENT_KEYS)),
    relationship_first_to_second: first(WORDS.relationship_first_to_second),
    relationship_second_to_first: first(WORDS.relationship_second_to_first),
    relationship_first_to_second_carer: first(WORDS.relationship_first_to_second_carer),
    relationship_second_to_first_carer: first(WORDS.relationship_second_to_first_carer),
  };
}

/** Which dialect's words an entry uses (the doctor reports it): 2019, 2025, or neither recognisable. */
export function relationshipWords(entry: unknown): '2019' | '2025' | null {
  if (entry === null || typeof entry !== 'object') return null;
  const keys = Object.keys(entry);
  if (keys.some((k) => k.startsWith('relationship_'))) return '2019';
  if (keys.some((k) => k.startsWith('relation_') || k.startsWith('carer_relation_'))) return '2025';
  return null;
}
