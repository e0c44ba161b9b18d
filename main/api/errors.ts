// Everything that can go wrong talking to a Dizions server, classified once, here: retryable
// (network, timeouts, 429, 5xx, broken replies), unauthorised (401/403) or rejected (other 4xx,
// with the server's message). `mayHaveCommitted` tells the outbox whether a failed write is in doubt.

import { errorMessageFromBody } from '../../shared/dizions/assumptions.js';

export type DizionsErrorKind = 'retryable' | 'unauthorised' | 'rejected';

/**
 * How far the request got: `connect` — it never left this machine (refused, no such host, connect
 * timeout); `sent` — it was (or may have been) written but no status line came back (reset, timeout);
 * `reply` — a status line arrived (an error status, or a 2xx whose body was cut off or unreadable).
 */
export type RequestPhase = 'connect' | 'sent' | 'reply';

export interface RequestLabel {
  method: string;
  /** The printed path, relative to /v2. */
  path: string;
}

export interface DizionsErrorInit extends RequestLabel {
  kind: DizionsErrorKind;
  status: number;
  phase: RequestPhase;
  message: string;
  mayHaveCommitted?: boolean;
  retryAfterMs?: number;
  serverMessage?: string;
  cause?: unknown;
}

export class DizionsError extends Error {
  override name = 'DizionsError';
  readonly kind: DizionsErrorKind;
  /** HTTP status; 0 when no status line arrived (network failure, timeout). */
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly phase: RequestPhase;
  /** True when a write may have been applied although we got no usable reply: the outbox must check before sending it again. */
  readonly mayHaveCommitted: boolean;
  /** From `Retry-After` (seconds or an HTTP date). */
  readonly retryAfterMs: number | undefined;
  /** What the server said, from its error body (`{"error": "…"}`, a JSON string or plain text). */
  readonly serverMessage: string | undefined;

