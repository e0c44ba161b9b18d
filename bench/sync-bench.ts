// The sync rows (issues 3 and 14), against the bench simulator's all-projects login so the scope is
// the whole charity: (1) the one-shot floor (one plain GET per group, JSON.parse, (id, json)
// inserts), (2) the initial sync run as the command a user runs, as a ratio to it, with its peak
// RSS, and where its time goes beyond the floor, (3) an incremental sync after 1% of records
// changed, as fractions of the initial (against the published API's server and one that filters
// every group by `updated`), (4) caseload search p50/p95, (5) caseload:list's first page in-process
// and through the browser host (bench/caseload-bench.ts). Every measured job runs in a process of its own (bench/sync-child.ts, bench/command-run.ts), never the simulator's.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openReplicaWithKey } from '../main/db/open.js';
import { searchClients } from '../main/db/search.js';
import type { RecordGroup } from '../shared/dizions/model.js';
import { percentile, type BenchRow } from './bench-row.js';
import { benchCaseloadFirstPage } from './caseload-bench.js';
import type { ChildJob, ChildResult } from './sync-child.js';
import { runCommand, type CommandRun } from './command-run.js';
import type { OneShotIngredients } from './raw-baseline.js';
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
    kind,
    url: sim.url,
    me: everyone.id,
    dbFile,
    dbKey: DB_KEY,
    scopes: FULL_SCOPE,
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

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1e6, 1);

/** The replica's ingredients, added one at a time to the one-shot path (see raw-baseline.ts). */
const INGREDIENT_STEPS: Array<{ label: string; ingredients: OneShotIngredients }> = [
  { label: 'row mapping: typed columns + raw (the replica schema, no index, no FTS)', ingredients: { typedRows: true } },
  { label: 'secondary indexes and FTS, built once after the inserts (as a first sync does)', ingredients: { typedRows: true, indexes: true, fts: true, builtAfter: true } },
  { label: 'encryption (SQLCipher; rollback journal, as a first fill writes)', ingredients: { typedRows: true, indexes: true, fts: true, builtAfter: true, encrypted: true } },
];

/** What `caseworker sync --json` prints (the fields the bench reads). */
interface SyncJson {
  bytes_received: number;
  requests: number;
  seconds: number;
  groups: Record<string, { fetched: number }>;
}

interface SyncRun {
  command: CommandRun;
  summary: SyncJson;
  records: number;
}

/** `caseworker sync` over the full scope, as a user runs it (the connection through the environment). */
function connectionEnv(options: SyncBenchOptions): Record<string, string> {
  const { everyone, sim } = options.bench;
  return { CASEWORKER_SERVER: sim.url, CASEWORKER_SOURCE: everyone.source, CASEWORKER_ORG: everyone.org, CASEWORKER_USER: everyone.user, CASEWORKER_DB_KEY: DB_KEY };
}

async function syncCommand(options: SyncBenchOptions, dbFile: string): Promise<SyncRun> {
  const { everyone } = options.bench;
  const args = ['sync', '--db', dbFile, '--me', String(everyone.id), ...FULL_SCOPE.flatMap((s) => ['--scope', `${s.group}=${s.path}`]), '--json'];
  const command = await runCommand(args, connectionEnv(options));
  const summary = JSON.parse(command.stdout.trim().split('\n').pop()!) as SyncJson;
  return { command, summary, records: Object.values(summary.groups).reduce((n, g) => n + g.fetched, 0) };
}

/** A copy of a closed replica (its WAL too, if one was left). */
function copyReplica(from: string, to: string): void {
  removeReplica(to);
  for (const suffix of ['', '-wal']) if (fs.existsSync(from + suffix)) fs.copyFileSync(from + suffix, to + suffix);
}

const removeReplica = (file: string) => {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
};

/** The better (shorter) of two runs. */
async function betterOfTwo<T>(run: (attempt: number) => Promise<T>, seconds: (result: T) => number): Promise<T> {
  return better(await twoRuns(run), seconds);
}

async function twoRuns<T>(run: (attempt: number) => Promise<T>): Promise<[T, T]> {
  const first = await run(0);
  return [first, await run(1)];
}

