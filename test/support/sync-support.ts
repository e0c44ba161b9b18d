// Helpers for the sync tests: a simulator on a free loopback port, a client logged in as one of its
// demo users, a fresh encrypted replica, and an oracle that asks the simulator itself (plain undici,
// not sync's code) what "my caseload" is, so the tests compare sync against the server's answers.
import { request } from 'undici';
import { createDizionsClient, type DizionsClient } from '../../main/api/client.js';
import { GROUP_TABLES, quoteIdent } from '../../main/db/groups.js';
import type { Replica } from '../../main/db/open.js';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import type { RecordGroup } from '../../shared/dizions/model.js';
import type { RunningSimulator } from '../../main/sim/server.js';
import { runSync, type RunSyncOptions, type SyncSummary } from '../../main/sync/run-sync.js';

export interface Login {
  id: number;
  worker: number | null;
  source: string;
  org: string;
  user: string;
}

export function clientAs(sim: RunningSimulator, login: Login): DizionsClient {
  return createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: login.user, dialect: sim.store.dialect });
}

/** Fast retries for tests (Retry-After is still honoured). */
export const TEST_RETRY = { attempts: 5, baseMs: 5, maxMs: 50 };

/** One sync as `login`, with its own client (closed afterwards). */
export async function syncAs(sim: RunningSimulator, login: Login, replica: Replica, options: Partial<RunSyncOptions> = {}): Promise<SyncSummary> {
  const client = clientAs(sim, login);
  try {
    return await runSync({ replica, client, me: login.id, retry: TEST_RETRY, ...options });
  } finally {
    await client.close();
  }
}

/** GET a path as `login` and parse the JSON array (the oracle: no sync code involved). */
export async function serverRows(sim: RunningSimulator, login: Login, path: string): Promise<Array<Record<string, unknown>>> {
  const reply = await request(`${sim.url}/${path}`, { headers: { Source: login.source, Org: login.org, User: login.user } });
  const text = await reply.body.text();
  if (reply.statusCode !== 200) throw new Error(`oracle GET ${path}: ${reply.statusCode} ${text}`);
  return JSON.parse(text) as Array<Record<string, unknown>>;
}

export async function serverIds(sim: RunningSimulator, login: Login, path: string): Promise<number[]> {
  const sep = path.includes('/field/') ? '' : '/field/id';
  return (await serverRows(sim, login, `${path}${sep}`)).map((r) => Number(r.id)).sort((a, b) => a - b);
}

const uniqueSorted = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

/** "My caseload" as the simulator answers it, asked one simple query at a time. */
export async function expectedCaseload(sim: RunningSimulator, login: Login, windowMonths = 12, createdHere: readonly number[] = []): Promise<Record<RecordGroup, number[]>> {
  const due = await serverRows(sim, login, `due_contacts/user/${login.id}/field/id;referral;client`);
  const referralIds = uniqueSorted(due.map((r) => Number(r.referral)));
  const referrals = referralIds.length === 0 ? [] : await serverRows(sim, login, `referrals/id/${referralIds.join(';')}/field/id;client`);
  const clientIds = new Set([...due.map((r) => Number(r.client)), ...referrals.map((r) => Number(r.client))]);
  if (login.worker !== null) for (const id of await serverIds(sim, login, `clients/usual_support_worker/${login.worker}`)) clientIds.add(id);
  for (const id of createdHere) clientIds.add(id); // clients this replica created stay in "my caseload
  const clients = clientIds.size === 0 ? [] : await serverIds(sim, login, `clients/id/${[...clientIds].join(';')}`);
  const now = new Date();
  const today = formatServerTimestamp(now).slice(0, 10);
  const from = new Date(now);
  from.setMonth(from.getMonth() - windowMonths);
  const window = `${formatServerTimestamp(from).slice(0, 10)},${today}`;
  const done = referrals.length === 0 ? [] : await serverIds(sim, login, `done_contacts/referral/${referrals.map((r) => r.id).join(';')}/date_active/${window}`);
  return {
    due_contacts: uniqueSorted(due.map((r) => Number(r.id))),
    referrals: uniqueSorted(referrals.map((r) => Number(r.id))),
    clients,
    done_contacts: done,
    workers: await serverIds(sim, login, 'workers'),
    schedules: login.worker === null ? [] : await serverIds(sim, login, `schedules/worker/${login.worker}`),
  };
}

/** The ids a replica holds for a group, ascending. */
export function replicaIds(replica: Replica, group: RecordGroup): number[] {
  const spec = GROUP_TABLES[group];
  const sql = `SELECT id FROM ${quoteIdent(spec.table)}${spec.state ? ` WHERE state = '${spec.state}'` : ''} ORDER BY id`;
  return replica.sqlite.prepare(sql).pluck().all() as number[];
}

/** Every row of every synced table as text (id, state, raw), for "equals a clean sync" comparisons. */
export function replicaContents(replica: Replica): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const table of ['clients', 'referrals', 'contacts', 'workers', 'schedules']) {
    const state = table === 'contacts' ? `state || ' ' || ` : '';
    out[table] = replica.sqlite.prepare(`SELECT id || ' ' || ${state}raw FROM ${table} ORDER BY id`).pluck().all() as string[];
  }
  out.dictionaries = replica.sqlite.prepare(`SELECT table_ref || ' ' || id || ' ' || name FROM dictionaries ORDER BY table_ref, id`).pluck().all() as string[];
  return out;
}

/** API GETs in the simulator's request log since `from` (paths relative to /v2). */
export function getsSince(sim: RunningSimulator, from: number): string[] {
  return sim.requestLog
    .slice(from)
    .filter((e) => e.method === 'GET')
    .map((e) => e.path);
}

/**
 * Marks records as carrying pending local edits the way the outbox does (an unconfirmed entry
 * targeting them), creating the outbox's two tables when the replica predates them.
 */
export function markPending(replica: Replica, family: 'clients' | 'referrals' | 'contacts', ids: number[]): void {
  replica.sqlite.exec(`
    CREATE TABLE IF NOT EXISTS outbox_entries (
      id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
      fields TEXT NOT NULL, operation TEXT NOT NULL, dialect TEXT NOT NULL, record_family TEXT NOT NULL, record_id INTEGER,
      temp_id INTEGER, server_id INTEGER, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0, first_sent_at TEXT, last_attempt_at TEXT, error_code TEXT, error TEXT,
      blocked_by INTEGER, base TEXT, base_updated TEXT, before TEXT, conflict TEXT, confirmed_at TEXT, outcome TEXT);
    CREATE TABLE IF NOT EXISTS outbox_records (
      entry_id INTEGER NOT NULL, family TEXT NOT NULL, record_id INTEGER NOT NULL, role TEXT NOT NULL,
      PRIMARY KEY (entry_id, family, record_id));
  `);
  const entry = replica.sqlite.prepare(
    `INSERT INTO outbox_entries (created_at, method, path, fields, operation, dialect, record_family, record_id, state)
     VALUES (datetime('now'), 'POST', ?, '{}', 'updateClient', '2019', ?, ?, 'pending')`,
  );
  const target = replica.sqlite.prepare(`INSERT INTO outbox_records (entry_id, family, record_id, role) VALUES (?, ?, ?, 'target')`);
  for (const id of ids) {
    const { lastInsertRowid } = entry.run(`${family}/id/${id}`, family, id);
    target.run(lastInsertRowid, family, id);
  }
}
