// What nobody has published about the Dizions API v2, and what Caseworker assumes instead
// (the assumptions table of ../shared/dizions-api.md). The simulator implements exactly this and
// the client relies on nothing else: if the real server differs, this module is what changes.

// The two dialects and every write's verb, path and fields live in ./dialects.ts (one table).
export { DIALECTS, OPERATIONS, type Dialect, type WriteOperation } from './dialects.js';

/** The three authentication headers (later docs). A missing or wrong key gets 401. */
export const AUTH_HEADERS = { source: 'Source', org: 'Org', user: 'User' } as const;

/** `start_date`, `end_date`, `updated`: `YYYY-MM-DD HH:MM:SS`, UK local time. Dates `YYYY-MM-DD`. */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const SERVER_TIME_ZONE = 'Europe/London';

/** Formats an instant as the server's `YYYY-MM-DD HH:MM:SS` in UK local time. */
let serverClock: Intl.DateTimeFormat | undefined; // building one costs ~1 ms: made once
export function formatServerTimestamp(at: Date): string {
  serverClock ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: SERVER_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const parts = serverClock.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Create and update replies are `{"id": N}`; uploads reply `{"id": N}` per batch. */
export interface IdReply {
  id: number;
}

/** Error replies: non-2xx with a JSON string or `{"error": "…"}` (tolerate plain text too). */
export function errorMessageFromBody(body: string): string {
  const text = body.trim();
  if (!text) return '';
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'string') return parsed;
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      for (const key of ['error', 'message', 'detail']) {
        if (typeof record[key] === 'string') return record[key] as string;
      }
    }
    return text;
  } catch {
    return text.slice(0, 500);
  }
}

/** Report rows: keyed by the dimension (and metric) name plus `count`; `null` for records without a value. */
export type ReportRow = Record<string, string | number | null>;

/** Dictionaries are `[{id, name}]` (stage rows also carry `template` and `status`, project rows `category` and `active`). */
export interface DictionaryEntry {
  id: number;
  name: string;
  [extra: string]: unknown;
}

/** Uploads: multipart/form-data, each file in a part named `files`. */
export const UPLOAD_FILE_PART = 'files';

/** Groups whose writes the API gives no way to read back: a lost reply there cannot be checked. */
export const UNVERIFIABLE_WRITES = ['upload-file', 'external-referral'] as const;

/**
 * No endpoint lists a system's extension databases (neither the seed nor the current manual
 * documents one): an admin names the ones the charity uses, and the app checks each answers with a
 * read-only GET — `extension_database/<name>/selectable_fields`, else a `…/field/id` listing.
 */
export const EXTENSION_DATABASE_LIST_ENDPOINT = null;

/**
 * Upload `group_visibility` takes group ids, but no list of groups is documented. These dictionaries
 * are asked (read-only, in order) for `[{id, name}]`; when none answers, an admin names the groups.
 */
export const UPLOAD_GROUP_DICTIONARIES = ['users/groups', 'users/user_groups'] as const;
