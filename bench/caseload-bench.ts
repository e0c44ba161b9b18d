// Issue 14's caseload row: `caseload:list` as the Caseload screen first asks for it (its default
// sort and page size, no filters) over the replica of a whole-organisation sync — in-process (the
// function the channel runs, the baseline) and through the browser host as `caseworker web` runs it
// (the app core on worker threads, the reader thread's own connection, loopback HTTP with the bearer
// token), nothing else running; then the same read right after each of the person's own edits, which
// empties the reader's page cache (main/threads/read-snapshot.ts), and when the screen reloads after one.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { listCaseload } from '../main/app/caseload.js';
import { openReplicaWithKey } from '../main/db/open.js';
import { figures, type BenchRow, type Figures } from './bench-row.js';
import { startHost } from './never-block-bench.js';

/** What the Caseload screen asks for first: renderer/src/views/CaseloadView.vue (sort surname, no filters) and use-paged-rows.ts (pages of 200). */
export const FIRST_PAGE = { sort: 'surname', offset: 0, limit: 200 } as const;

/** The Caseload screen reloads this long after `data:changed` (renderer/src/composables/use-data-changed.ts). */
const RELOAD_AFTER_MS = 150;

const ms = (n: number) => Math.round(n * 100) / 100;
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** The channel's function on a connection of this process: no thread hop, no HTTP. */
function inProcess(dbFile: string, dbKey: string, runs: number): { wall: Figures; cpu: Figures; clients: number } {
  const replica = openReplicaWithKey({ file: dbFile, key: dbKey });
  try {
    const clients = replica.sqlite.prepare('SELECT count(*) FROM clients').pluck().get() as number;
    for (let i = 0; i < 3; i++) listCaseload(replica, FIRST_PAGE); // warm the page cache and statements
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const usage = process.cpuUsage();
      const started = performance.now();
      listCaseload(replica, FIRST_PAGE);
      wall.push(performance.now() - started);
      const used = process.cpuUsage(usage);
      cpu.push((used.user + used.system) / 1000);
    }
    return { wall: figures(wall), cpu: figures(cpu), clients };
  } finally {
    replica.close();
  }
}

interface HostFigures {
  first: number;
  idle: Figures;
  afterEdit: Figures;
  /** The read 150 ms after the edit answered, when the Caseload screen reloads (renderer/src/composables/use-data-changed.ts). */
  reload: Figures;
  /** The host process's CPU (every thread) per idle call, ms; NaN where /proc is missing. */
  cpuPerCall: number;
}

