// Issue 13's rows: RPC round trips through the browser host while a whole-organisation sync runs,
// for the app core on worker threads (now) against the same core on the host's own thread (before),
// both measured in this run on the same simulator. Each host runs in its own process
// (bench/never-block-host.ts) and the person at the window in another (bench/never-block-probe.ts),
// so neither the simulator's event loop (this process) nor the probe's delays what is measured.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figures, type BenchRow, type Figures } from './bench-row.js';
import type { HostJob } from './never-block-host.js';
import type { ProbeJob, ProbeResult, ProbeSeries } from './never-block-probe.js';
import type { BenchSimulator } from './sim-fixture.js';

const HOST = fileURLToPath(new URL('./never-block-host.ts', import.meta.url));
const PROBE = fileURLToPath(new URL('./never-block-probe.ts', import.meta.url));
const DB_KEY = 'b1'.repeat(32);
const IDLE_SECONDS = 10;

const ms = (n: number) => Math.round(n * 10) / 10;
const describe = (f: Figures) => `p50 ${ms(f.p50)}, p99 ${ms(f.p99)}, max ${ms(f.max)} ms (${f.n} calls)`;

/** Per edit (keyed by its new mobile number): ms from the serving thread's call into the data plane to its answer. */
type ServingTimes = Record<string, number>;

/** The browser host in a process of its own (bench/never-block-host.ts), once it serves. */
export function startHost(job: HostJob): Promise<{ url: string; pid: number; stop(): Promise<ServingTimes> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      resolve({
        url: (JSON.parse(line) as { url: string }).url,
        pid: child.pid!,
        stop: () =>
          new Promise<ServingTimes>((done) => {
            const serving = () => {
              const last = stdout.split('\n').find((l) => l.startsWith('{"serving"'));
              return last ? (JSON.parse(last) as { serving: ServingTimes }).serving : {};
            };
            if (child.exitCode !== null) return done(serving());
            child.once('exit', () => done(serving()));
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`the bench host (${job.mode}) exited ${code} before serving: ${stderr.trim()}`)));
  });
}

function runProbe(job: ProbeJob): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROBE, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the bench probe exited ${code}: ${stderr.trim()}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ProbeResult);
    });
  });
}

async function measureMode(bench: BenchSimulator, mode: HostJob['mode'], dir: string): Promise<{ result: ProbeResult; serving: ServingTimes }> {
  const dataDir = path.join(dir, mode);
  const host = await startHost({ mode, dataDir, dbKey: DB_KEY });
  let result: ProbeResult;
  try {
    const { everyone, sim } = bench;
    result = await runProbe({
      url: host.url,
      sim: { url: sim.url, source: everyone.source, org: everyone.org, user: everyone.user },
      me: { user: everyone.id, worker: everyone.worker },
      idleSeconds: IDLE_SECONDS,
    });
  } catch (error) {
    await host.stop();
    throw error;
  }
  return { result, serving: await host.stop() };
}

type Series = 'status' | 'caseload' | 'enqueue' | 'enqueueServing';

interface Summary {
  idle: Record<Series, Figures>;
  sync: Record<Series, Figures>;
  result: ProbeResult;
}

function summarise({ result, serving }: { result: ProbeResult; serving: ServingTimes }): Summary {
  const of = (series: ProbeSeries) => ({
    status: figures(series.status),
    caseload: figures(series.caseload),
    enqueue: figures(series.enqueue),
    enqueueServing: figures(series.enqueueKeys.flatMap((key) => (serving[key] === undefined ? [] : [serving[key]]))),
  });
  return { idle: of(result.idle), sync: of(result.sync), result };
}

export async function benchNeverBlock(bench: BenchSimulator, clients: number): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-never-block-'));
  try {
    const before = summarise(await measureMode(bench, 'single', dir));
    const after = summarise(await measureMode(bench, 'threads', dir));
    const size = `${clients.toLocaleString('en-GB')} clients, ${after.result.records.toLocaleString('en-GB')} records`;
    const rows: BenchRow[] = [];
    for (const [label, s] of [
      ['before (one thread)', before],
      ['after (worker threads)', after],
    ] as const) {
      const threads = s === after;
      rows.push(
        {
          name: `never-block ${label}: sync:status during full sync, p95`,
          value: ms(s.sync.status.p95),
          unit: 'ms',
          ...(threads ? { target: '≤ 20 ms, max ≤ 100' } : {}),
          note: `${describe(s.sync.status)}; idle p95 ${ms(s.idle.status.p95)} ms`,
        },
        {
          name: `never-block ${label}: caseload:list (200 rows) during full sync, p95`,
          value: ms(s.sync.caseload.p95),
          unit: 'ms',
          ratio: s.sync.caseload.p95 / s.idle.caseload.p95,
          ...(threads ? { target: '≤ 1.5× idle p95, max ≤ 150' } : {}),
          note: `${describe(s.sync.caseload)}; idle p95 ${ms(s.idle.caseload.p95)}, max ${ms(s.idle.caseload.max)} ms (ratio = during / idle)`,
        },
        {
          name: `never-block ${label}: enqueue an edit during full sync, p95, the window's thread's wait`,
          value: ms(s.sync.enqueueServing.p95),
          unit: 'ms',
          ...(threads ? { target: '≤ 5 ms' } : {}),
          note: `${describe(s.sync.enqueueServing)}; idle p95 ${ms(s.idle.enqueueServing.p95)} ms; from the serving thread's call into the data plane to its answer (Electron's main process, IPC aside)`,
        },
        {
          name: `never-block ${label}: the same edit's HTTP round trip through the browser host, p95`,
          value: ms(s.sync.enqueue.p95),
          unit: 'ms',
          note: `${describe(s.sync.enqueue)}; idle p95 ${ms(s.idle.enqueue.p95)} ms; adds the probe's HTTP client, the host's HTTP and JSON and the dispatcher's checks`,
        },
        {
          name: `never-block ${label}: full sync wall time (${size})`,
          value: Math.round(s.result.fullSyncSeconds * 10) / 10,
          unit: 's',
          ...(threads ? { ratio: s.result.fullSyncSeconds / before.result.fullSyncSeconds } : {}),
          note: `first sync ${Math.round(s.result.firstSyncSeconds)} s${threads ? '; ratio = after / before' : ''}`,
        },
      );
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
