// A closed terminal window sends SIGHUP (on Windows, closing the console; SIGTERM never arrives
// there): `caseworker sync` then stops cleanly between requests — the write in flight finishes and
// is confirmed, nothing else is sent, the push lease is given back, the replica is whole, and the
// next sync carries on. Ctrl-C (SIGINT) and Ctrl-Break (SIGBREAK, Windows only) take the same path.
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STOP_SIGNALS } from '../../main/cli/stop-signals.js';
import { checkIntegrity, openReplicaWithKey } from '../../main/db/open.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { CLI, runCaseworker } from '../support/cli-process.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { syncAs } from '../support/sync-support.js';

let sim: RunningSimulator;
let dir: string;
let db: string;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ clients: 40, seed: 13 });
  const login = sim.users[0]!;
  dir = tempDir('caseworker-signals-');
  db = path.join(dir, 'replica.db');
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY });
  await syncAs(sim, login, replica, { me: login.id });
  replica.close();
  env = { CASEWORKER_SERVER: sim.url, CASEWORKER_SOURCE: login.source, CASEWORKER_ORG: login.org, CASEWORKER_USER: login.user, CASEWORKER_ME: String(login.id) };
}, 120_000);

afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function entryStates(): string[] {
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY, migrate: false });
  try {
    return replica.sqlite.prepare('SELECT state FROM outbox_entries ORDER BY id').pluck().all() as string[];
  } finally {
    replica.close();
  }
}

it('listens for SIGINT, SIGTERM and SIGHUP here (and SIGBREAK on Windows)', () => {
  expect(STOP_SIGNALS).toEqual(expect.arrayContaining(['SIGINT', 'SIGTERM', 'SIGHUP']));
  expect(STOP_SIGNALS.includes('SIGBREAK')).toBe(process.platform === 'win32');
});

it('caseworker sync stops cleanly on SIGHUP between requests: the send in flight lands once, the rest waits, the lease is given back', { timeout: 120_000 }, async () => {
  const reader = openReplicaWithKey({ file: db, key: TEST_KEY, migrate: false });
  const client = reader.sqlite.prepare('SELECT id FROM clients WHERE id > 0 ORDER BY id LIMIT 1').pluck().get() as number;
  reader.close();
  // Two edits of one client: the second waits for the first to be confirmed (one chain).
  for (const phone of ['01632 960001', '01632 960002']) {
    const queued = await runCaseworker(['queue', '--db', db, '--dialect', '2019', 'POST', `clients/id/${client}`, `telephone=${phone}`], env);
    expect(queued.code, queued.stderr).toBe(0);
  }
  sim.setFaults('latency=#1@POST,latency-ms=3000');
  const before = sim.requestLog.length;
  const child = spawn(process.execPath, [CLI, 'sync', '--db', db], { env: { ...process.env, CASEWORKER_DB_KEY: TEST_KEY, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Wait until the first create is on the wire (the simulator holds it for 3 s).
  const started = Date.now();
  while (!entryStates().includes('sending')) {
    if (Date.now() - started > 60_000) throw new Error(`the sync never started sending: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGHUP');
  const code = await exited;
  expect(code).toBe(1);
  expect(stderr).toMatch(/sync cancelled; the replica keeps what was fetched so far/);

  const posts = sim.requestLog.slice(before).filter((e) => e.method === 'POST');
  expect(posts).toHaveLength(1); // the one in flight finished; the second was never started
  expect(entryStates().filter((s) => s !== 'confirmed')).toEqual(['pending']);
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY, migrate: false });
  try {
    expect(checkIntegrity(replica).ok).toBe(true);
    expect(replica.sqlite.prepare(`SELECT count(*) FROM outbox_state WHERE key = 'push_lock'`).pluck().get()).toBe(0);
  } finally {
    replica.close();
  }

  const again = await runCaseworker(['sync', '--db', db, '--json'], env);
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ confirmed: 1 });
  expect(entryStates().every((s) => s === 'confirmed')).toBe(true);
});