  constructor(init: DizionsErrorInit) {
    super(`${init.method} ${init.path}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.phase = init.phase;
    this.mayHaveCommitted = init.mayHaveCommitted ?? false;
    this.retryAfterMs = init.retryAfterMs;
    this.serverMessage = init.serverMessage;
  }
}

export function isWriteMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper !== 'GET' && upper !== 'HEAD' && upper !== 'OPTIONS';
}

/** `Retry-After` is either delta-seconds or an HTTP date; returns milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function inDoubt(label: RequestLabel): string {
  return isWriteMethod(label.method) ? '; the change may have been saved' : '';
}

function withServerMessage(text: string, serverMessage: string | undefined): string {
  return serverMessage ? `${text}: ${serverMessage}` : text;
}

/** A reply with a non-2xx status. */
export function errorFromStatus(label: RequestLabel, status: number, headers: Record<string, string | string[] | undefined>, body: string, now = Date.now()): DizionsError {
  const serverMessage = errorMessageFromBody(body) || undefined;
  const base = { ...label, status, phase: 'reply' as const, serverMessage };
  if (status === 401) {
    return new DizionsError({ ...base, kind: 'unauthorised', message: withServerMessage('the server refused the keys (401): check the Source, Org and User keys', serverMessage) });
  }
  if (status === 403) {
    return new DizionsError({ ...base, kind: 'unauthorised', message: withServerMessage('the server refused access for this user (403)', serverMessage) });
  }
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], now);
    // A gateway that gave up waiting (502/504) cannot tell whether the server behind it committed.
    const mayHaveCommitted = isWriteMethod(label.method) && (status === 502 || status === 504);
    const what =
      status === 429
        ? `the server asked us to slow down (429)${retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`}`
        : withServerMessage(`the server failed (${status})`, serverMessage) + (mayHaveCommitted ? inDoubt(label) : '');
    return new DizionsError({ ...base, kind: 'retryable', mayHaveCommitted, message: what, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (status >= 400) {
    return new DizionsError({ ...base, kind: 'rejected', message: withServerMessage(`the server rejected the request (${status})`, serverMessage) });
  }
  // 1xx/3xx that undici hands back: the API never redirects, so treat it as a refusal we cannot act on.
  return new DizionsError({ ...base, kind: 'rejected', message: withServerMessage(`unexpected reply status ${status}`, serverMessage) });
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

/** TLS could not trust the server: nothing was sent, and retrying will not help until the trust store changes. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A certificate the computer does not trust, or a proxy that refused the tunnel: nothing reached the server. */
function connectRefusal(error: unknown, code: string | undefined, origin: string | undefined): string | undefined {
  const where = origin ? ` at ${origin}` : '';
  if (code && CERTIFICATE_CODES.has(code)) {
    return (
      `the server's certificate${where} is not trusted by this computer (${code}). If your office inspects HTTPS traffic, ask IT for its root certificate: ` +
      "the desktop app trusts the system's certificate store; for the command line set NODE_EXTRA_CA_CERTS to the certificate's PEM file"
    );
  }
  const message = error instanceof Error ? error.message : '';
  const proxy = /Proxy response \((\d{3})\)/.exec(message);
  if (proxy) {
    return proxy[1] === '407'
      ? `the proxy asked for a sign-in (407) before connecting to the server${where}: give its user name and password in the proxy address (http://user:password@proxy:port)`
      : `the proxy refused to connect to the server${where} (${proxy[1]})`;
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (Array.isArray((e as { errors?: unknown }).errors)) {
      // AggregateError from happy-eyeballs connects: any member's code will do.
      const inner = (e as { errors: unknown[] }).errors.map(errorCode).find(Boolean);
      if (inner) return inner;
    }
  }
  return undefined;
}

function isTimeout(error: unknown, code: string | undefined): boolean {
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return true;
  const name = (error as { name?: unknown })?.name;
  const cause = (error as { cause?: { name?: unknown } })?.cause;
  return name === 'TimeoutError' || cause?.name === 'TimeoutError';
}

export interface NetworkContext {
  /** Where the failure happened; `sent` is refined to `connect` for errors that prove nothing left this machine. */
  phase: 'sent' | 'reply';
  /** The status line, when the failure happened while reading the body. */
  status?: number;
  bytesReceived?: number;
  timeoutMs?: number;
  origin?: string;
}

/** A failure below HTTP: refused connection, reset, timeout, a reply cut off. */
export function errorFromNetwork(label: RequestLabel, error: unknown, context: NetworkContext): DizionsError {
  const code = errorCode(error);
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  const status = context.status ?? 0;
  const write = isWriteMethod(label.method);
  const refusal = context.phase === 'sent' ? connectRefusal(error, code, context.origin) : undefined;
  if (refusal) return new DizionsError({ ...label, kind: 'retryable', status: 0, phase: 'connect', message: refusal, cause: error });
  if (context.phase === 'sent' && code && CONNECT_CODES.has(code)) {
    const what =
      code === 'UND_ERR_CONNECT_TIMEOUT'
        ? `could not connect to the server${context.origin ? ` at ${context.origin}` : ''} in time`
        : `cannot reach the server${context.origin ? ` at ${context.origin}` : ''} (${detail})`;
    return new DizionsError({ ...label, kind: 'retryable', status: 0, phase: 'connect', message: what, cause: error });
  }
  if (context.phase === 'reply') {
    // The status line arrived; the body did not come whole.
    const ok = status >= 200 && status < 300;
    const what = isTimeout(error, code) ? `the reply stalled after ${context.bytesReceived ?? 0} bytes` : `the reply was cut off after ${context.bytesReceived ?? 0} bytes (${detail})`;
    return new DizionsError({
      ...label,
      kind: 'retryable',
      status,
      phase: 'reply',
      cause: error,
      mayHaveCommitted: write && (ok || status === 502 || status === 504),
      message: what + (write && ok ? `; the server accepted the change (${status}) but its reply was lost` : ''),
    });
  }
  const what = isTimeout(error, code)
    ? `the server did not answer${context.timeoutMs ? ` within ${formatSeconds(context.timeoutMs)}` : ''}`
    : `the connection was lost before the reply arrived (${detail})`;
  return new DizionsError({ ...label, kind: 'retryable', status: 0, phase: 'sent', mayHaveCommitted: write, message: what + inDoubt(label), cause: error });
}

/**
 * A 2xx reply whose body is not what the API promises. Malformed JSON is usually a reply damaged in
 * transit: retryable. A well-formed reply of the wrong shape will not improve on retry: a GET gets
 * `rejected`. Either way a write is in doubt: the server said 2xx.
 */
export function errorFromBadReply(label: RequestLabel, status: number, detail: string, options: { wrongShape: boolean; cause?: unknown }): DizionsError {
  const write = isWriteMethod(label.method);
  return new DizionsError({
    ...label,
    kind: write || !options.wrongShape ? 'retryable' : 'rejected',
    status,
    phase: 'reply',
    mayHaveCommitted: write,
    cause: options.cause,
    message: `${detail}${write ? `; the server accepted the change (${status}) but its reply is unusable` : ''}`,
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
