// The long run: 500+ random offline edits — chains of new client → referral → due contact →
// completion, uploads, extension records, updates, external referrals — pushed through every
// fault mode at once. In the end each is on the server exactly once; nothing lost, nothing doubled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { checkIntegrity } from '../../main/db/open.js';
import { listEntries } from '../../main/outbox/entries.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { runUnderFaults } from '../support/outbox-plan.js';

describe.each(DIALECT_MATRIX)('in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 80, seed: 29, dialect });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('a random mix of 500+ edits under every fault at once', async () => {
    const spec = [
      '500=0.04',
      '503=0.04',
      '429=0.03',
      'reset-before=0.04',
      'reset-after=0.05',
      'truncate=0.04',
      'malformed=0.02',
      'latency=0.02',
      'trickle=0.02@PUT',
      'trickle=0.02@POST',
      'latency-ms=800',
      'trickle-bps=1',
      'retry-after=0',
      'fault-seed=5',
    ].join(',');
    const outcome = await runUnderFaults(sim, spec, 520, 77);
    try {
      expect(outcome.planned.length).toBeGreaterThanOrEqual(500);
      const kinds = new Set(outcome.planned.map((p) => p.kind));
      expect([...kinds].sort()).toEqual(['client', 'complete', 'due', 'extension', 'external', 'record', 'referral', 'update', 'upload']);
      expect(outcome.totals.faults).toBeGreaterThan(50);
      expect(outcome.problems).toEqual([]);
      expect(outcome.totals.reconciled).toBeGreaterThan(0);
      expect(outcome.finalProblems).toEqual([]);
      expect(listEntries(outcome.world.replica.sqlite)).toEqual([]);
      expect(checkIntegrity(outcome.world.replica).ok).toBe(true);
    } finally {
      await outcome.world.close();
    }
  }, 90_000);
});
