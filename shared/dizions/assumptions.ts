// What nobody has published about the Dizions API v2, and what Caseworker assumes instead
// (the assumptions table of ../shared/dizions-api.md). The simulator implements exactly this and
// the client relies on nothing else: if the real server differs, this module is what changes.

/** Write operations and the HTTP verb each dialect uses. The seed (2019) creates with PUT and
 * updates with POST; the 2021–2025 docs swap them for clients, referrals and contacts. */
export const DIALECTS = ['2019', '2025'] as const;
export type Dialect = (typeof DIALECTS)[number];

export type WriteOperation =
  | 'createClient' | 'updateClient'
  | 'createReferral' | 'updateReferral'
  | 'createDueContact' | 'updateDueContact'
  | 'updateDoneContact' // also completes a due contact (start_date + end_date in the body)
  | 'createExternalReferral'
  | 'createExtensionRecord' | 'updateExtensionRecord'
  | 'upload';

export const WRITE_VERBS: Record<WriteOperation, Record<Dialect, 'PUT' | 'POST'>> = {
  createClient: { '2019': 'PUT', '2025': 'POST' },
  updateClient: { '2019': 'POST', '2025': 'PUT' },
  createReferral: { '2019': 'PUT', '2025': 'POST' },
  updateReferral: { '2019': 'POST', '2025': 'PUT' },
  createDueContact: { '2019': 'PUT', '2025': 'POST' },
  updateDueContact: { '2019': 'POST', '2025': 'PUT' },
  updateDoneContact: { '2019': 'POST', '2025': 'PUT' },
  // These stay as they were in every revision.
  createExternalReferral: { '2019': 'PUT', '2025': 'PUT' },
  createExtensionRecord: { '2019': 'PUT', '2025': 'PUT' },
  updateExtensionRecord: { '2019': 'POST', '2025': 'POST' },
  upload: { '2019': 'POST', '2025': 'POST' },
};

/** Whether `method` creates (true) or updates (false) for a given record path kind in a dialect. */
export function isCreateVerb(method: string, dialect: Dialect): boolean {
  return method.toUpperCase() === WRITE_VERBS.createClient[dialect];
}

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
    timeZone: SERVER_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const parts = serverClock.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** Create and update replies are `{"id": N}`; uploads reply `{"id": N}` per batch. */
export interface IdReply { id: number }

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
export interface DictionaryEntry { id: number; name: string; [extra: string]: unknown }

/** Uploads: multipart/form-data, each file in a part named `files`. */
export const UPLOAD_FILE_PART = 'files';

/** Groups whose writes the API gives no way to read back: a lost reply there cannot be checked. */
export const UNVERIFIABLE_WRITES = ['upload', 'createExternalReferral'] as const;

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
