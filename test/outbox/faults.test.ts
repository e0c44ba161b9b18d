// The fault matrix: for each way a server or network misbehaves — connection reset before or after
// the server committed, a timeout, 429, 500, 503, a truncated reply — and for a long random mix of
// all of them, every edit made offline ends on the server exactly once, or visibly failed, in doubt
// or in conflict: no duplicates, nothing lost. The simulator's own database is the judge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { checkIntegrity } from '../../main/db/open.js';
import { listEntries } from '../../main/outbox/entries.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { runUnderFaults } from '../support/outbox-plan.js';

const MATRIX: Array<{ name: string; spec: string; lostReplies: boolean }> = [
  { name: 'connection reset before the server saw the request', spec: 'reset-before=0.3', lostReplies: false },
  { name: 'connection reset after the server committed', spec: 'reset-after=0.3@PUT,reset-after=0.3@POST', lostReplies: true },
  // The second step of 2019's "record a contact" (the completion) and a 2025 one-request record alike.
  {
    name: 'connection reset after the server committed, on contacts only',
    spec: 'reset-after=0.8@POST:done_contacts,reset-after=0.8@PUT:due_contacts,reset-after=0.8@POST:due_contacts',
    lostReplies: true,
  },
  { name: 'timeouts (before and after the server committed)', spec: 'latency=0.15@PUT,latency=0.15@POST,latency-ms=800,trickle=0.2@PUT,trickle=0.2@POST,trickle-bps=1', lostReplies: true },
  { name: '429 Too Many Requests', spec: '429=0.3,retry-after=0', lostReplies: false },
  { name: '500 Internal Server Error', spec: '500=0.3', lostReplies: false },
  { name: '503 Service Unavailable', spec: '503=0.3', lostReplies: false },
  { name: 'truncated JSON replies', spec: 'truncate=0.3', lostReplies: true },
];

describe.each(DIALECT_MATRIX)('the fault matrix in the %s dialect: every edit lands exactly once or stays visibly unsettled', (dialect) => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 80, seed: 23, dialect });
  });
  afterAll(async () => {
    await sim?.close();
  });

  MATRIX.forEach(({ name, spec, lostReplies }, i) => {
    it(name, async () => {
      const outcome = await runUnderFaults(sim, spec, 40, 101 + i);
      try {
        expect(outcome.totals.faults, 'faults fired').toBeGreaterThan(3);
        expect(outcome.problems).toEqual([]);
        if (lostReplies) expect(outcome.totals.reconciled, 'lost replies were found on the server').toBeGreaterThan(0);
        // Transient faults reject nothing: in the end every edit is confirmed, once.
        expect(outcome.finalProblems).toEqual([]);
        expect(listEntries(outcome.world.replica.sqlite).map((e) => `${e.id} ${e.state} ${e.error}`)).toEqual([]);
        expect(checkIntegrity(outcome.world.replica).ok).toBe(true);
      } finally {
        await outcome.world.close();
      }
    });
  });
});
