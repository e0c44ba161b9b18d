// Issue 3's rows (sync down), against the bench simulator's all-projects login so the scope is the
// whole charity: (1) the raw baseline, (2) initial sync time as a ratio to it and the syncing
// process's peak RSS, (3) an incremental sync after 1% of records changed, as fractions of the
// initial, (4) caseload search p50/p95. Baseline and syncs each run in a child process
// (bench/sync-child.ts) so none shares the simulator's event loop and each RSS is its own.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openReplicaWithKey } from '../main/db/open.js';
import { searchClients } from '../main/db/search.js';
import type { RecordGroup } from '../shared/dizions/model.js';
import { percentile, type BenchRow } from './bench-row.js';
import type { ChildJob, ChildResult } from './sync-child.js';
import type { BenchSimulator } from './sim-fixture.js';

export interface SyncBenchOptions {
  bench: BenchSimulator;
  /** The simulator's size (for the row names). */
  clients: number;
  /** Where the replicas go (default: a temp folder, removed afterwards). */
  workDir?: string;
}

/** Everything the all-projects login sees. */
const FULL_SCOPE: Array<{ group: RecordGroup; path: string }> = [
  { group: 'workers', path: 'workers' },
  { group: 'clients', path: 'clients' },
  { group: 'referrals', path: 'referrals' },
  { group: 'due_contacts', path: 'due_contacts' },
  { group: 'done_contacts', path: 'done_contacts' },
  { group: 'schedules', path: 'schedules' },
];
const DB_KEY = 'be'.repeat(32);
const CHILD = fileURLToPath(new URL('./sync-child.ts', import.meta.url));

function job(options: SyncBenchOptions, kind: ChildJob['kind'], dbFile: string): ChildJob {
  const { everyone, sim } = options.bench;
  return {
    kind, url: sim.url, me: everyone.id, dbFile, dbKey: DB_KEY, scopes: FULL_SCOPE,
    keys: { source: everyone.source, org: everyone.org, user: everyone.user },
  };
}

/** Runs one job in a child process and returns its result line. */
export function runChild(childJob: ChildJob): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(childJob)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench child ${childJob.kind} exited ${code}: ${stderr.trim().slice(-2000)}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

/** Where a sync's time went: listing (server listings, then reading the replica's stamps and diffing) and downloading. */
function phaseNote(phases: Record<string, number> | undefined): string | undefined {
  if (!phases) return undefined;
  const sum = (prefix: string) => Object.entries(phases).filter(([k]) => k.startsWith(prefix)).reduce((n, [, ms]) => n + ms, 0) / 1000;
  return `listing + diff ${sum('listing').toFixed(1)} s, downloading ${sum('downloading').toFixed(1)} s`;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1e6, 1);

/** (1) The raw baseline: records/s and seconds. */
export async function benchRawBaseline(options: SyncBenchOptions, dir: string): Promise<{ rows: BenchRow[]; result: ChildResult }> {
  const result = await runChild(job(options, 'raw', path.join(dir, 'raw.db')));
  return {
    result,
    rows: [
      { name: `sync: raw baseline, ${result.records.toLocaleString('en-GB')} records (${mb(result.bytes)} MB)`, value: Math.round(result.records / result.seconds), unit: 'records/s' },
      { name: 'sync: raw baseline wall time', value: round(result.seconds), unit: 's', note: `CPU ${round(result.cpuSeconds, 1)} s` },
    ],
  };
}

/** (2) The initial sync: wall time as a ratio to the baseline, peak RSS, longest event-loop block. */
export async function benchInitialSync(options: SyncBenchOptions, dbFile: string, baseline: ChildResult): Promise<{ rows: BenchRow[]; result: ChildResult }> {
  const result = await runChild(job(options, 'sync', dbFile));
  return {
    result,
    rows: [
      {
        name: `sync: initial sync, ${result.records.toLocaleString('en-GB')} records (${mb(result.bytes)} MB, ${result.requests} requests)`,
        value: round(result.seconds), unit: 's', ratio: round(result.seconds / baseline.seconds), target: 'ratio ≤ 1.2',
        note: `CPU ${round(result.cpuSeconds, 1)} s vs baseline ${round(baseline.cpuSeconds, 1)} s (ratio ${round(result.cpuSeconds / baseline.cpuSeconds)}); ${phaseNote(result.phases)}`,
      },
      { name: 'sync: initial sync peak RSS (syncing process)', value: mb(result.maxRssBytes), unit: 'MB', target: '≤ 400 MB' },
      {
        name: 'sync: initial sync longest event-loop block', value: round(result.maxLoopBlockMs, 1), unit: 'ms', target: '≤ 50 ms',
        note: `p99 ${round(result.p99LoopBlockMs, 1)} ms; machine load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores (a busy machine stretches every pause)`,
      },
    ],
  };
}

