// The seam between the simulator's HTTP layer (server.ts, faults.ts, control.ts) and its data
// layer (store.ts, generate.ts, api-handler.ts). The HTTP layer authenticates, parses bodies,
// injects faults and logs; the data layer answers a parsed request against SQLite.

/** A system login of the simulated charity. `id` is what contacts carry in `user`. */
export interface SimUser {
  id: number;
  name: string;
  /** The same person's /workers id (what clients carry in usual_support_worker), or null. */
  worker: number | null;
  /** The three header keys. */
  source: string;
  org: string;
  user: string;
  /** Projects whose referrals this user can see. */
  projects: number[];
}

/** What the simulator prints on its start line, per user. */
export interface DemoUserLine {
  id: number;
  name: string;
  worker: number | null;
  source: string;
  org: string;
  user: string;
}

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface SimRequest {
  method: string; // upper case
  /** Path relative to /v2, without a leading slash, with the query string if any. */
  path: string;
  user: SimUser;
  /** Form fields (x-www-form-urlencoded or the non-file parts of multipart). */
  form: Record<string, string>;
  files: UploadedFile[];
}

/** Either a JSON value, or (for large collections) rows streamed as a JSON array. */
export type SimResponse = { status: number; json: unknown; headers?: Record<string, string> } | { status: number; rows: Iterable<Record<string, unknown>> };

export interface SimOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 0: a free port
  seed?: number; // default 1
  clients?: number; // default 200
  /** State lives under this folder and survives a restart; without it, a temp folder removed on close. */
  dataDir?: string;
  latencyMs?: number;
  faults?: string;
  dialect?: '2019' | '2025';
  /** Write replies phrased as a real server may (reply-variants.ts); default `id`: `{"id": N}`. */
  replyStyle?: SimReplyStyle;
  /** Timestamps on reads in a form our assumptions do not expect (reply-variants.ts); default `seed`. */
  timestampFormat?: SimTimestampFormat;
  /** Log each request to stderr (the CLI sets this; tests leave it off). */
  logToStderr?: boolean;
  /** 64 hex digits: the store encrypted and uploads sealed at rest (the app's demo; main/sim/at-rest.ts). */
  storeKey?: string;
  /**
   * Which groups take the `updated/<from>,<to>` filter: `referrals` as the assumptions table says
   * (the default), or `all` — a server that filters every group by it (sync then lists only changes).
   */
  updatedFilter?: UpdatedFilterGroups;
}

export const UPDATED_FILTER_GROUPS = ['referrals', 'all'] as const;
export type UpdatedFilterGroups = (typeof UPDATED_FILTER_GROUPS)[number];

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number; // 0 when the connection was reset
  bytes: number; // response body bytes written
  fault?: string;
  at: string;
}

/** How the simulator phrases write replies and timestamps (main/sim/reply-variants.ts applies them). */
export const REPLY_STYLES = ['id', 'id-string', 'bare', 'string', 'array', 'empty', 'none'] as const;
export type SimReplyStyle = (typeof REPLY_STYLES)[number];

export const TIMESTAMP_FORMATS = ['seed', 'iso', 'no-seconds', 'zero'] as const;
export type SimTimestampFormat = (typeof TIMESTAMP_FORMATS)[number];