function better<T>([first, second]: [T, T], seconds: (result: T) => number): T {
  return seconds(second) <= seconds(first) ? second : first;
}

export interface InitialSyncFigures {
  rows: BenchRow[];
  oneShot: ChildResult;
  sync: SyncRun;
}

/**
 * (1) The one-shot floor and (2) the initial sync as a command, each the better of two runs, then
 * (3) where the sync's time goes beyond the floor: the replica's ingredients added one at a time to
 * the one-shot path, the rest of the sync in its own process, and the command's start and exit.
 */
export async function benchInitialSync(options: SyncBenchOptions, dir: string, dbFile: string): Promise<InitialSyncFigures> {
  const oneShots = await twoRuns(() => runChild(job(options, 'oneshot', path.join(dir, 'oneshot.db'))));
  const oneShot = better(oneShots, (r) => r.seconds);
  const sync = await betterOfTwo(
    async (attempt) => {
      const file = attempt === 0 ? path.join(dir, 'sync-first.db') : dbFile;
      removeReplica(file);
      const run = await syncCommand(options, file);
      if (attempt === 0) removeReplica(file);
      return run;
    },
    (r) => r.command.wallSeconds,
  );
  const ratio = sync.command.wallSeconds / oneShot.seconds;
  const rows: BenchRow[] = [
    {
      name: `sync: one-shot floor, ${oneShot.records.toLocaleString('en-GB')} records (${mb(oneShot.bytes)} MB, ${oneShot.requests} plain GETs)`,
      value: round(oneShot.seconds),
      unit: 's',
      note: `better of two; JSON.parse, (id, json) inserts, unencrypted, one transaction per group; ${Math.round(oneShot.records / oneShot.seconds).toLocaleString('en-GB')} records/s`,
    },
    {
      name: `sync: initial sync as a command (node bin/caseworker.mjs sync), ${sync.records.toLocaleString('en-GB')} records (${mb(sync.summary.bytes_received)} MB, ${sync.summary.requests} requests)`,
      value: round(sync.command.wallSeconds),
      unit: 's',
      ratio: round(ratio),
      target: 'ratio ≤ 1.5',
      note: `better of two; ${round(sync.summary.seconds)} s inside the process; CPU ${round(sync.command.cpuSeconds, 1)} s vs one-shot ${round(oneShot.cpuSeconds, 1)} s`,
    },
    { name: 'sync: initial sync peak RSS (the command)', value: mb(sync.command.maxRssBytes), unit: 'MB', target: '≤ 400 MB' },
  ];

  // Where the time goes, in CPU seconds (steadier than wall time on a shared machine): each step's
  // extra over the previous one, as a share of the floor, each step the better of two runs by CPU
  // (one run each gave steps that differed 10× between two bench runs). A child's own start (tsx,
  // imports) is taken off each one-shot; the simulator's CPU (another process) is in no figure.
  const childStart = (await runChild(job(options, 'noop', path.join(dir, 'noop.db')))).cpuSeconds;
  const floorCpu = better(oneShots, (r) => r.cpuSeconds).cpuSeconds - childStart;
  let previous = { cpu: floorCpu, wall: oneShot.seconds };
  const steps: Array<{ label: string; cpu: number; wall: number }> = [{ label: 'the one-shot floor', cpu: floorCpu, wall: oneShot.seconds }];
  for (const step of INGREDIENT_STEPS) {
    const result = await betterOfTwo(
      () => runChild({ ...job(options, 'oneshot', path.join(dir, 'oneshot-step.db')), ingredients: step.ingredients }),
      (run) => run.cpuSeconds,
    );
    const now = { cpu: result.cpuSeconds - childStart, wall: result.seconds };
    steps.push({ label: `+ ${step.label}`, cpu: now.cpu - previous.cpu, wall: now.wall - previous.wall });
    previous = now;
  }
  removeReplica(path.join(dir, 'oneshot-step.db'));
  const startCpu = (await runCommand(['status', '--db', dbFile, '--json'], { CASEWORKER_DB_KEY: DB_KEY })).cpuSeconds;
  const syncCpu = sync.command.cpuSeconds - startCpu;
  steps.push({
    label: `+ the rest of sync (${sync.summary.requests} requests, ${mb(sync.summary.bytes_received)} MB gzipped vs ${oneShot.requests} and ${mb(oneShot.bytes)} MB; streaming parse, validation, slices, commits, dictionaries, listing)`,
    cpu: syncCpu - previous.cpu,
    wall: sync.summary.seconds - previous.wall,
  });
  steps.push({ label: '+ process start, opening the replica, exit (caseworker status)', cpu: startCpu, wall: sync.command.wallSeconds - sync.summary.seconds });
  for (const step of steps) {
    rows.push({
      name: `sync: where the time goes: ${step.label}`,
      value: round(step.cpu),
      unit: 's CPU',
      ratio: round(step.cpu / floorCpu),
      note: `ratio = share of the floor's CPU; wall ${round(step.wall, 1)} s (each step the better of two by CPU)`,
    });
  }
  rows.push({
    name: 'sync: initial sync CPU against the one-shot floor',
    value: round(sync.command.cpuSeconds),
    unit: 's CPU',
    ratio: round(sync.command.cpuSeconds / floorCpu),
    note: `floor ${round(floorCpu)} s CPU (its child's start, ${round(childStart)} s, taken off)`,
  });
  return { rows, oneShot, sync };
}

