// The simulator's HTTP server: /v2/… is the Dizions API (authenticate the three keys, parse the
// body, inject latency and faults, answer from the data layer, log), /_control/… is the test and
// training endpoint. One bad request never takes the server down: every failure becomes a JSON
// error reply (or, once a reply has started, a dropped connection) and a line on stderr.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleApiRequest } from './api-handler.js';
import { handleControlRequest, type ControlContext } from './control.js';
import { FaultPlan, type FaultDecision } from './faults.js';
import { HttpError, acceptsGzip, discardBody, renderBody, sendError, sendMalformed, sendSimResponse, sendTrickled, sendTruncated } from './http-reply.js';
import { dialableHost, isLoopbackHost } from './loopback.js';
import { bodyLimitFor, parseFormBody, readBody } from './request-body.js';
import { varyReply, type ReplyVariantOptions } from './reply-variants.js';
import { openSimStore, type SimStore } from './store.js';
import type { DemoUserLine, RequestLogEntry, SimOptions, SimRequest, SimUser } from './types.js';

export interface RunningSimulator {
  url: string; // http://127.0.0.1:PORT/v2
  controlUrl: string; // http://127.0.0.1:PORT/_control
  users: DemoUserLine[];
  store: SimStore;
  /** Every API request, oldest first (the newest MAX_LOG_ENTRIES are kept). */
  requestLog: RequestLogEntry[];
  /** Replaces the active fault spec ('' = none); throws FaultSpecError on a bad spec. */
  setFaults(spec: string): void;
  /** Stops listening, drops open connections, closes the store; removes the temp data dir if one was made. */
  close(): Promise<void>;
}

const API_PREFIX = '/v2/';
const CONTROL_PREFIX = '/_control/';
const MAX_LOG_ENTRIES = 10_000;
const FAULT_REPLIES = {
  '429': 'too many requests: slow down and retry after the Retry-After interval',
  '500': 'internal server error (simulated fault)',
  '503': 'service unavailable (simulated fault)',
} as const;

export function demoUserLine(user: SimUser): DemoUserLine {
  return { id: user.id, name: user.name, worker: user.worker, source: user.source, org: user.org, user: user.user };
}

