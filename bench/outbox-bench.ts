// Issue 4's rows: how long queueing an edit takes (the UI waits on it: target p95 ≤ 2 ms), and how
// many outbox entries per second a push gets confirmed against the simulator at 0 ms and 50 ms of
// added latency. Both run on real encrypted replicas; the push syncs a caseload first, as a user would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDizionsClient } from '../main/api/client.js';
import { startBackgroundCheckpoints } from '../main/db/checkpoints.js';
import { openReplicaWithKey, type Replica } from '../main/db/open.js';
import { upsertDictionary, upsertRecords } from '../main/db/records.js';
import { queueEdit } from '../main/outbox/queue.js';
import { pushOutbox } from '../main/outbox/replay.js';
import { startSimulator } from '../main/sim/server.js';
import { runSync } from '../main/sync/run-sync.js';
import { percentile, type BenchRow } from './bench-row.js';

const BENCH_KEY = 'be0c'.repeat(16);

function tempReplica(): { replica: Replica; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-outbox-bench-'));
  const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: BENCH_KEY });
  return {
    replica,
    remove: () => {
      replica.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface EnqueueBenchOptions {
  /** Edits timed (after a warm-up of 200). Default 3000. */
  edits?: number;
  /** Clients (and as many referrals and due contacts) already in the replica. Default 5000. */
  records?: number;
}

/** Enqueue latency: validate + apply to the replica + write the entry, one transaction per edit. */
export async function benchOutboxEnqueue(options: EnqueueBenchOptions = {}): Promise<BenchRow[]> {
  const background = await enqueueTimes(options, true);
  const automatic = await enqueueTimes(options, false);
  const note = `${background.length} edits (updates, creates and their temp-id children, due contacts), ${(options.records ?? 5000).toLocaleString('en-GB')} records in the replica; WAL checkpoints in a worker thread`;
  return [
    { name: 'outbox: enqueue latency p50', value: round(percentile(background, 50)), unit: 'ms', note },
    { name: 'outbox: enqueue latency p95', value: round(percentile(background, 95)), unit: 'ms', target: '≤ 2 ms' },
    { name: 'outbox: enqueue latency p99', value: round(percentile(background, 99)), unit: 'ms' },
    {
      name: "outbox: enqueue latency p95, SQLite's automatic checkpoints",
      value: round(percentile(automatic, 95)),
      unit: 'ms',
      note: 'a commit that crosses the WAL threshold carries the checkpoint: why the app checkpoints in the background',
    },
  ];
}

/** Milliseconds per queueEdit, sorted. */
async function enqueueTimes(options: EnqueueBenchOptions, backgroundCheckpoints: boolean): Promise<number[]> {
  const edits = options.edits ?? 3000;
  const records = options.records ?? 5000;
  const { replica, remove } = tempReplica();
  const checkpoints = backgroundCheckpoints ? startBackgroundCheckpoints(replica) : undefined;
  try {
    upsertDictionary(replica, 'referrals/stage', [{ id: 1901, name: 'Referred', template: 1801, status: 'Pending' }]);
    upsertDictionary(replica, 'organisations/gender', [
      { id: 201, name: 'Female' },
      { id: 202, name: 'Male' },
    ]);
    const ids = Array.from({ length: records }, (_, i) => i + 1);
    upsertRecords(
      replica,
      'clients',
      ids.map((id) => ({ id, first_name: `First${id}`, surname: `Surname${id}`, dob: '1970-01-01', gender: 201, postcode: 'LS6 2AB', updated: '2024-01-01 09:00:00' })),
    );
    upsertRecords(
      replica,
      'referrals',
      ids.map((id) => ({ id, client: id, client_type: 1, date: '2024-01-02', project: 101, template: 1801, stage: 1901, description: `referral ${id}`, updated: '2024-01-02 10:00:00' })),
    );
    upsertRecords(
      replica,
      'due_contacts',
      ids.map((id) => ({
        id,
        referral: id,
        client: id,
        user: 3,
        start_date: '2024-02-01 10:00:00',
        end_date: '2024-02-01 11:00:00',
        description: 'visit',
        due_stage: 1901,
        updated: '2024-01-02 10:00:00',
      })),
    );

    // One queueEdit per timed sample; a create's child (a referral on its temp id) is the next sample.
    let n = 0;
    let child: (() => void) | undefined;
    const next = (): void => {
      if (child) {
        const run = child;
        child = undefined;
        run();
        return;
      }
      const i = n++;
      const id = 1 + (i % records);
      switch (i % 4) {
        case 0:
          queueEdit(replica, { method: 'POST', path: `clients/id/${id}`, fields: { telephone: `01632 ${String(i).padStart(6, '0')}`, gender: '202' } });
          break;
        case 1: {
          const client = queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'New', surname: `Person${i}`, dob: '1990-05-05' } });
          child = () =>
            queueEdit(replica, {
              method: 'PUT',
              path: 'referrals',
              fields: { client: String(client.temp_id), client_type: '1', date: '2024-06-01', project: '101', template: '1801', stage: '1901', description: `new ${i}` },
            });
          break;
        }
        case 2:
          queueEdit(replica, {
            method: 'PUT',
            path: `due_contacts/referral/${id}`,
            fields: { user: '3', start_date: '2024-06-02 10:00:00', end_date: '2024-06-02 11:00:00', description: `call ${i}` },
          });
          break;
        default:
          queueEdit(replica, { method: 'POST', path: `referrals/id/${id}`, fields: { description: `update ${i}` } });
      }
    };
    for (let i = 0; i < 200; i++) next(); // warm-up: statement caches, JIT
    const times: number[] = [];
    while (times.length < edits) {
      const started = performance.now();
      next();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b);
  } finally {
    await checkpoints?.stop();
    remove();
  }
}