/**
 * (3) 1% of clients, referrals and contacts change on the server; the next sync (a command too), as
 * fractions of the initial — twice over the same changes: against the published API's server, which
 * filters only referrals by `updated` (every other group is listed with its stamps), and against a
 * server that filters every group by it (`caseworker sim --updated-filter all`: changes and a count
 * per group). `beside` is a copy of the replica as the initial sync left it, for the second run.
 */
export async function benchIncrementalSync(options: SyncBenchOptions, dbFile: string, initial: SyncRun, beside: string): Promise<BenchRow[]> {
  const store = options.bench.sim.store;
  let touched = 0;
  const seed = Date.now() % 100_000; // a different 1% each run, so every run changes something
  for (const group of ['clients', 'referrals', 'due_contacts', 'done_contacts'] as const) touched += store.touchRecords(group, 0.01, seed).length;
  const published = await syncCommand(options, dbFile);
  const previous = store.updatedFilter;
  store.updatedFilter = 'all';
  store.indexUpdated(); // what such a server has (an index on updated); made once, kept in bench-data/
  let everyGroup: SyncRun;
  try {
    // The replica learnt on its first sync that this server filters referrals only (a verdict kept a
    // day): as an admin would after the server changed, `caseworker doctor --db` tells it (not timed).
    await runCommand(['doctor', '--db', beside, '--json'], connectionEnv(options));
    everyGroup = await syncCommand(options, beside);
  } finally {
    store.updatedFilter = previous;
    removeReplica(beside);
  }
  const rows = (label: string, run: SyncRun): BenchRow[] => [
    {
      name: `sync: incremental after 1% changed (${touched.toLocaleString('en-GB')} records; fetched ${run.records.toLocaleString('en-GB')}), ${label} — bytes`,
      value: mb(run.summary.bytes_received),
      unit: 'MB',
      ratio: round(run.summary.bytes_received / initial.summary.bytes_received, 3),
      target: 'ratio ≤ 0.05',
      note: `${run.summary.requests} requests`,
    },
    {
      name: `sync: incremental after 1% changed, ${label} — seconds inside the process`,
      value: round(run.summary.seconds),
      unit: 's',
      ratio: round(run.summary.seconds / initial.summary.seconds, 3),
      target: 'ratio ≤ 0.05',
    },
    {
      name: `sync: incremental after 1% changed, ${label} — the command's wall time`,
      value: round(run.command.wallSeconds),
      unit: 's',
      ratio: round(run.command.wallSeconds / initial.command.wallSeconds, 3),
      note: `process start included on both sides; peak RSS ${mb(run.command.maxRssBytes)} MB`,
    },
  ];
  return [
    ...rows('published API (updated filter on referrals only; the other groups listed with stamps)', published),
    ...rows('a server filtering every group by updated (changes + one count per group)', everyGroup),
    { name: 'sync: incremental sync peak RSS (the command, published API)', value: mb(published.command.maxRssBytes), unit: 'MB', target: '≤ 400 MB' },
  ];
}