/** (3) 1% of clients, referrals and contacts change on the server; the next sync, as fractions of the initial. */
export async function benchIncrementalSync(options: SyncBenchOptions, dbFile: string, initial: ChildResult): Promise<{ rows: BenchRow[]; result: ChildResult }> {
  const store = options.bench.sim.store;
  let touched = 0;
  const seed = Date.now() % 100_000; // a different 1% each run, so every run changes something
  for (const group of ['clients', 'referrals', 'due_contacts', 'done_contacts'] as const) touched += store.touchRecords(group, 0.01, seed).length;
  const result = await runChild(job(options, 'sync', dbFile));
  return {
    result,
    rows: [
      {
        name: `sync: incremental after 1% changed (${touched.toLocaleString('en-GB')} records; fetched ${result.records.toLocaleString('en-GB')}) — bytes`,
        value: mb(result.bytes), unit: 'MB', ratio: round(result.bytes / initial.bytes, 3), target: 'ratio ≤ 0.05',
      },
      {
        name: 'sync: incremental after 1% changed — seconds', value: round(result.seconds), unit: 's', ratio: round(result.seconds / initial.seconds, 3), target: 'ratio ≤ 0.05',
        note: phaseNote(result.phases),
      },
      { name: 'sync: incremental sync peak RSS', value: mb(result.maxRssBytes), unit: 'MB', target: '≤ 400 MB' },
    ],
  };
}

/** (4) Caseload search over the synced replica: what a worker types (names, name prefixes, postcodes, NHS numbers). */
export async function benchCaseloadSearch(dbFile: string, queries = 400): Promise<BenchRow[]> {
  const replica = openReplicaWithKey({ file: dbFile, key: DB_KEY });
  try {
    const clientCount = replica.sqlite.prepare('SELECT count(*) FROM clients').pluck().get() as number;
    const sample = replica.sqlite.prepare('SELECT first_name, surname, postcode, nhs_number FROM clients ORDER BY (id * 7919) % 10007 LIMIT ?').all(Math.ceil(queries / 4)) as
      Array<{ first_name: string | null; surname: string | null; postcode: string | null; nhs_number: string | null }>;
    const texts: string[] = [];
    for (const c of sample) {
      texts.push((c.surname ?? 'smi').slice(0, 3));
      texts.push(`${c.first_name ?? ''} ${c.surname ?? ''}`.trim());
      texts.push(c.postcode ?? 'LS1');
      texts.push((c.nhs_number ?? '943').replace(/\s/g, ''));
    }
    for (const text of texts.slice(0, 20)) searchClients(replica, text, 50); // warm the page cache
    const times: number[] = [];
    for (const text of texts) {
      const started = performance.now();
      searchClients(replica, text, 50);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return [
      { name: `sync: caseload search over ${clientCount.toLocaleString('en-GB')} clients (${times.length} queries) p50`, value: round(percentile(times, 50), 3), unit: 'ms' },
      { name: 'sync: caseload search p95', value: round(percentile(times, 95), 3), unit: 'ms', target: 'p95 ≤ 10 ms' },
    ];
  } finally {
    replica.close();
  }
}

/** All of issue 3's rows, in order (the runner's suite). */
export async function benchSyncDown(bench: BenchSimulator, clients: number, workDir?: string): Promise<BenchRow[]> {
  const options: SyncBenchOptions = { bench, clients, ...(workDir ? { workDir } : {}) };
  const dir = workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-bench-sync-'));
  fs.mkdirSync(dir, { recursive: true });
  try {
    const synced = path.join(dir, 'sync.db');
    const baseline = await benchRawBaseline(options, dir);
    const initial = await benchInitialSync(options, synced, baseline.result);
    const incremental = await benchIncrementalSync(options, synced, initial.result);
    const search = await benchCaseloadSearch(synced);
    return [...baseline.rows, ...initial.rows, ...incremental.rows, ...search];
  } finally {
    if (!workDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
