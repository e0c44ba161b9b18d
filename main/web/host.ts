// The browser host: the built renderer and the IPC contract over HTTP on 127.0.0.1 only, for the
// end-to-end tests in Chromium and for machines where Electron cannot run. `POST /rpc/<channel>`
// takes the JSON input and answers the JSON envelope; `GET /events` streams push events (SSE).
// `/rpc/*` and `/events` demand the per-run token (`Authorization: Bearer`, for scripts) or a per-tab
// session the printed URL is exchanged for; never a cookie, since cookies ignore ports and would reach
// every other server on 127.0.0.1. Every route demands a loopback Host header (DNS rebinding) and no
// foreign Origin or cross-site fetch; the page and its assets (the public bundle) need nothing more.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fail, type ErrorBody, type Result } from '../../shared/ipc/envelope.js';
import type { EventName } from '../../shared/ipc/events.js';
import type { LogWriter } from '../ipc/error-envelope.js';
import type { Dispatcher } from '../ipc/register.js';
import { SECURITY_HEADERS } from '../../shared/security-policy.js';
import { resolveStatic } from './static-files.js';

/** What the host needs of the event hub (main/ipc/event-hub.ts satisfies it). */
export interface EventFeed {
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void;
  latest?(name: EventName): unknown;
}

export interface WebHostOptions {
  dispatcher: Dispatcher;
  /** The built renderer (index.html and its assets). */
  staticDir: string;
  events?: EventFeed;
  /** Default 0: a free port. */
  port?: number;
  /** Largest request body accepted (default: enough for five 10 MB files in base64). */
  maxBodyBytes?: number;
  /** Largest total of request bodies held in memory at once, across concurrent requests (default 2 × maxBodyBytes). */
  maxTotalBodyBytes?: number;
  /** Seconds between SSE keep-alive comments (default 20). */
  heartbeatSeconds?: number;
  log?: LogWriter;
}

export interface WebHost {
  /** Open this once: it carries the token (`http://127.0.0.1:PORT/?token=…`). */
  url: string;
  /** `http://127.0.0.1:PORT`, without the token. */
  origin: string;
  port: number;
  /** `/rpc/<channel>` for every channel of the contract. */
  rpcRoutes: readonly string[];
  close(): Promise<void>;
}

export class WebHostError extends Error {
  override name = 'WebHostError';
}

const WEB_SENDER = Symbol('caseworker.web-host-sender');

/** The dispatcher's sender check for the browser host: true only for requests this host authorised. */
export function isWebHostSender(sender: unknown): boolean {
  return typeof sender === 'object' && sender !== null && (sender as Record<symbol, unknown>)[WEB_SENDER] === true;
}

export const DEFAULT_MAX_BODY_BYTES = 72 * 1024 * 1024;

const BUSY_RECEIVING = 'Caseworker is busy receiving other large requests: try again in a moment.';

/** Where `npm run build:renderer` (vite.config.ts) puts the renderer, found from this module so any cwd works. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The header the page sends its per-tab session in (renderer/src/api/web-transport.ts). */
export const SESSION_HEADER = 'X-Caseworker-Session';

function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function sendEnvelope(res: http.ServerResponse, status: number, envelope: Result<unknown>): void {
  send(res, status, JSON.stringify(envelope), { 'Content-Type': 'application/json; charset=utf-8' });
}

