// Which dialect a server speaks, told by reading only: the 2021–2025 manual documents read forms the
// seed does not (`<group>/filterable_fields`, `<group>/metrics`, single records without `/id/`). Any of
// them answering with JSON means `2025`; all of them refused (4xx) means the server keeps to the
// seed, `2019`. A server error or no answer leaves it unknown (null): never a silent default.

import type { Dialect } from '../../shared/dizions/assumptions.js';
import { Prober, type DoctorConnection, type ProbeReply } from './http-probe.js';

export interface DialectFinding {
  dialect: Dialect | null;
  /** One phrase per probe, e.g. `clients/filterable_fields answered a list of 31`. */
  evidence: string[];
}

/** The keys were refused: nothing else can be learnt. */
export class KeysRefusedError extends Error {
  override name = 'KeysRefusedError';
}

/** The server could not be reached at all. */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

function answered(reply: ProbeReply): boolean {
  return reply.status >= 200 && reply.status < 300 && reply.json !== undefined && reply.json !== null;
}

function refused(reply: ProbeReply): boolean {
  return reply.status >= 400 && reply.status < 500 && reply.status !== 401 && reply.status !== 429;
}

function phrase(reply: ProbeReply): string {
  if (reply.status === 0) return `${reply.path}: no answer (${reply.networkError})`;
  if (answered(reply)) {
    const json = reply.json;
    return `${reply.path} answered ${Array.isArray(json) ? `a list of ${json.length}` : typeof json === 'object' ? 'an object' : 'a value'}`;
  }
  return `${reply.path} refused (${reply.status})`;
}

/**
 * Tells the dialect from the 2025 manual's read forms. `sampleClientId`, a client this user can see,
 * adds the single-record form `clients/<id>` (without `/id/`); without one only discovery is asked.
 * Throws KeysRefusedError on 401 and UnreachableError when nothing answers.
 */
export async function detectDialect(prober: Prober, sampleClientId?: number): Promise<DialectFinding> {
  const probes = ['clients/filterable_fields', 'referrals/metrics'];
  if (sampleClientId !== undefined) probes.push(`clients/${sampleClientId}`);
  const replies: ProbeReply[] = [];
  for (const path of probes) {
    const reply = await prober.get(path);
    if (reply.status === 401) throw new KeysRefusedError(`the server refused the keys (401): ${errorText(reply)}`);
    if (reply.status === 0 && replies.length === 0) throw new UnreachableError(reply.networkError ?? `no answer from ${path}`);
    replies.push(reply);
  }
  const evidence = replies.map(phrase);
  const single = sampleClientId === undefined ? undefined : replies[replies.length - 1]!;
  const singleIsRecord = single !== undefined && answered(single) && recordIdOf(single.json) === sampleClientId;
  if (replies.some((r, i) => (single && i === replies.length - 1 ? singleIsRecord : answered(r)))) return { dialect: '2025', evidence };
  if (replies.every(refused)) return { dialect: '2019', evidence };
  return { dialect: null, evidence };
}

/** The id of `[record]` or `record`, when the reply is one record. */
function recordIdOf(json: unknown): number | undefined {
  const record = Array.isArray(json) ? (json.length === 1 ? json[0] : undefined) : json;
  if (!record || typeof record !== 'object') return undefined;
  const id = (record as { id?: unknown }).id;
  const n = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
  return typeof n === 'number' ? n : undefined;
}

export function errorText(reply: ProbeReply): string {
  const json = reply.json;
  if (typeof json === 'string') return json;
  if (json && typeof json === 'object' && typeof (json as { error?: unknown }).error === 'string') return (json as { error: string }).error;
  return reply.text.trim().slice(0, 200) || `HTTP ${reply.status}`;
}

/** Detection alone, for `sync` on a connection with no saved dialect (a few GETs, no writes). */
export async function detectServerDialect(connection: DoctorConnection, timeoutMs?: number): Promise<DialectFinding> {
  const prober = new Prober(connection, timeoutMs);
  try {
    return await detectDialect(prober);
  } finally {
    await prober.close();
  }
}
