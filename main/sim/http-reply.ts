// Writing the simulator's replies onto node:http responses: whole JSON documents, large row sets
// streamed as a JSON array under backpressure, and the deliberately broken bodies of the fault
// modes (cut off, not JSON, trickled). Every writer returns the body bytes it actually wrote.
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip, gzipSync } from 'node:zlib';
import type { SimResponse } from './types.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Rows are serialised into chunks of about this many characters before each write. */
const STREAM_CHUNK_CHARS = 64 * 1024;
/** A client that reads nothing for this long while a stream waits on it is cut off. */
const STALLED_CLIENT_MS = 60_000;

/** A reply the request pipeline can throw: status plus a message for `{"error": "…"}`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): number {
  // undefined: an empty body (--reply-style empty answers updates with nothing at all).
  const body = value === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(value) ?? 'null');
  res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
  res.end(body);
  return body.length;
}

export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): number {
  return sendJson(res, status, { error: message }, headers);
}

/** Sends a handler's reply: `json` in one piece, `rows` streamed as a JSON array; gzipped when the client accepts it. */
export async function sendSimResponse(res: ServerResponse, response: SimResponse, options: { gzip?: boolean } = {}): Promise<number> {
  if (options.gzip) {
    // An empty body (an update answered with nothing) stays empty: there is nothing to compress.
    if ('json' in response)
      return response.json === undefined ? sendJson(res, response.status, undefined, response.headers ?? {}) : sendGzippedJson(res, response.status, response.json, response.headers ?? {});
    return streamRows(res, response.status, response.rows, true);
  }
  if ('json' in response) return sendJson(res, response.status, response.json, response.headers ?? {});
  return streamRows(res, response.status, response.rows);
}

/**
 * Whether an `Accept-Encoding` header accepts gzip (`gzip`, `x-gzip` or `*`, unless given q=0).
 * The API's manual says nothing of compression; a server behind any common web server honours this.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/** gzip level 1, as nginx's default: most of the saving for a fraction of the CPU. */
const GZIP_OPTIONS = { level: 1 };
const GZIP_HEADERS = { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' };

function sendGzippedJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): number {
  const body = gzipSync(Buffer.from(JSON.stringify(value) ?? 'null'), GZIP_OPTIONS);
  res.writeHead(status, { ...headers, ...GZIP_HEADERS, 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
  res.end(body);
  return body.length;
}

/** Streams rows as `[row,row,…]` in chunks, waiting for the socket to drain between chunks, so
 * memory stays flat however many rows there are. Stops early if the client goes away. */
export async function streamRows(res: ServerResponse, status: number, rows: Iterable<Record<string, unknown>>, gzip = false): Promise<number> {
  if (gzip) return streamGzippedRows(res, status, rows);
  res.writeHead(status, { 'Content-Type': JSON_TYPE }); // no Content-Length: chunked
  let bytes = 0;
  let pending = '[';
  let first = true;
  for (const row of rows) {
    if (res.destroyed) return bytes; // leaving the loop closes the iterator
    pending += (first ? '' : ',') + JSON.stringify(row);
    first = false;
    if (pending.length >= STREAM_CHUNK_CHARS) {
      const chunk = Buffer.from(pending);
      pending = '';
      bytes += chunk.length;
      if (!res.write(chunk)) {
        await drained(res);
        if (res.destroyed) return bytes; // before pulling another batch from a store that may be closing
      }
    }
  }
  if (res.destroyed) return bytes;
  const last = Buffer.from(pending + ']');
  bytes += last.length;
  res.end(last);
  return bytes;
}

/** streamRows through gzip: the same chunks and backpressure, the compressed bytes counted. */
async function streamGzippedRows(res: ServerResponse, status: number, rows: Iterable<Record<string, unknown>>): Promise<number> {
  res.writeHead(status, { ...GZIP_HEADERS, 'Content-Type': JSON_TYPE });
  const gzip = createGzip(GZIP_OPTIONS);
  let bytes = 0;
  gzip.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (!res.write(chunk)) gzip.pause();
  });
  res.on('drain', () => gzip.resume());
  const ended = new Promise<void>((resolve) => {
    gzip.once('end', resolve);
    gzip.once('close', resolve);
  });
  let pending = '[';
  let first = true;
  for (const row of rows) {
    if (res.destroyed) {
      gzip.destroy();
      return bytes;
    }
    pending += (first ? '' : ',') + JSON.stringify(row);
    first = false;
    if (pending.length >= STREAM_CHUNK_CHARS) {
      gzip.write(pending);
      pending = '';
      // The socket first (a paused gzip resumes when it drains), then gzip's own input.
      if (res.writableNeedDrain) await drained(res);
      if (gzip.writableNeedDrain && !res.destroyed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            gzip.off('drain', done);
            res.off('close', done);
            resolve();
          };
          gzip.on('drain', done);
          res.on('close', done);
        });
      }
      if (res.destroyed) {
        gzip.destroy();
        return bytes;
      }
    }
  }
  gzip.end(pending + ']');
  await ended;
  if (!res.destroyed) res.end();
  return bytes;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(() => {
      res.destroy(new Error('client stopped reading'));
      done();
    }, STALLED_CLIENT_MS);
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The whole body of a reply as bytes (the fault modes that tamper with a body need all of it). */
export function renderBody(response: SimResponse): Buffer {
  if ('json' in response) return Buffer.from(JSON.stringify(response.json) ?? 'null');
  const parts: Buffer[] = [Buffer.from('[')];
  let first = true;
  for (const row of response.rows) {
    parts.push(Buffer.from((first ? '' : ',') + JSON.stringify(row)));
    first = false;
  }
  parts.push(Buffer.from(']'));
  return Buffer.concat(parts);
}

