// The result envelope every IPC and browser-host call answers with. Electron passes only an
// error's message across ipcMain.handle, so failures travel as data with a closed set of codes;
// the renderer turns an error envelope back into a typed IpcError.

export const ERROR_CODES = [
  'VALIDATION', // the input broke the channel's schema (details: the issues, path + message)
  'NOT_FOUND', // no such record, outbox entry or saved report
  'CONFLICT', // the record changed on the server too: resolve in the outbox
  'OFFLINE', // the server could not be reached (or failed): edits stay queued
  'UNAUTHORIZED', // the server refused the Source/Org/User keys
  'REJECTED', // the server refused the request, with its message
  'INTERNAL', // a fault in Caseworker itself; details only in the support log
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export interface ErrorBody {
  code: ErrorCode;
  /** A sentence a field worker can act on. Never a stack trace. */
  message: string;
  details?: unknown;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

export function fail(code: ErrorCode, message: string, details?: unknown): Result<never> {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } };
}

/** One problem with an input, as VALIDATION details carry it: `fields.first_name` + a sentence. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** The typed error the renderer throws from an error envelope. */
export class IpcError extends Error {
  override name = 'IpcError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The per-field issues of a VALIDATION error (empty for other codes). */
  get issues(): ValidationIssue[] {
    if (this.code !== 'VALIDATION') return [];
    const issues = (this.details as { issues?: unknown } | undefined)?.issues;
    if (!Array.isArray(issues)) return [];
    return issues.filter((i): i is ValidationIssue => !!i && typeof (i as ValidationIssue).path === 'string' && typeof (i as ValidationIssue).message === 'string');
  }
}

/** Anything that looks like an envelope; used where a reply crossed a process or network boundary. */
export function isResult(value: unknown): value is Result<unknown> {
  if (!value || typeof value !== 'object') return false;
  const v = value as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return 'data' in v;
  return v.ok === false && !!v.error && isErrorCode(v.error.code) && typeof v.error.message === 'string';
}

/** The data of a success, or throws the IpcError of a failure (and of a reply that is no envelope). */
export function unwrap<T>(result: Result<T> | unknown): T {
  if (!isResult(result)) throw new IpcError('INTERNAL', 'Caseworker sent a reply it could not read.');
  if (result.ok) return result.data as T;
  throw new IpcError(result.error.code, result.error.message, result.error.details);
}