function sendError(res: http.ServerResponse, status: number, error: ErrorBody): void {
  sendEnvelope(res, status, { ok: false, error });
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = randomBytes(32).toString('base64url');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxTotalBody = Math.max(maxBody, options.maxTotalBodyBytes ?? 2 * maxBody);
  const heartbeatMs = (options.heartbeatSeconds ?? 20) * 1000;
  const routes = new Map<string, string>(options.dispatcher.channels.map((channel) => [`/rpc/${channel}`, channel]));
  const streams = new Set<http.ServerResponse>();
  let port = 0;
  let bodyBytesHeld = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  // A session is `<nonce>.<HMAC(token, nonce)>`: minted per visit of the printed URL, checked without
  // a table, worthless on any other run (the token is per run).
  const sessionMac = (nonce: string) => createHmac('sha256', token).update(`caseworker-session:${nonce}`).digest('base64url');
  const mintSession = () => {
    const nonce = randomBytes(18).toString('base64url');
    return `${nonce}.${sessionMac(nonce)}`;
  };
  function validSession(value: string | null | undefined): boolean {
    if (typeof value !== 'string') return false;
    const dot = value.indexOf('.');
    return dot > 0 && sameSecret(value.slice(dot + 1), sessionMac(value.slice(0, dot)));
  }

  function hasToken(req: http.IncomingMessage, url: URL): boolean {
    const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/)?.[1];
    if (bearer !== undefined && sameSecret(bearer, token)) return true;
    const session = req.headers[SESSION_HEADER.toLowerCase()];
    if (typeof session === 'string' && validSession(session)) return true;
    // EventSource cannot send headers: the event stream alone takes the session in its URL.
    return url.pathname === '/events' && validSession(url.searchParams.get('session'));
  }

  /** 403 reasons: a Host that is not us (DNS rebinding), a foreign Origin, a cross-site fetch. */
  function refusal(req: http.IncomingMessage): string | null {
    const host = req.headers.host?.toLowerCase();
    if (!host || !allowedHosts().has(host)) return 'this server answers only to 127.0.0.1 on its own port';
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin.toLowerCase())) return 'requests from other sites are refused';
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'requests from other sites are refused';
    return null;
  }

  async function handleRpc(req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') {
      sendError(res, 405, { code: 'VALIDATION', message: 'Use POST with a JSON body.' });
      return;
    }
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      sendError(res, 415, { code: 'VALIDATION', message: 'The body must be JSON (Content-Type: application/json).' });
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      res.setHeader('Connection', 'close');
      sendError(res, 413, { code: 'VALIDATION', message: `The request is larger than ${Math.round(maxBody / 1024 / 1024)} MB.` });
      req.resume();
      return;
    }
    // Concurrent bodies share one budget: many large requests at once get 503, not all of memory. A
    // declared length is reserved up front; a chunked body counts as it arrives.
    const reserved = Number.isFinite(declared) && declared > 0 ? declared : 0;
    if (bodyBytesHeld + reserved > maxTotalBody) {
      res.setHeader('Connection', 'close');
      sendError(res, 503, { code: 'INTERNAL', message: BUSY_RECEIVING });
      req.resume();
      return;
    }
    bodyBytesHeld += reserved;
    const chunks: Buffer[] = [];
    let size = 0;
    const held = () => Math.max(size, reserved);
    let refusal: 413 | 503 | null = null;
    let input: unknown;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        const before = held();
        size += chunk.length;
        if (size > maxBody) {
          refusal = 413;
          break;
        }
        if (refusal === 503) continue; // read to its end and dropped, so the client hears the answer
        bodyBytesHeld += held() - before;
        if (bodyBytesHeld > maxTotalBody) {
          refusal = 503;
          bodyBytesHeld -= held();
          chunks.length = 0;
          continue;
        }
        chunks.push(chunk);
      }
      if (refusal === 503) {
        sendError(res, 503, { code: 'INTERNAL', message: BUSY_RECEIVING });
        return;
      }
      if (refusal === 413) {
        res.setHeader('Connection', 'close');
        sendError(res, 413, { code: 'VALIDATION', message: `The request is larger than ${Math.round(maxBody / 1024 / 1024)} MB.` });
        res.on('finish', () => req.destroy());
        return;
      }
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        sendError(res, 400, { code: 'VALIDATION', message: 'The request body is not valid JSON.' });
        return;
      }
    } finally {
      // The parsed input is what the dispatcher holds from here; the raw bytes leave the budget.
      if (refusal !== 503) bodyBytesHeld -= held();
      chunks.length = 0;
    }
    const envelope = await options.dispatcher.dispatch(channel, input, { [WEB_SENDER]: true });
    sendEnvelope(res, 200, envelope);
  }

  function handleEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET') {
      send(res, 405, 'Use GET for the event stream.', { Allow: 'GET', 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    const write = (name: string, payload: unknown) => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    };
    for (const sticky of ['sync:status', 'outbox:changed', 'core:status'] as const) {
      const latest = options.events?.latest?.(sticky);
      if (latest !== undefined) write(sticky, latest);
    }
    const unsubscribe = options.events?.subscribe(write) ?? (() => {});
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    streams.add(res);
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', stop);
    res.on('close', stop);
  }

  function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    const answer = resolveStatic(options.staticDir, url.pathname);
    if (answer.kind === 'not-found') {
      send(res, 404, 'Not found.', { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    let body: Buffer;
    try {
      body = fs.readFileSync(answer.file);
    } catch {
      if (answer.file.endsWith('index.html')) {
        send(res, 503, 'The app is not built yet: run `npm run build` (or the renderer build) and reload.', { 'Content-Type': 'text/plain; charset=utf-8' });
      } else {
        send(res, 404, 'Not found.', { 'Content-Type': 'text/plain; charset=utf-8' });
      }
      return;
    }
    // Built assets are content-hashed; the page itself must always be fresh.
    const cache = answer.kind === 'file' && !answer.file.endsWith('.html') ? 'private, max-age=3600' : 'no-store';
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': answer.contentType, 'Cache-Control': cache, 'Content-Length': String(body.length) });
      res.end();
      return;
    }
    send(res, 200, body, { 'Content-Type': answer.contentType, 'Cache-Control': cache });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const refused = refusal(req);
    if (refused) {
      send(res, 403, `Forbidden: ${refused}.`, { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      send(res, 400, 'Bad request.', { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }

    // First visit: the token arrives in the URL once and is exchanged for a per-tab session, handed to
    // the page in the fragment (never sent to a server, read and removed by the page at once).
    const offered = url.searchParams.get('token');
    if (offered !== null && (req.method === 'GET' || req.method === 'HEAD') && !url.pathname.startsWith('/rpc/')) {
      if (!sameSecret(offered, token)) {
        send(res, 401, 'This link has expired: use the address printed when Caseworker started.', { 'Content-Type': 'text/plain; charset=utf-8' });
        return;
      }
      url.searchParams.delete('token');
      send(res, 303, '', { Location: `${url.pathname}${url.search}#session=${mintSession()}` });
      return;
    }

    const isRpc = url.pathname.startsWith('/rpc/') || url.pathname === '/rpc';
    if ((isRpc || url.pathname === '/events') && !hasToken(req, url)) {
      sendError(res, 401, { code: 'UNAUTHORIZED', message: 'Open Caseworker through the address it printed when it started (it carries the access token).' });
      return;
    }

    if (isRpc) {
      const channel = routes.get(url.pathname);
      if (!channel) {
        sendEnvelope(res, 404, fail('NOT_FOUND', `There is no channel at ${url.pathname.slice(0, 80)}.`));
        return;
      }
      await handleRpc(req, res, channel);
      return;
    }
    if (url.pathname === '/events') {
      handleEvents(req, res);
      return;
    }
    handleStatic(req, res, url);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.('web.request_failed', { error: error instanceof Error ? error.name : typeof error });
      if (!res.headersSent) sendError(res, 500, { code: 'INTERNAL', message: 'Caseworker could not answer this request.' });
      else res.destroy();
    });
  });
  server.requestTimeout = 5 * 60_000;
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new WebHostError(`port ${options.port} is already in use: choose another with --port`)
          : new WebHostError(`could not listen on 127.0.0.1:${options.port ?? 0}: ${error.message}`),
      );
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    rpcRoutes: [...routes.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
