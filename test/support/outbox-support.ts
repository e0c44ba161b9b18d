// Fixtures for the outbox tests: a simulator on a free loopback port, one of its demo users with
// the caseload synced into a fresh encrypted replica (sync's own code), a client with fast test
// timings, and questions asked of the simulator's own database — the server's truth, not ours.
import type { DizionsClient } from '../../main/api/client.js';
import { createDizionsClient } from '../../main/api/client.js';
import type { Replica } from '../../main/db/open.js';
import type { ReplayTimings } from '../../main/outbox/replay.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import type { SimUser } from '../../main/sim/types.js';
import type { Dialect } from '../../shared/dizions/dialects.js';
import { queueEdit, type QueueEditInput, type QueueResult } from '../../main/outbox/queue.js';
import { freshReplica } from './db-fixtures.js';
import { syncAs } from './sync-support.js';

/** Backoff and settle times in milliseconds, so fault runs take seconds. */
export const FAST: Partial<ReplayTimings> = { baseMs: 5, maxMs: 60, settleMs: 5, waitLimitMs: 3_000, requestTimeoutMs: 5_000 };

/** The dialects every sync and replay test runs in (vitest `describe.each`). */
export const DIALECT_MATRIX: readonly Dialect[] = ['2019', '2025'];

export interface World {
  /** The dialect the simulator and the connection speak. */
  dialect: Dialect;
  sim: RunningSimulator;
  /** The demo user, with their projects. */
  me: SimUser;
  replica: Replica;
  client: DizionsClient;
  /** A referral of my caseload, its client, and stages of its template (and one of another template). */
  referral: { id: number; client: number; project: number; template: number; stage: number; foreignStage: number };
  /** A due contact of mine, to complete. */
  dueContacts: number[];
  close(): Promise<void>;
}

export interface WorldOptions {
  clients?: number;
  seed?: number;
  faults?: string;
  timeoutMs?: number;
  latencyMs?: number;
  /** Keep the simulator's data here (the crash test restarts processes against it). */
  dataDir?: string;
  /** Use this running simulator (not closed by close()) instead of starting one; its dialect is the world's. */
  sim?: RunningSimulator;
  /** The dialect of a simulator started here (default 2019, the seed). */
  dialect?: Dialect;
}

export async function openWorld(options: WorldOptions = {}): Promise<World> {
  const sim =
    options.sim ??
    (await startSimulator({
      clients: options.clients ?? 60,
      seed: options.seed ?? 7,
      dialect: options.dialect ?? '2019',
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
    }));
  const login = sim.users[0]!;
  const me = sim.store.users().find((u) => u.id === login.id)!;
  const replica = freshReplica();
  await syncAs(sim, login, replica, { me: login.id });
  if (options.faults) sim.setFaults(options.faults);
  const dialect = sim.store.dialect;
  const client = createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: login.user, dialect, timeoutMs: options.timeoutMs ?? 10_000 });
  const row = replica.sqlite.prepare(`SELECT id, client, project, template FROM referrals WHERE project IN (${me.projects.join(',')}) AND id > 0 ORDER BY id LIMIT 1`).get() as {
    id: number;
    client: number;
    project: number;
    template: number;
  };
  const stages = replica.sqlite.prepare(`SELECT id, json_extract(extra, '$.template') AS template FROM dictionaries WHERE table_ref = 'referrals/stage' ORDER BY id`).all() as Array<{
    id: number;
    template: number;
  }>;
  const dueContacts = replica.sqlite.prepare(`SELECT id FROM contacts WHERE state = 'due' AND user = ? AND id > 0 ORDER BY id`).pluck().all(me.id) as number[];
  return {
    dialect,
    sim,
    me,
    replica,
    client,
    dueContacts,
    referral: {
      ...row,
      stage: stages.find((s) => s.template === row.template)!.id,
      foreignStage: stages.find((s) => s.template !== row.template)!.id,
    },
    close: async () => {
      await client.close();
      replica.close();
      if (!options.sim) await sim.close();
    },
  };
}

/** A count straight from the simulator's database. */
export function serverCount(sim: RunningSimulator, sql: string, ...params: unknown[]): number {
  return sim.store.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;
}

export function serverRow(sim: RunningSimulator, sql: string, ...params: unknown[]): Record<string, unknown> | undefined {
  return sim.store.db.prepare(sql).get(...params) as Record<string, unknown> | undefined;
}

export { createDizionsClient };

