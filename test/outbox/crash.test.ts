// kill -9 at random points while the outbox is being pushed (and while a whole sync runs), then
// restart, again and again; finally push to the end. The guarantees hold as if nothing had happened:
// every edit on the server exactly once (or visibly unsettled), nothing lost, integrity_check ok.
// CASEWORKER_CHAOS_KILLS sets the number of kills (`npm run test:chaos` asks for many more).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient } from '../../main/api/client.js';
import { checkIntegrity, openReplicaWithKey } from '../../main/db/open.js';
import { markDone, sendAgain } from '../../main/outbox/actions.js';
import { listEntries } from '../../main/outbox/entries.js';
import { pushOutbox } from '../../main/outbox/replay.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { DIALECT_MATRIX, FAST } from '../support/outbox-support.js';
import { brokenGuarantees, decideInDoubt, queueMix, seededRandom } from '../support/outbox-plan.js';
import { syncAs } from '../support/sync-support.js';

const KILLS = Number(process.env.CASEWORKER_CHAOS_KILLS ?? 50);
// Enough work that most kills land mid-push (each run gets through a handful of entries before it dies).
const EDITS = Math.max(200, KILLS * 8);

let child: string;

beforeAll(async () => {
  // One bundled file starts in a fraction of the time tsx needs: 50 restarts stay affordable.
  child = path.join(process.cwd(), 'node_modules', '.cache', 'caseworker-tests', `outbox-crash-child-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(import.meta.dirname, 'crash-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
});
afterAll(async () => {
  if (child) fs.rmSync(child, { force: true });
});

/**
 * Starts the child and kills it `afterMs` after its first write left (or, when it has nothing to
 * send, `idleMs` after it started pushing); resolves true when it was killed, false when it finished.
 */
function runAndKill(args: object, afterMs: number, idleMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const killIn = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    };
    proc.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
    });
    proc.stdout.on('data', (d: Buffer) => {
      const text = String(d);
      if (text.includes('sending')) killIn(afterMs);
      else if (text.includes('pushing')) killIn(idleMs);
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(true);
      else if (code === 0) resolve(false);
      else reject(new Error(`the child failed (${code}): ${stderr.slice(-2000)}`));
    });
  });
}

describe.each(DIALECT_MATRIX)('in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 60, seed: 41, dialect });
    dir = tempDir('outbox-crash-');
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${KILLS} kill -9s at random points of pushing and syncing`, async () => {
    const login = sim.users[0]!;
    const me = sim.store.users().find((u) => u.id === login.id)!;
    const file = path.join(dir, 'replica.db');
    let replica = openReplicaWithKey({ file, key: TEST_KEY });
    await syncAs(sim, login, replica, { me: login.id });
    const planned = queueMix({ replica, me, dialect }, EDITS, 'k', seededRandom(KILLS), 9000);
    replica.close();

    // Some lost replies too, so kills also land in reconciliations; a little latency so they land mid-request.
    sim.setFaults('reset-after=0.08,500=0.04,latency=1,latency-ms=15,fault-seed=2');
    const random = seededRandom(99);
    const args = { url: sim.url, source: login.source, org: login.org, user: login.user, dialect, file, key: TEST_KEY, timings: FAST };
    let killed = 0;
    let caughtSending = 0;
    for (let k = 0; k < KILLS; k++) {
      const sync = k % 4 === 3;
      if (await runAndKill({ ...args, sync }, Math.floor(random() * (sync ? 150 : 50)), 300)) killed++;
      const look = openReplicaWithKey({ file, key: TEST_KEY, migrate: false });
      try {
        caughtSending += look.sqlite.prepare(`SELECT count(*) FROM outbox_entries WHERE state = 'sending'`).pluck().get() as number;
        expect(checkIntegrity(look).ok, `integrity after kill ${k}`).toBe(true);
        // The user settles what only they can (uploads, external referrals in doubt), between runs.
        decideInDoubt(sim, look, planned, { markDone: (id) => markDone(look, id), sendAgain: (id) => sendAgain(look, id) });
      } finally {
        look.close();
      }
    }
    if (process.env.CASEWORKER_CHAOS_VERBOSE) console.log({ killed, caughtSending });
    expect(killed).toBeGreaterThanOrEqual(Math.floor(KILLS * 0.8));
    expect(caughtSending, 'kills landed while requests were in flight').toBeGreaterThanOrEqual(Math.ceil(KILLS / 5));

    // Restart for good and push to the end.
    sim.setFaults('');
    replica = openReplicaWithKey({ file, key: TEST_KEY });
    const client = createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: login.user, dialect });
    try {
      for (let round = 0; round < 4 && listEntries(replica.sqlite).length > 0; round++) {
        decideInDoubt(sim, replica, planned, { markDone: (id) => markDone(replica, id), sendAgain: (id) => sendAgain(replica, id) });
        await pushOutbox(replica, client, { timings: FAST });
      }
      expect(brokenGuarantees(sim, replica, planned)).toEqual([]);
      expect(listEntries(replica.sqlite).map((e) => `${e.id} ${e.state} ${e.error}`)).toEqual([]);
      expect(checkIntegrity(replica).ok).toBe(true);
    } finally {
      await client.close();
      replica.close();
    }
  }, 600_000);
});
