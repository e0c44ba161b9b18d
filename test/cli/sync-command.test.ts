// `caseworker sync`, `status` and `query` as a user runs them: one JSON line on stdout, progress and
// errors on stderr, exit 2 for a malformed command line, exit 1 with one sentence for a failure.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { run as runSyncCommand } from '../../main/cli/sync.js';
import { UsageError } from '../../main/cli/usage.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { serverRows, type Login } from '../support/sync-support.js';
import { runCaseworker } from '../support/cli-process.js';

// Every test here runs in both dialects: the simulator and the connection speak `dialect`.
describe.each(DIALECT_MATRIX)('in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  let priya: Login;
  let dir: string;
  let db: string;

  const caseworker = runCaseworker;

  /** The sync command in-process (argument checking happens before anything is opened or sent). */
  async function runSync(args: string[]): Promise<number> {
    const saved = { key: process.env.CASEWORKER_DB_KEY, me: process.env.CASEWORKER_ME };
    process.env.CASEWORKER_DB_KEY = TEST_KEY;
    delete process.env.CASEWORKER_ME;
    try {
      return await runSyncCommand(args);
    } finally {
      if (saved.key === undefined) delete process.env.CASEWORKER_DB_KEY;
      else process.env.CASEWORKER_DB_KEY = saved.key;
      if (saved.me !== undefined) process.env.CASEWORKER_ME = saved.me;
    }
  }

  const connection = () => ['--server', sim.url, '--source', priya.source, '--org', priya.org, '--user', priya.user, '--dialect', dialect];

  beforeAll(async () => {
    sim = await startSimulator({ dialect, clients: 120, seed: 51 });
    priya = sim.users[0]!;
    dir = tempDir('caseworker-sync-cli-');
    db = path.join(dir, 'replica.db');
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('caseworker sync', () => {
    it('--json prints the summary as one line on stdout; progress goes to stderr', async () => {
      const run = await caseworker(['sync', '--db', db, ...connection(), '--json'], { CASEWORKER_ME: String(priya.id) });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      const summary = JSON.parse(run.stdout);
      expect(Object.keys(summary)).toEqual(expect.arrayContaining(['bytes_received', 'requests', 'seconds', 'groups']));
      expect(summary.bytes_received).toBeGreaterThan(0);
      expect(summary.requests).toBeGreaterThan(0);
      for (const group of ['clients', 'referrals', 'due_contacts', 'done_contacts', 'workers', 'schedules']) {
        expect(summary.groups[group]).toEqual({ fetched: expect.any(Number), inserted: expect.any(Number), updated: expect.any(Number), deleted: expect.any(Number) });
      }
      expect(summary.groups.clients.inserted).toBeGreaterThan(0);
      expect(run.stderr).toMatch(/sync: .*downloading/);
    });

    it('remembers me: a later sync needs no --me', async () => {
      const run = await caseworker(['sync', '--db', db, ...connection(), '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).me).toBe(priya.id);
    });

    it('malformed command lines exit 2 with the usage, nothing on stdout', async () => {
      const runs = await Promise.all([caseworker(['sync', '--db', path.join(dir, 'x.db'), ...connection(), '--me', '1', '--scope', 'clients=referrals/project/5']), caseworker(['query', '--db', db])]);
      for (const run of runs) {
        expect(run.code, run.stderr).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/usage: caseworker/);
        expect(run.stderr).not.toMatch(/\n\s+at /); // never a stack trace
      }
      expect(runs[0]!.stderr).toMatch(/scope for clients must be a clients path/);
      expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
    });

    it('every kind of argument mistake is a usage error (exit 2), named in the message', async () => {
      const x = path.join(dir, 'x.db');
      const cases: Array<[string[], RegExp]> = [
        [[...connection(), '--me', '1'], /--db FILE is required/],
        [['--db', x, ...connection(), '--me', 'abc'], /--me must be a user id/],
        [['--db', x, ...connection(), '--me', '1', '--scope', 'clients'], /--scope takes GROUP=PATH/],
        [['--db', x, ...connection(), '--me', '1', '--scope', 'nonsense=nonsense'], /"nonsense" is not a group/],
        [['--db', x, ...connection(), '--me', '1', '--scope', 'clients=clients/field/id'], /filters only/],
        [['--db', x, ...connection(), '--me', '1', '--window-months', 'x'], /--window-months must be an integer/],
        [['--db', x, '--me', '1', '--server', sim.url], /missing connection settings/],
        [['--db', x, ...connection(), '--me', '1', '--bogus'], /bogus/],
      ];
      for (const [args, message] of cases) {
        const error = await runSync(args).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, args.join(' ')).toBeInstanceOf(UsageError);
        expect((error as Error).message, args.join(' ')).toMatch(message);
      }
      // Nobody said who is syncing, and the replica remembers no one.
      const withoutMe = await runSync(['--db', path.join(dir, 'new.db'), ...connection()]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(withoutMe).toBeInstanceOf(UsageError);
      expect((withoutMe as Error).message).toMatch(/--me 3 or CASEWORKER_ME/);
      expect(fs.existsSync(path.join(dir, 'new.db'))).toBe(false);
      expect(fs.existsSync(x)).toBe(false);
    });

    it('failures exit 1 with one clear sentence: refused keys, a missing replica, a path the server would refuse', async () => {
      const [refused, missing, badPath] = await Promise.all([
        caseworker(['sync', '--db', path.join(dir, 'refused.db'), '--server', sim.url, '--source', priya.source, '--org', priya.org, '--user', 'wrong', '--me', '1']),
        caseworker(['status', '--db', path.join(dir, 'missing.db'), '--json']),
        caseworker(['query', '--db', db, 'clients/no_such_filter/1']),
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^caseworker sync: the server refused the keys \(401\)/m);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/there is no replica at .*missing\.db/);
      expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
      expect(badPath.code).toBe(1);
      expect(badPath.stderr).toMatch(/no_such_filter/);
      for (const run of [refused, missing, badPath]) {
        expect(run.stdout).toBe('');
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    });

    it('a wrong database key: exit 1, and the replica is left as it was', async () => {
      const before = fs.readFileSync(db);
      const run = await caseworker(['sync', '--db', db, ...connection()], { CASEWORKER_DB_KEY: 'not the key' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/the key does not open this database/);
      expect(fs.readFileSync(db).equals(before)).toBe(true);
    });
  });

  describe('caseworker status', () => {
    it('--json: counts per table, last sync, me, my worker and the scope', async () => {
      const run = await caseworker(['status', '--db', db, '--json']);
      expect(run.code, run.stderr).toBe(0);
      const status = JSON.parse(run.stdout);
      expect(status.me).toBe(priya.id);
      expect(status.my_worker).toBe(priya.worker);
      expect(Date.parse(status.last_sync)).not.toBeNaN();
      expect(status.counts.clients).toBeGreaterThan(0);
      expect(status.counts).toEqual(
        expect.objectContaining({ referrals: expect.any(Number), due_contacts: expect.any(Number), done_contacts: expect.any(Number), workers: expect.any(Number), dictionaries: expect.any(Number) }),
      );
      expect(status.scope.due_contacts).toBe(`due_contacts/user/${priya.id}`);
      expect(status.interrupted).toBeNull();
    });
  });

  describe('caseworker query', () => {
    it("answers a GET path offline in the server's own JSON shape", async () => {
      const due = await serverRows(sim, priya, `due_contacts/user/${priya.id}/field/id;referral;start_date`);
      const run = await caseworker(['query', '--db', db, `due_contacts/user/${priya.id}/field/id;referral;start_date`]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
      expect(due.length).toBeGreaterThan(0);
      expect(JSON.parse(run.stdout)).toEqual(due);
    });
  });
});
