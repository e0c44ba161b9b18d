// The simulator's control endpoint (/_control/…) for tests and trainers: inspect the data, change
// it behind the client's back, set faults, read the request log. JSON in, JSON out. It answers only
// loopback peers that use a loopback Host (DNS-rebinding guard) and no foreign Origin (a web page
// cannot drive it); faults and latency never apply here. Reference: docs/simulator.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecordGroup } from '../../shared/dizions/model.js';
import { FaultSpecError, type FaultPlan } from './faults.js';
import { HttpError, sendError, sendJson } from './http-reply.js';
import { isLoopbackAddress, isLoopbackHostHeader } from './loopback.js';
import { readBody } from './request-body.js';
import type { SimStore } from './store.js';
import type { DemoUserLine, RequestLogEntry } from './types.js';

const CONTROL_BODY_LIMIT = 64 * 1024;

export interface ControlContext {
  store: SimStore;
  users: () => DemoUserLine[];
  faults: () => FaultPlan;
  setFaults: (spec: string) => void;
  requestLog: RequestLogEntry[];
  clearLog: () => number;
  latencyMs: number;
}

type Body = Record<string, unknown>;
interface Operation {
  method: 'GET' | 'POST';
  run: (context: ControlContext, body: Body) => unknown;
}

const OPERATIONS: Record<string, Operation> = {
  status: {
    method: 'GET',
    run: (c) => ({ counts: c.store.counts(), faults: c.faults().status(), latencyMs: c.latencyMs, users: c.users() }),
  },
  faults: {
    method: 'POST',
    run: (c, body) => {
      const spec = body.spec;
      if (typeof spec !== 'string') throw new HttpError(400, 'faults needs {"spec": "…"} (use "" to clear every fault)');
      try {
        c.setFaults(spec);
      } catch (error) {
        if (error instanceof FaultSpecError) throw new HttpError(400, error.message);
        throw error;
      }
      return { faults: c.faults().status() };
    },
  },
  delete: {
    method: 'POST',
    run: (c, body) => {
      const group = groupField(body, 'group');
      const id = idField(body, 'id');
      if (!c.store.deleteRecord(group, id)) throw new HttpError(404, `there is no ${group} record ${id}`);
      return { deleted: { group, id } };
    },
  },
  'move-client': {
    method: 'POST',
    run: (c, body) => {
      const client = idField(body, 'client');
      const worker = body.worker === null ? null : idField(body, 'worker');
      if (!c.store.moveClientToWorker(client, worker)) throw new HttpError(404, `client ${client} or worker ${worker} does not exist`);
      return { moved: { client, worker } };
    },
  },
  'move-referral': {
    method: 'POST',
    run: (c, body) => {
      const referral = idField(body, 'referral');
      const project = idField(body, 'project');
      if (!c.store.moveReferralToProject(referral, project)) throw new HttpError(404, `referral ${referral} or project ${project} does not exist`);
      return { moved: { referral, project } };
    },
  },
  touch: {
    method: 'POST',
    run: (c, body) => {
      const group = groupField(body, 'group');
      if (!isRecordGroup(group)) throw new HttpError(400, `touch works on clients, referrals, due_contacts, done_contacts, workers or schedules, not "${group}"`);
      const fraction = body.fraction;
      if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) throw new HttpError(400, '"fraction" must be a number from 0 to 1');
      const seed = body.seed === undefined ? undefined : idField(body, 'seed', 0);
      const ids = c.store.touchRecords(group, fraction, seed);
      return { group, touched: ids };
    },
  },
  log: { method: 'GET', run: (c) => ({ entries: c.requestLog }) },
  'log/clear': { method: 'POST', run: (c) => ({ cleared: c.clearLog() }) },
  uploads: { method: 'GET', run: (c) => ({ uploads: c.store.uploads() }) },
  'external-referrals': { method: 'GET', run: (c) => ({ external_referrals: c.store.externalReferrals() }) },
};

function groupField(body: Body, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `"${name}" must be a group name such as "clients"`);
  return value;
}

function idField(body: Body, name: string, min = 1): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new HttpError(400, `"${name}" must be a whole number ≥ ${min}, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}

/** Why a request may not use the control endpoint, or undefined when it may. */
export function controlRefusal(req: IncomingMessage): string | undefined {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return 'the control endpoint answers only this machine (loopback)';
  if (!isLoopbackHostHeader(req.headers.host)) return 'the control endpoint needs a loopback Host header (127.0.0.1, [::1] or localhost)';
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin)) return `the control endpoint does not answer pages from ${origin}`;
  return undefined;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHostHeader(new URL(origin).host);
  } catch {
    return false;
  }
}

/** Answers one /_control/<operation> request; `operation` is the path after `/_control/`. */
export async function handleControlRequest(context: ControlContext, req: IncomingMessage, res: ServerResponse, operation: string): Promise<void> {
  try {
    const refusal = controlRefusal(req);
    if (refusal) throw new HttpError(403, refusal);
    const entry = OPERATIONS[operation.replace(/\?.*$/, '').replace(/\/+$/, '')];
    if (!entry) throw new HttpError(404, `unknown control operation "${operation}" (known: ${Object.keys(OPERATIONS).join(', ')})`);
    if (req.method !== entry.method) throw new HttpError(405, `${operation} takes ${entry.method}`, { Allow: entry.method });
    const body = entry.method === 'POST' ? await readJsonBody(req) : {};
    const result = entry.run(context, body);
    sendJson(res, 200, result);
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      sendError(res, error.status, error.message, error.headers);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`caseworker sim: control ${operation} failed: ${message}\n`);
    sendError(res, 500, `control ${operation} failed: ${message}`);
  }
}

async function readJsonBody(req: IncomingMessage): Promise<Body> {
  const body = await readBody(req, CONTROL_BODY_LIMIT);
  if (body.length === 0) return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'control requests with a body must send Content-Type: application/json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'the body must be a JSON object');
  return parsed as Body;
}