/** (4) Caseload search over the synced replica: what a worker types (names, name prefixes, postcodes, NHS numbers). */
export async function benchCaseloadSearch(dbFile: string, queries = 400): Promise<BenchRow[]> {
  const replica = openReplicaWithKey({ file: dbFile, key: DB_KEY });
  try {
    const clientCount = replica.sqlite.prepare('SELECT count(*) FROM clients').pluck().get() as number;
    const sample = replica.sqlite.prepare('SELECT first_name, surname, postcode, nhs_number FROM clients ORDER BY (id * 7919) % 10007 LIMIT ?').all(Math.ceil(queries / 4)) as Array<{
      first_name: string | null;
      surname: string | null;
      postcode: string | null;
      nhs_number: string | null;
    }>;
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

/** (6) `caseworker status` as a user starts it (median of 5), prebuilt CLI against tsx. */
export async function benchStatusStart(dbFile: string): Promise<BenchRow[]> {
  const median = async (env: Record<string, string>) => {
    const runs: CommandRun[] = [];
    for (let i = 0; i < 5; i++) runs.push(await runCommand(['status', '--db', dbFile, '--json'], { CASEWORKER_DB_KEY: DB_KEY, ...env }));
    const by = (key: 'wallSeconds' | 'cpuSeconds') => runs.map((r) => r[key]).sort((a, b) => a - b)[2]!;
    return { wall: by('wallSeconds'), cpu: by('cpuSeconds') };
  };
  const prebuilt = await median({});
  const tsx = await median({ CASEWORKER_TSX: '1' });
  return [
    {
      name: 'caseworker status: start to exit (median of 5)',
      value: round(prebuilt.wall),
      unit: 's',
      ratio: round(prebuilt.wall / tsx.wall),
      target: '≤ 0.3 s',
      note: `CPU ${round(prebuilt.cpu)} s; ratio = against the same command through tsx (${round(tsx.wall)} s, CPU ${round(tsx.cpu)} s)${existsPrebuilt() ? '' : ' — NO PREBUILT CLI (npm run build:cli): both ran through tsx'}`,
    },
  ];
}

function existsPrebuilt(): boolean {
  return fs.existsSync(fileURLToPath(new URL('../dist/cli/inputs.json', import.meta.url)));
}

/** The caseload rows alone (`--only caseload`): one whole-organisation sync as a command, then bench/caseload-bench.ts over its replica. */
export async function benchCaseloadOverSync(bench: BenchSimulator, clients: number): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-bench-caseload-'));
  try {
    const synced = path.join(dir, 'sync.db');
    const run = await syncCommand({ bench, clients }, synced);
    return [
      {
        name: `caseload: the whole-organisation replica it reads (${run.records.toLocaleString('en-GB')} records, synced as a command)`,
        value: round(run.command.wallSeconds),
        unit: 's',
      },
      ...(await benchCaseloadFirstPage(synced, DB_KEY)),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The sync suite's rows, in order (the runner's suite). */
export async function benchSyncDown(bench: BenchSimulator, clients: number, workDir?: string): Promise<BenchRow[]> {
  const options: SyncBenchOptions = { bench, clients, ...(workDir ? { workDir } : {}) };
  // The command as a user runs it after `npm install`: prebuilt (a stale build would fall back to tsx).
  const built = spawnSync(process.execPath, [fileURLToPath(new URL('../build/cli.mjs', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error('bench: could not prebuild the CLI (node build/cli.mjs)');
  const dir = workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-bench-sync-'));
  fs.mkdirSync(dir, { recursive: true });
  try {
    const synced = path.join(dir, 'sync.db');
    const initial = await benchInitialSync(options, dir, synced);
    const beside = path.join(dir, 'sync-beside.db');
    copyReplica(synced, beside);
    const incremental = await benchIncrementalSync(options, synced, initial.sync, beside);
    const search = await benchCaseloadSearch(synced);
    const status = await benchStatusStart(synced);
    // Last: its edits (queued in the replica) must not touch what the others measure.
    const caseload = await benchCaseloadFirstPage(synced, DB_KEY);
    return [...initial.rows, ...incremental, ...search, ...status, ...caseload];
  } finally {
    if (!workDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