/** Fields of a valid referral in one of my projects, for client `client` (a temp id is fine). */
export function referralFields(world: World, client: number, description: string, date = '2024-06-03'): Record<string, string | number> {
  const project = world.me.projects[0]!;
  const template = world.replica.sqlite.prepare(`SELECT json_extract(extra, '$.template') FROM dictionaries WHERE table_ref = 'referrals/project' AND id = ?`).pluck().get(project) as number;
  const stage = world.replica.sqlite.prepare(`SELECT id FROM dictionaries WHERE table_ref = 'referrals/stage' AND json_extract(extra, '$.template') = ? ORDER BY id`).pluck().get(template) as number;
  return { client, client_type: 1, date, project, template, stage, description };
}

/** Fields of a valid due contact for me. */
export function dueFields(world: World, description: string, day = '2024-06-10', hour = 10): Record<string, string | number> {
  const h = String(hour).padStart(2, '0');
  return { user: world.me.id, start_date: `${day} ${h}:00:00`, end_date: `${day} ${h}:45:00`, description };
}

// ---- the tests' own phrasebook ---------------------------------------------------------------------
// Tests write edits in the seed's words; `say` rewrites them in the world's dialect from the manual
// pages directly (not through shared/dizions/dialects.ts), so a mistake in the table cannot hide here.

const SEED_TO_2025_RELATIONSHIP: Record<string, string> = {
  relationship_first_to_second: 'relation_first_to_second',
  relationship_second_to_first: 'relation_second_to_first',
  relationship_first_to_second_carer: 'carer_relation_first_to_second',
  relationship_second_to_first_carer: 'carer_relation_second_to_first',
};

type Words = { method: string; path: string; fields?: QueueEditInput['fields'] };

/** A write in the seed's words, as the 2025 manual pages write it. */
export function say(world: Pick<World, 'dialect' | 'replica'>, words: Words): Words {
  if (world.dialect === '2019') return words;
  const { method, path } = words;
  const fields = { ...(words.fields ?? {}) };
  const record = /^(clients|referrals|due_contacts|done_contacts)\/id\/(-?\d+)$/.exec(path);
  if (method === 'PUT' && (path === 'clients' || path.startsWith('clients/external_id/') || path === 'referrals')) return { method: 'POST', path, fields };
  if (method === 'PUT' && path.startsWith('due_contacts/referral/')) return { method: 'POST', path, fields };
  if (record && method === 'POST') {
    const [, group, id] = record;
    if (group === 'clients' && fields.id_second !== undefined) {
      const second = fields.id_second;
      delete fields.id_second;
      const renamed: NonNullable<Words['fields']> = {};
      for (const [k, v] of Object.entries(fields)) renamed[SEED_TO_2025_RELATIONSHIP[k] ?? k] = v;
      return { method: 'PUT', path: `relationship_details/${id}/${second}`, fields: renamed };
    }
    if (group === 'clients' || group === 'referrals') return { method: 'PUT', path: `${group}/${id}`, fields };
    if (group === 'due_contacts') return { method: 'POST', path: `due_contacts/${id}`, fields };
    // The seed's one done-contact POST: completes a due contact (POST) or edits a done one (PUT).
    const state = world.replica.sqlite.prepare('SELECT state FROM contacts WHERE id = ?').pluck().get(Number(id));
    return { method: state === 'done' ? 'PUT' : 'POST', path: `done_contacts/${id}`, fields };
  }
  if (path === 'external_referral' && fields.first_name === undefined) return { method, path, fields: { first_name: 'Test', ...fields } };
  // Extension databases by the name an admin generates for API access (no numeric suffix).
  if (path.startsWith('extension_database/wellcheck_notes_9')) return { method, path: path.replace('wellcheck_notes_9', 'wellcheck_notes'), fields };
  return { method, path, fields };
}

/** Queues an edit written in the seed's words, said in the world's dialect. */
export function queue(world: Pick<World, 'dialect' | 'replica'>, input: Words & Omit<QueueEditInput & { method: string }, 'method' | 'path' | 'fields'>): QueueResult {
  const words = say(world, input);
  return queueEdit(world.replica, { ...input, ...words }, { dialect: world.dialect });
}

/** The method and path a write is sent with in the world's dialect (what the request log shows). */
export function wire(world: Pick<World, 'dialect' | 'replica'>, method: string, path: string): { method: string; path: string } {
  const words = say(world, { method, path });
  return { method: words.method, path: words.path };
}