/** A process's CPU time so far (user + system, every thread), ms: Linux's /proc; NaN elsewhere. */
function processCpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** The browser host over `dbFile` (no connection, no background sync): the first call, then `runs` calls ~25 ms apart, then `edits` edit-then-read pairs at once and as many when the screen would reload. */
async function throughHost(dbFile: string, dbKey: string, runs: number, edits: number): Promise<HostFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-bench-caseload-'));
  const host = await startHost({ mode: 'threads', dataDir, dbKey, replicaFile: dbFile, backgroundSync: false });
  const agent = new Agent({ connections: 2 });
  try {
    const url = new URL(host.url);
    const token = url.searchParams.get('token')!;
    const call = async <T>(channel: string, input: unknown): Promise<{ data: T; ms: number }> => {
      const started = performance.now();
      const response = await fetch(`${url.origin}/rpc/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(input),
        dispatcher: agent,
      });
      const envelope = (await response.json()) as { ok: boolean; data?: T; error?: { code: string; message: string } };
      const took = performance.now() - started;
      if (!envelope.ok) throw new Error(`${channel}: ${envelope.error!.code} ${envelope.error!.message}`);
      return { data: envelope.data as T, ms: took };
    };
    type Page = { rows: Array<{ client: { id: number } }> };
    const first = await call<Page>('caseload:list', FIRST_PAGE);
    for (let i = 0; i < 3; i++) await call('caseload:list', FIRST_PAGE);
    const idle: number[] = [];
    const cpuBefore = processCpuMs(host.pid);
    for (let i = 0; i < runs; i++) {
      idle.push((await call('caseload:list', FIRST_PAGE)).ms);
      await pause(25); // a person scrolling, not a loop
    }
    const cpuPerCall = (processCpuMs(host.pid) - cpuBefore) / runs;
    // The person's own edit (queued: no connection here), then the screen reads again.
    const ids = first.data.rows.map((r) => r.client.id);
    const edit = (i: number) => call('clients:update', { id: ids[i % ids.length]!, fields: { mobile: `07700 9${String(i).padStart(5, '0')}` } });
    const afterEdit: number[] = [];
    const reload: number[] = [];
    for (let i = 0; i < edits; i++) {
      await edit(2 * i);
      afterEdit.push((await call('caseload:list', FIRST_PAGE)).ms);
      await pause(25);
      await edit(2 * i + 1);
      await pause(RELOAD_AFTER_MS);
      reload.push((await call('caseload:list', FIRST_PAGE)).ms);
      await pause(25);
    }
    return { first: first.ms, idle: figures(idle), afterEdit: figures(afterEdit), reload: figures(reload), cpuPerCall };
  } finally {
    await agent.close();
    await host.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The rows, over a replica synced with the whole organisation in scope (it gains queued edits). */
export async function benchCaseloadFirstPage(dbFile: string, dbKey: string, runs = 200, edits = 40): Promise<BenchRow[]> {
  const local = inProcess(dbFile, dbKey, runs);
  const hosted = await throughHost(dbFile, dbKey, runs, edits);
  const page = `sort ${FIRST_PAGE.sort}, ${FIRST_PAGE.limit} rows`;
  return [
    {
      name: `caseload:list first page (${page}) in-process over ${local.clients.toLocaleString('en-GB')} clients, p95`,
      value: ms(local.wall.p95),
      unit: 'ms',
      note: `p50 ${ms(local.wall.p50)} ms, CPU p50 ${ms(local.cpu.p50)} ms (${local.wall.n} runs); listCaseload as the channel runs it: no thread, no HTTP`,
    },
    {
      name: `caseload:list first page (${page}) through the browser host, nothing else running, p95`,
      value: ms(hosted.idle.p95),
      unit: 'ms',
      ratio: hosted.idle.p95 / local.wall.p95,
      target: 'p95 ≤ 20 ms',
      note: `p50 ${ms(hosted.idle.p50)}, max ${ms(hosted.idle.max)} ms (${hosted.idle.n} calls ~25 ms apart); the host's CPU ${ms(hosted.cpuPerCall)} ms a call (all its threads); first call ${ms(hosted.first)} ms (the reader opens the replica); worker threads, loopback HTTP, bearer token; ratio = against in-process p95`,
    },
    {
      name: `caseload:list first page through the browser host, right after the person's own edit, p95`,
      value: ms(hosted.afterEdit.p95),
      unit: 'ms',
      ratio: hosted.afterEdit.p95 / hosted.idle.p95,
      note: `p50 ${ms(hosted.afterEdit.p50)}, max ${ms(hosted.afterEdit.max)} ms (${hosted.afterEdit.n} edits, each read at once after its edit answered); ratio = against the host's idle p95 (the core's commit empties the reader's page cache)`,
    },
    {
      name: `caseload:list first page through the browser host, ${RELOAD_AFTER_MS} ms after the person's own edit (when the screen reloads), p95`,
      value: ms(hosted.reload.p95),
      unit: 'ms',
      ratio: hosted.reload.p95 / hosted.idle.p95,
      note: `p50 ${ms(hosted.reload.p50)}, max ${ms(hosted.reload.max)} ms (${hosted.reload.n} edits); the Caseload screen reloads ${RELOAD_AFTER_MS} ms after data:changed (use-data-changed.ts), after the reader's re-warm (main/threads/read-rewarm.ts); ratio = against the host's idle p95`,
    },
  ];
}