/** Closes an unread row iterator (a lazy SQLite cursor keeps its connection busy until closed). */
export function discardBody(response: SimResponse): void {
  if ('rows' in response) response.rows[Symbol.iterator]().return?.();
}

/** `truncate`: a chunked reply whose body stops half-way and whose connection then drops, so the
 * missing terminating chunk tells an honest client the body is incomplete. */
export function sendTruncated(res: ServerResponse, status: number, body: Buffer): Promise<number> {
  const cut = body.subarray(0, Math.floor(body.length / 2));
  res.writeHead(status, { 'Content-Type': JSON_TYPE }); // chunked, never a Content-Length
  return new Promise((resolve) => {
    const drop = () => {
      res.socket?.destroy();
      resolve(cut.length);
    };
    if (cut.length === 0) {
      res.flushHeaders();
      setImmediate(drop);
    } else {
      res.write(cut, drop);
    }
  });
}

/** `malformed`: a complete, well-framed 200 whose body is an HTML error page, not JSON. */
export const MALFORMED_BODY = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The upstream server did not answer in time.</p></body></html>\n';

export function sendMalformed(res: ServerResponse): number {
  const body = Buffer.from(MALFORMED_BODY);
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
  res.end(body);
  return body.length;
}

/** `trickle`: the whole body, correctly framed, but in small pieces at about `bytesPerSecond`
 * (ten pieces a second, or one byte at a time below 10 B/s). Stops if the client leaves. */
export async function sendTrickled(res: ServerResponse, status: number, body: Buffer, bytesPerSecond: number, signal: AbortSignal): Promise<number> {
  const piece = Math.max(1, Math.floor(bytesPerSecond / 10));
  const intervalMs = (piece / bytesPerSecond) * 1000;
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
  res.flushHeaders();
  let bytes = 0;
  while (bytes < body.length) {
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      res.destroy();
      return bytes;
    }
    if (res.destroyed) return bytes;
    const next = body.subarray(bytes, bytes + piece);
    bytes += next.length;
    res.write(next);
  }
  res.end();
  return bytes;
}
