// A misbehaving server (the simulator's fault modes) costs retries, not data: the sync completes
// with exactly the caseload; a failure that outlasts the retries is one clear error and leaves the
// replica intact; a cancelled sync leaves whole batches only and the next one finishes the job.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { checkIntegrity } from '../../main/db/open.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { SyncCancelledError, SyncFailedError } from '../../main/sync/errors.js';
import { replicaStatus } from '../../main/sync/status.js';
import { RECORD_GROUPS } from '../../shared/dizions/model.js';
import { freshReplica } from '../support/db-fixtures.js';
import { expectedCaseload, replicaContents, replicaIds, syncAs, type Login } from '../support/sync-support.js';

// Every test here runs in both dialects: the simulator and the connection speak `dialect`.
describe.each(DIALECT_MATRIX)('in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  let priya: Login;

  beforeAll(async () => {
    sim = await startSimulator({ dialect, clients: 150, seed: 31 });
    priya = sim.users[0]!;
  });
  afterEach(() => sim.setFaults(''));
  afterAll(async () => {
    await sim?.close();
  });

  function faultsFired(from: number): string[] {
    return sim.requestLog.slice(from).flatMap((e) => (e.fault ? [e.fault] : []));
  }

  describe('faults are retried and the sync completes', () => {
    const specs = ['500=#3', '429=#1,retry-after=1', 'reset-before=#2', 'truncate=#2@GET:clients', 'malformed=#2@GET:referrals', '503=#1@GET:done_contacts,truncate=#1@GET:due_contacts'];
    for (const spec of specs) {
      it(`with ${spec}`, async () => {
        const replica = freshReplica();
        try {
          sim.setFaults(spec);
          const from = sim.requestLog.length;
          await syncAs(sim, priya, replica);
          expect(faultsFired(from).length, 'the faults fired').toBeGreaterThan(0);
          sim.setFaults('');
          const expected = await expectedCaseload(sim, priya);
          for (const group of RECORD_GROUPS) expect(replicaIds(replica, group), group).toEqual(expected[group]);
          expect(checkIntegrity(replica).ok).toBe(true);
        } finally {
          replica.close();
        }
      });
    }
  });

  describe('failures that outlast the retries', () => {
    it('a server that keeps failing: one clear error, the replica intact with its previous data, and the next sync finishes', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica);
        const before = replicaContents(replica);
        sim.store.touchRecords('done_contacts', 0.5, 4);
        sim.setFaults('500=1@GET:done_contacts');
        const failure = await syncAs(sim, priya, replica).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SyncFailedError);
        expect((failure as Error).message).toMatch(/^could not fetch done_contacts\/.* after 5 attempts: the server failed \(500\).*run sync again to carry on/);
        expect(checkIntegrity(replica).ok).toBe(true);
        expect(replicaContents(replica)).toEqual(before);
        expect(replicaStatus(replica).interrupted).toMatchObject({ phase: 'listing' });

        sim.setFaults('');
        await syncAs(sim, priya, replica);
        expect(replicaStatus(replica).interrupted).toBeNull();
        expect(replicaIds(replica, 'done_contacts')).toEqual((await expectedCaseload(sim, priya)).done_contacts);
      } finally {
        replica.close();
      }
    });

    it('keys the server refuses: "the server refused the keys", without retrying', async () => {
      const replica = freshReplica();
      try {
        const from = sim.requestLog.length;
        const failure = await syncAs(sim, { ...priya, user: 'not-a-key' }, replica).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SyncFailedError);
        expect((failure as SyncFailedError).code).toBe('UNAUTHORIZED');
        expect((failure as Error).message).toMatch(/the server refused the keys \(401\)/);
        expect(sim.requestLog.length - from).toBeLessThanOrEqual(8); // one refused request per lane, no retries
        expect(sim.requestLog.slice(from).every((e) => e.status === 401)).toBe(true);
      } finally {
        replica.close();
      }
    });
  });

  describe('cancellation', () => {
    it('stops between batches; what was written is whole, and the next sync completes it', async () => {
      const replica = freshReplica();
      try {
        const cancel = new AbortController();
        const failure = await syncAs(sim, priya, replica, {
          signal: cancel.signal,
          onProgress: (event) => {
            if (event.phase === 'downloading' && event.done > 0) cancel.abort();
          },
        }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(SyncCancelledError);
        expect(checkIntegrity(replica).ok).toBe(true);
        const partial = RECORD_GROUPS.reduce((n, g) => n + replicaIds(replica, g).length, 0);
        const expected = await expectedCaseload(sim, priya);
        const total = RECORD_GROUPS.reduce((n, g) => n + expected[g].length, 0);
        expect(partial).toBeGreaterThan(0);
        expect(partial).toBeLessThan(total);

        await syncAs(sim, priya, replica);
        for (const group of RECORD_GROUPS) expect(replicaIds(replica, group), group).toEqual(expected[group]);
      } finally {
        replica.close();
      }
    });
  });
});
