// The push lock is a lease, not a name: a lock left by a killed `caseworker sync` is taken over at
// once (its process is gone), one naming a live but unrelated process (a reused PID) or taken
// before the Mac's host name changed is taken over once its lease runs out — never trusted forever;
// a real second pusher — `caseworker sync` in a terminal while the app runs — is refused for as
// long as it sends, and the app's SyncStatus says so.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncRunner } from '../../main/app/sync-runner.js';
import { openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { createEventHub } from '../../main/ipc/event-hub.js';
import { PUSH_LEASE_MS, otherPusher, refreshPushLock, releaseAllPushLocks, releasePushLock, takePushLock } from '../../main/outbox/push-lock.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { CLI, runCaseworker } from '../support/cli-process.js';
import { TEST_KEY, freshReplica } from '../support/db-fixtures.js';
import { createDizionsClient } from '../support/outbox-support.js';
import { syncAs } from '../support/sync-support.js';

function writeLockRow(replica: Replica, value: Record<string, unknown>): void {
  replica.sqlite.prepare(`INSERT INTO outbox_state (key, value) VALUES ('push_lock', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(JSON.stringify(value));
}

function lockRow(replica: Replica): Record<string, unknown> | undefined {
  const row = replica.sqlite.prepare(`SELECT value FROM outbox_state WHERE key = 'push_lock'`).get() as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as Record<string, unknown>) : undefined;
}

async function until(what: string, check: () => boolean, limitMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a lock left behind', () => {
  let replica: Replica;
  beforeAll(() => {
    replica = freshReplica();
  });
  afterAll(() => replica.close());

  it('by a process that now names a live, unrelated PID is taken over when its lease runs out, not trusted forever', () => {
    const now = Date.now();
    // PID 1 (init, launchd) is always alive: the old lock trusted `kill(pid, 0)` and wedged.
    writeLockRow(replica, { token: 'a-crashed-caseworker-1', pid: 1, since: new Date(now).toISOString(), expires: now + PUSH_LEASE_MS });
    expect(takePushLock(replica.sqlite, { now: () => now + 1_000 })).toMatchObject({ ok: false, holder: { pid: 1 } });
    expect(otherPusher(replica.sqlite, { now: () => now + 1_000 })).toMatchObject({ pid: 1 });
    const taken = takePushLock(replica.sqlite, { now: () => now + PUSH_LEASE_MS });
    expect(taken.ok).toBe(true);
    if (taken.ok) releasePushLock(replica.sqlite, taken.token);
    expect(lockRow(replica)).toBeUndefined();
  });

  it('by an older Caseworker on a Mac whose host name has since changed is recovered within one lease of when it was taken', () => {
    const now = Date.now();
    // The old format: pid + host, no lease. A different host name used to mean "another machine's": trusted forever.
    writeLockRow(replica, { pid: process.ppid, host: `${os.hostname()}-on-another-wifi.local`, since: new Date(now).toISOString() });
    expect(takePushLock(replica.sqlite, { now: () => now + PUSH_LEASE_MS - 1 }).ok).toBe(false);
    const taken = takePushLock(replica.sqlite, { now: () => now + PUSH_LEASE_MS + 1 });
    expect(taken.ok).toBe(true);
    if (taken.ok) releasePushLock(replica.sqlite, taken.token);
  });

  it('by this very process (a push that never released) is not waited for, while a push still running here is', () => {
    const first = takePushLock(replica.sqlite);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(takePushLock(replica.sqlite).ok).toBe(false); // a second push in the same process waits its turn
    const leftover = lockRow(replica)!;
    releasePushLock(replica.sqlite, first.token);
    writeLockRow(replica, leftover); // as if the release had been lost (the handle closed first)
    const again = takePushLock(replica.sqlite);
    expect(again.ok).toBe(true);
    if (again.ok) releasePushLock(replica.sqlite, again.token);
  });

  it('is kept alive by refreshes while its push runs, and a lease taken over cannot be refreshed or released by its old holder', () => {
    const now = Date.now();
    const mine = takePushLock(replica.sqlite, { now: () => now });
    expect(mine.ok).toBe(true);
    if (!mine.ok) return;
    expect(refreshPushLock(replica.sqlite, mine.token, { now: () => now + PUSH_LEASE_MS - 1_000 })).toBe(true);
    // Past the first lease, but inside the refreshed one: still held.
    expect(otherPusher(replica.sqlite, { now: () => now + PUSH_LEASE_MS + 1_000 })).toBeNull(); // ours, not another's
    writeLockRow(replica, { token: 'someone-else-9', pid: process.ppid, since: new Date().toISOString(), expires: now + 3 * PUSH_LEASE_MS });
    expect(refreshPushLock(replica.sqlite, mine.token)).toBe(false);
    releasePushLock(replica.sqlite, mine.token);
    expect(lockRow(replica)).toMatchObject({ token: 'someone-else-9' });
    writeLockRow(replica, { token: 'gone', expires: 0 });
  });

  it('is released at once when the session ends (every lease this process holds)', () => {
    const taken = takePushLock(replica.sqlite);
    expect(taken.ok).toBe(true);
    expect(releaseAllPushLocks()).toBe(1);
    expect(lockRow(replica)).toBeUndefined();
  });
});

describe('a second Caseworker sending the same outbox', { timeout: 120_000 }, () => {
  let sim: RunningSimulator;
  let replica: Replica;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ clients: 40, seed: 11 });
    const login = sim.users[0]!;
    replica = freshReplica();
    await syncAs(sim, login, replica, { me: login.id });
    env = { CASEWORKER_SERVER: sim.url, CASEWORKER_SOURCE: login.source, CASEWORKER_ORG: login.org, CASEWORKER_USER: login.user, CASEWORKER_ME: String(login.id) };
  });
  afterAll(async () => {
    replica?.close();
    await sim?.close();
  });

  function startCliSync(): { child: ChildProcess; done: Promise<number | null>; stderr: () => string } {
    const child = spawn(process.execPath, [CLI, 'sync', '--db', replica.file], { env: { ...process.env, CASEWORKER_DB_KEY: TEST_KEY, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return { child, done: new Promise((resolve) => child.on('close', (code) => resolve(code))), stderr: () => stderr };
  }

  it('is shown in the Sync view while it really sends, its edit lands once, and the notice clears after', async () => {
    const queued = await runCaseworker(['queue', '--db', replica.file, '--dialect', '2019', 'PUT', 'clients', 'first_name=Lease', 'surname=Holder', 'dob=1980-02-01'], env);
    expect(queued.code, queued.stderr).toBe(0);
    sim.setFaults('latency=#1@PUT,latency-ms=4000'); // the terminal's push is slow to answer
    const cli = startCliSync();
    await until(
      'the terminal sync to hold the lease and send',
      () => lockRow(replica) !== undefined && replica.sqlite.prepare(`SELECT count(*) FROM outbox_entries WHERE state = 'sending'`).pluck().get() === 1,
    );

    const login = sim.users[0]!;
    const events = createEventHub();
    const statuses: Array<{ otherSender?: boolean }> = [];
    events.subscribe((name, payload) => {
      if (name === 'sync:status') statuses.push(payload as { otherSender?: boolean });
    });
    const runner = new SyncRunner({
      replica: () => replica,
      client: () => createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: login.user }),
      events,
      intervalMinutes: () => 15,
      pushAfterEditMs: null,
      retry: { attempts: 2, baseMs: 5, maxMs: 20 },
    });
    const summary = await runner.run({ reason: 'asked' });
    expect(summary.sent).toBe(0);
    expect(runner.current().otherSender).toBe(true);
    expect(statuses.some((s) => s.otherSender === true)).toBe(true);

    expect(await cli.done).toBe(0);
    const sent = sim.requestLog.filter((e) => e.method === 'PUT' && /(^|\/)clients\/?$/.test(e.path.split('?')[0]!));
    expect(sent).toHaveLength(1); // the app did not send it a second time
    expect(lockRow(replica)).toBeUndefined(); // the terminal gave its lease back

    await runner.run({ reason: 'asked' });
    expect(runner.current().otherSender).toBe(false);
    await runner.stop();
  });

  it('left behind by a killed `caseworker sync` is taken over at once: its process is gone (a kill -9 releases nothing)', async () => {
    const queued = await runCaseworker(['queue', '--db', replica.file, '--dialect', '2019', 'PUT', 'clients', 'first_name=Killed', 'surname=Mid-send', 'dob=1981-03-02'], env);
    expect(queued.code, queued.stderr).toBe(0);
    sim.setFaults('latency=#1@PUT,latency-ms=2000');
    const cli = startCliSync();
    await until('the terminal sync to send', () => replica.sqlite.prepare(`SELECT count(*) FROM outbox_entries WHERE state = 'sending'`).pluck().get() === 1);
    cli.child.kill('SIGKILL');
    await cli.done;
    const lease = lockRow(replica)!;
    expect(lease).toMatchObject({ pid: cli.child.pid }); // a kill -9 releases nothing
    expect((lease.expires as number) > Date.now()).toBe(true); // and the lease has not run out
    const taken = takePushLock(replica.sqlite);
    expect(taken.ok).toBe(true);
    if (taken.ok) releasePushLock(replica.sqlite, taken.token);
  });
});

// Keep the helper honest: a replica opened by another connection sees the same lease.
it('a lease is visible to every connection of the replica', () => {
  const replica = freshReplica();
  const other = openReplicaWithKey({ file: replica.file, key: TEST_KEY, migrate: false });
  try {
    const taken = takePushLock(replica.sqlite);
    expect(taken.ok).toBe(true);
    expect(takePushLock(other.sqlite).ok).toBe(false);
    if (taken.ok) releasePushLock(replica.sqlite, taken.token);
    expect(takePushLock(other.sqlite).ok).toBe(true);
    releaseAllPushLocks();
  } finally {
    other.close();
    replica.close();
  }
});