export interface ReplayBenchOptions {
  /** Entries queued and pushed per latency. Default 400. */
  edits?: number;
  /** Added server latency in ms, one row each. Default [0, 50]. */
  latencies?: number[];
  /** Simulated charity size. Default 300 clients. */
  clients?: number;
}

/** Replay throughput: entries confirmed per second by one push (4 in flight, independent chains). */
export async function benchOutboxReplay(options: ReplayBenchOptions = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const latencyMs of options.latencies ?? [0, 50]) {
    const sim = await startSimulator({ clients: options.clients ?? 300, seed: 4, latencyMs });
    const { replica, remove } = tempReplica();
    const login = sim.users[0]!;
    const client = createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: login.user });
    try {
      await runSync({ replica, client, me: login.id });
      const queued = queueReplayMix(replica, sim.store.users().find((u) => u.id === login.id)!.projects[0]!, options.edits ?? 400);
      const requestsBefore = client.requests;
      const started = performance.now();
      const summary = await pushOutbox(replica, client);
      const seconds = (performance.now() - started) / 1000;
      if (summary.confirmed !== queued) throw new Error(`the push confirmed ${summary.confirmed} of ${queued} entries`);
      rows.push({
        name: `outbox: replay throughput, ${latencyMs} ms server latency`,
        value: Math.round(queued / seconds),
        unit: 'entries/s',
        note: `${queued} entries (creates, chains, updates with their conflict check) in ${seconds.toFixed(1)} s, ${client.requests - requestsBefore} requests`,
      });
    } finally {
      await client.close();
      remove();
      await sim.close();
    }
  }
  return rows;
}

/** Creates (a third with a referral and a due contact hanging off them) and updates of synced records. */
function queueReplayMix(replica: Replica, project: number, count: number): number {
  const db = replica.sqlite;
  const clients = db.prepare('SELECT id FROM clients WHERE id > 0 ORDER BY id').pluck().all() as number[];
  const template = db.prepare(`SELECT json_extract(extra, '$.template') FROM dictionaries WHERE table_ref = 'referrals/project' AND id = ?`).pluck().get(project) as number;
  const stage = db.prepare(`SELECT id FROM dictionaries WHERE table_ref = 'referrals/stage' AND json_extract(extra, '$.template') = ? ORDER BY id`).pluck().get(template) as number;
  let queued = 0;
  for (let i = 0; queued < count; i++) {
    if (i % 3 === 0) {
      const client = queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'Bench', surname: `Replay${i}`, dob: '1980-01-01', postcode: 'LS6 2AB' } });
      const referral = queueEdit(replica, {
        method: 'PUT',
        path: 'referrals',
        fields: { client: client.temp_id, client_type: 1, date: '2024-06-01', project, template, stage, description: `bench referral ${i}` },
      });
      queueEdit(replica, {
        method: 'PUT',
        path: `due_contacts/referral/${referral.temp_id}`,
        fields: { user: 1, start_date: '2024-06-02 10:00:00', end_date: '2024-06-02 11:00:00', description: `bench visit ${i}` },
      });
      queued += 3;
    } else {
      queueEdit(replica, { method: 'POST', path: `clients/id/${clients[i % clients.length]}`, fields: { telephone: `01632 ${String(i).padStart(6, '0')}` } });
      queued++;
    }
  }
  return queued;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