export async function startSimulator(options: SimOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    process.stderr.write(
      `caseworker sim: WARNING: listening on ${host}, not loopback. Other machines can reach the simulated API; its keys are public demo keys. The control endpoint still answers only this machine.\n`,
    );
  }
  const latencyMs = options.latencyMs ?? 0;
  let plan = new FaultPlan(options.faults ?? ''); // a bad spec throws before anything is created

  const tempDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'caseworker-sim-'));
  const dataDir = options.dataDir ?? tempDir!;
  let store: SimStore;
  try {
    mkdirSync(join(dataDir, 'uploads'), { recursive: true });
    store = openSimStore({
      file: join(dataDir, 'sim.db'),
      uploadsDir: join(dataDir, 'uploads'),
      seed: options.seed ?? 1,
      clients: options.clients ?? 200,
      ...(options.dialect ? { dialect: options.dialect } : {}),
      ...(options.storeKey !== undefined ? { key: options.storeKey } : {}),
    });
  } catch (error) {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
  if (options.updatedFilter) store.updatedFilter = options.updatedFilter;
  if (store.updatedFilter === 'all') store.indexUpdated();
  const users = store.users().map(demoUserLine);
  const lifetime = new AbortController();
  const requestLog: RequestLogEntry[] = [];
  const sockets = new Set<Socket>();

  const log = (entry: RequestLogEntry) => {
    requestLog.push(entry);
    if (requestLog.length > MAX_LOG_ENTRIES) requestLog.splice(0, requestLog.length - MAX_LOG_ENTRIES);
    if (options.logToStderr) {
      process.stderr.write(`${entry.at} ${entry.method} /v2/${entry.path} ${entry.status || 'reset'} ${entry.bytes}B${entry.fault ? ` fault=${entry.fault}` : ''}\n`);
    }
  };

  const control: ControlContext = {
    store,
    latencyMs,
    requestLog,
    users: () => users,
    faults: () => plan,
    setFaults: (spec) => {
      plan = new FaultPlan(spec);
    },
    clearLog: () => requestLog.splice(0, requestLog.length).length,
  };

  const variants: ReplyVariantOptions = {
    ...(options.replyStyle ? { replyStyle: options.replyStyle } : {}),
    ...(options.timestampFormat ? { timestampFormat: options.timestampFormat } : {}),
  };
  const api: ApiContext = { store, latencyMs, signal: lifetime.signal, plan: () => plan, log, variants };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const path = url.startsWith('/') ? url : pathOfAbsoluteUrl(url);
    if (path.startsWith(API_PREFIX)) {
      void answerApi(api, req, res, path.slice(API_PREFIX.length));
    } else if (path.startsWith(CONTROL_PREFIX)) {
      void handleControlRequest(control, req, res, path.slice(CONTROL_PREFIX.length));
    } else {
      sendError(res, 404, `nothing here: the API lives under /v2/ and the control endpoint under /_control/`);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error, socket) => {
    // Unparseable HTTP: answer 400 if the socket still can, never crash.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"malformed HTTP request"}');
    else socket.destroy(error);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    store.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const origin = `http://${dialableHost(host)}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/v2`,
    controlUrl: `${origin}/_control`,
    users,
    store,
    requestLog,
    setFaults: control.setFaults,
    close: () => {
      closing ??= (async () => {
        lifetime.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        store.close();
        if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function pathOfAbsoluteUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return '/';
  }
}

interface ApiContext {
  store: SimStore;
  latencyMs: number;
  signal: AbortSignal;
  plan: () => FaultPlan;
  log: (entry: RequestLogEntry) => void;
  variants: ReplyVariantOptions;
}

/** One /v2 request from arrival to log line. `path` is relative to /v2, query included. */
async function answerApi(context: ApiContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const entry: RequestLogEntry = { method, path, status: 0, bytes: 0, at: new Date().toISOString() };
  const finish = ({ status, bytes }: Outcome) => context.log({ ...entry, status, bytes: method === 'HEAD' ? 0 : bytes });

  // Faults are drawn in arrival order, before authentication, so a spec replays identically.
  const decision = context.plan().decide(method, path);
  if (decision.label) entry.fault = decision.label;
  try {
    const delay = context.latencyMs + decision.latencyMs;
    if (delay > 0) await sleep(delay, undefined, { signal: context.signal });
    finish(await respond(context, req, res, method, path, decision));
  } catch (error) {
    if (context.signal.aborted || res.destroyed) {
      res.destroy();
      finish(DROPPED);
    } else if (res.headersSent) {
      // The reply had started (a stream failed half-way): the only honest signal left is a reset.
      process.stderr.write(`caseworker sim: ${method} /v2/${path} failed mid-reply: ${(error as Error).message}\n`);
      res.destroy();
      finish(DROPPED);
    } else if (error instanceof HttpError) {
      finish({ status: error.status, bytes: sendError(res, error.status, error.message, error.headers) });
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`caseworker sim: ${method} /v2/${path} failed: ${(error as Error)?.stack ?? message}\n`);
      finish({ status: 500, bytes: sendError(res, 500, `the simulator failed on this request: ${message}`) });
    }
  }
}

interface Outcome {
  status: number; // 0: the connection dropped without a (complete) reply
  bytes: number; // body bytes written
}
const DROPPED: Outcome = { status: 0, bytes: 0 };

async function respond(context: ApiContext, req: IncomingMessage, res: ServerResponse, method: string, path: string, decision: FaultDecision): Promise<Outcome> {
  const fault = decision.mode;
  if (res.destroyed) return DROPPED; // the client left during the latency
  if (fault === 'reset-before') {
    req.socket.destroy();
    return DROPPED;
  }
  if (fault === '429' || fault === '500' || fault === '503') {
    const status = Number(fault);
    const headers: Record<string, string> = fault === '429' ? { 'Retry-After': String(context.plan().settings.retryAfterSeconds) } : {};
    return { status, bytes: sendError(res, status, FAULT_REPLIES[fault], headers) };
  }

  const user = authenticate(context.store, req);
  let form: Record<string, string> = {};
  let files: SimRequest['files'] = [];
  if (method === 'PUT' || method === 'POST') {
    const contentType = req.headers['content-type'];
    ({ form, files } = await parseFormBody(contentType, await readBody(req, bodyLimitFor(contentType))));
  }
  const request: SimRequest = { method, path, user, form, files };

  // Streams interleave with other requests between chunks: the data layer's row iterables read
  // in keyset batches and hold no SQLite cursor across a yield.
  const response = varyReply(context.variants, method, path, handleApiRequest(context.store, request));
  switch (fault) {
    case 'reset-after': // the request ran (a write is committed); the reply is lost
      discardBody(response);
      req.socket.destroy();
      return DROPPED;
    case 'malformed':
      discardBody(response);
      return { status: 200, bytes: sendMalformed(res) };
    case 'truncate':
      return { status: response.status, bytes: await sendTruncated(res, response.status, renderBody(response)) };
    case 'trickle': {
      const body = renderBody(response);
      const bytes = await sendTrickled(res, response.status, body, context.plan().settings.trickleBytesPerSecond, context.signal);
      return { status: bytes === body.length ? response.status : 0, bytes };
    }
    default: {
      const bytes = await sendSimResponse(res, response, { gzip: acceptsGzip(req.headers['accept-encoding']) });
      return { status: res.writableEnded ? response.status : 0, bytes };
    }
  }
}

function authenticate(store: SimStore, req: IncomingMessage): SimUser {
  const source = headerValue(req, 'source');
  const org = headerValue(req, 'org');
  const user = headerValue(req, 'user');
  const missing = [
    ['Source', source],
    ['Org', org],
    ['User', user],
  ]
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) throw new HttpError(401, `missing authentication header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  const found = store.findUserByKeys(source!, org!, user!);
  if (!found) throw new HttpError(401, 'the Source, Org and User keys do not match a user of this system');
  return found;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
}
