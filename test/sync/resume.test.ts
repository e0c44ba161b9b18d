// A sync killed with kill -9 part-way through leaves a replica that passes integrity_check, and the
// next sync carries on from there (it does not fetch everything again) and ends equal to a clean
// sync. The replica file holds no plaintext of the caseload.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { checkIntegrity, openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { replicaStatus } from '../../main/sync/status.js';
import { TEST_KEY, freshReplica, tempDir } from '../support/db-fixtures.js';
import { type Login, replicaContents, syncAs } from '../support/sync-support.js';

const CLI = fileURLToPath(new URL('../../bin/caseworker.mjs', import.meta.url));
/** Everything this login can see, so the sync has many batches to be killed in the middle of. */
const FULL_SCOPE = ['clients=clients', 'referrals=referrals', 'due_contacts=due_contacts', 'done_contacts=done_contacts'];

// Every test here runs in both dialects: the simulator and the connection speak `dialect`.
describe.each(DIALECT_MATRIX)('in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  let priya: Login;
  let dir: string;

  beforeAll(async () => {
    sim = await startSimulator({ dialect, clients: 450, seed: 41 });
    priya = sim.users[0]!;
    // Give this login every project, so its scope is the whole charity (as the bench does).
    sim.store.joinEveryProject(priya.id);
    dir = tempDir('caseworker-sync-resume-');
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  interface Run {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }

  /** Runs `caseworker sync` as a child; `killWhen` sees each stderr line and may ask for kill -9. */
  function cliSync(db: string, killWhen?: (line: string) => boolean): Promise<Run> {
    const args = [CLI, 'sync', '--db', db, '--server', sim.url, '--source', priya.source, '--org', priya.org, '--user', priya.user, '--me', String(priya.id), '--dialect', dialect, '--json'];
    for (const scope of FULL_SCOPE) args.push('--scope', scope);
    const child = spawn(process.execPath, args, { env: { ...process.env, CASEWORKER_DB_KEY: TEST_KEY }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (killWhen && stderr.split('\n').some(killWhen)) child.kill('SIGKILL');
    });
    return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  }

  /** The replica's indexes and triggers, by name. */
  function schemaObjects(replica: Pick<Replica, 'sqlite'>): string[] {
    return replica.sqlite.prepare(`SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY 1`).pluck().all() as string[];
  }

  function recordCount(replica: Pick<Replica, 'sqlite'>): number {
    return replica.sqlite
      .prepare('SELECT (SELECT count(*) FROM clients) + (SELECT count(*) FROM referrals) + (SELECT count(*) FROM contacts) + (SELECT count(*) FROM workers) + (SELECT count(*) FROM schedules)')
      .pluck()
      .get() as number;
  }

  /**
   * `downloading <group> done/total` once the clients are in (a group's end commits) and with records
   * still to come: slices are committed in groups of thousands, so earlier kills may leave nothing.
   * A first sync fills each group while listing it (one streamed GET, no total known): there, any
   * record of done contacts written — they come after the clients, and their reply is trickled.
   */
  function partway(line: string): boolean {
    const match = /downloading (referrals|due_contacts|done_contacts)\s+(\d+)(?:\/(\d+))? records/.exec(line);
    if (match === null || Number(match[2]) === 0) return false;
    return match[3] === undefined ? match[1] === 'done_contacts' : Number(match[2]) < Number(match[3]);
  }

  describe('a sync killed with kill -9', () => {
    it('restarts where it stopped and ends equal to a clean sync; the file holds no plaintext', async () => {
      const db = path.join(dir, 'killed.db');
      // Slow replies (done contacts trickled), so the kill lands mid-download.
      sim.setFaults('latency=1,latency-ms=150,trickle=1@GET:done_contacts,trickle-bps=100000');
      const killed = await cliSync(db, partway);
      sim.setFaults('');
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      // A first fill writes through a rollback journal (main/db/fill-journal.ts): a kill leaves it hot.
      const hotJournal = fs.existsSync(`${db}-journal`) ? fs.readFileSync(`${db}-journal`) : undefined;

      const afterKill = openReplicaWithKey({ file: db, key: TEST_KEY });
      let heldAfterKill: number;
      try {
        expect(checkIntegrity(afterKill).ok).toBe(true);
        expect(afterKill.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(replicaStatus(afterKill).interrupted).toMatchObject({ phase: 'downloading' });
        heldAfterKill = recordCount(afterKill);
        expect(afterKill.sqlite.prepare('SELECT count(*) FROM clients').pluck().get()).toBeGreaterThan(0);
      } finally {
        afterKill.close();
      }

      const resumed = await cliSync(db);
      expect(resumed.code, resumed.stderr).toBe(0);
      const summary = JSON.parse(resumed.stdout) as { groups: Record<string, { inserted: number }> };
      const insertedOnResume = Object.values(summary.groups).reduce((n, g) => n + g.inserted, 0);

      const clean = freshReplica();
      const replica = openReplicaWithKey({ file: db, key: TEST_KEY });
      try {
        await syncAs(sim, priya, clean, { scopes: FULL_SCOPE.map((s) => ({ group: s.split('=')[0] as 'clients', path: s.split('=')[1]! })) });
        // The restart fetched only what the killed run had not written.
        expect(insertedOnResume).toBe(recordCount(clean) - heldAfterKill);
        expect(replicaContents(replica)).toEqual(replicaContents(clean));
        // The indexes and search triggers the first fill set aside were built again, and search holds every client.
        expect(schemaObjects(replica)).toEqual(schemaObjects(clean));
        expect(schemaObjects(replica).length).toBeGreaterThan(10);
        for (const r of [replica, clean]) {
          expect(r.sqlite.prepare('SELECT count(*) FROM client_search').pluck().get()).toBe(r.sqlite.prepare('SELECT count(*) FROM clients').pluck().get());
        }
        expect(checkIntegrity(replica).ok).toBe(true);
        expect(replicaStatus(replica).interrupted).toBeNull();

        // Encrypted at rest: no synced surname appears in the file or its WAL.
        const surnames = replica.sqlite.prepare('SELECT DISTINCT surname FROM clients WHERE length(surname) >= 6 LIMIT 5').pluck().all() as string[];
        expect(surnames.length).toBeGreaterThan(0);
        replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
        for (const file of [db, `${db}-wal`]) {
          if (!fs.existsSync(file)) continue;
          const bytes = fs.readFileSync(file);
          for (const surname of surnames) expect(bytes.includes(Buffer.from(surname, 'utf8')), `${surname} in ${path.basename(file)}`).toBe(false);
        }
        for (const surname of surnames) expect(hotJournal?.includes(Buffer.from(surname, 'utf8')) ?? false, `${surname} in the killed fill's journal`).toBe(false);
      } finally {
        replica.close();
        clean.close();
      }
    }, 60_000); // two CLI processes and a clean sync: slow on a busy two-core machine
  });
});
