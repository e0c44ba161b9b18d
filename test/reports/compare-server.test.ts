// Online comparison: the replica's figure against the server's for the same report path. A full,
// fresh replica agrees; a scoped one, a stale one, or one with unsent edits differs, and the
// explanation says which of those is why — row by row, never hidden.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Replica } from '../../main/db/open.js';
import { compareWithServer } from '../../main/reports/compare-server.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { freshReplica } from '../support/db-fixtures.js';
import { clientAs, markPending, syncAs, type Login } from '../support/sync-support.js';

let sim: RunningSimulator;
let priya: Login;
let full: Replica;
let scoped: Replica;

const WHOLE = (['clients', 'referrals', 'due_contacts', 'done_contacts'] as const).map((group) => ({ group, path: group }));

beforeAll(async () => {
  sim = await startSimulator({ clients: 150, seed: 31 });
  priya = sim.users[0]!;
  full = freshReplica();
  scoped = freshReplica();
  await syncAs(sim, priya, full, { scopes: WHOLE });
  await syncAs(sim, priya, scoped);
}, 30_000);
afterAll(async () => {
  full?.close();
  scoped?.close();
  await sim?.close();
});

async function compare(replica: Replica, path: string) {
  const client = clientAs(sim, priya);
  try {
    return await compareWithServer(replica, client, path);
  } finally {
    await client.close();
  }
}

describe('comparing with the server', () => {
  it('agrees over a fully synced, fresh replica, and says so', async () => {
    for (const path of ['clients/dimension/district/metric/gender', 'done_contacts/dimension/month/metric/user', 'referrals/dimension/stage/metric/funding_sponsor']) {
      const result = await compare(full, path);
      expect(result.matches, path).toBe(true);
      expect(result.differences).toEqual([]);
      expect(result.serverTotal).toBe(result.offlineTotal);
      expect(result.serverTotal).toBeGreaterThan(0);
      expect(result.explanation).toMatch(/^The server agrees with this device: [\d,]+ records counted on both\.$/);
    }
  });

  it('over a scoped replica, lists the rows that differ and says the replica holds only what was synced', async () => {
    const result = await compare(scoped, 'done_contacts/dimension/project');
    expect(result.matches).toBe(false);
    expect(result.freshness.scoped).toBe(true);
    expect(result.serverTotal).toBeGreaterThan(result.offlineTotal);
    expect(result.differences.reduce((n, d) => n + d.difference, 0)).toBe(result.serverTotal - result.offlineTotal);
    for (const difference of result.differences) {
      expect(difference.difference).toBe(difference.server - difference.offline);
      expect(Object.keys(difference.key)).toEqual(['project']);
    }
    expect(result.explanation).toContain(`The server counts ${result.serverTotal.toLocaleString('en-GB')} records; this device counts ${result.offlineTotal.toLocaleString('en-GB')}`);
    expect(result.explanation).toMatch(/The replica is scoped: it holds only what was synced to this device, not the whole organisation/);
    expect(result.freshness.note).toMatch(/^Covers what was synced to this device for Priya Shah/);
    expect(result.explanation).toMatch(/The replica last synced \d\d\/\d\d\/\d{4} \d\d:\d\d (GMT|BST)/);
  });

  it('after the server changed and with an edit not yet sent, names both reasons', async () => {
    const district = full.sqlite.prepare('SELECT district FROM clients WHERE district IS NOT NULL LIMIT 1').pluck().get() as number;
    const before = await compare(full, 'clients/dimension/district');
    expect(before.matches).toBe(true);

    const client = clientAs(sim, priya);
    try {
      await client.createClient({ first_name: 'Nia', surname: 'Rees', district });
    } finally {
      await client.close();
    }
    markPending(full, 'clients', [1]);

    const after = await compare(full, 'clients/dimension/district');
    expect(after.matches).toBe(false);
    expect(after.differences).toEqual([{ key: { district }, offline: after.differences[0]!.offline, server: after.differences[0]!.offline + 1, difference: 1 }]);
    expect(after.pendingEdits).toBe(1);
    expect(after.explanation).not.toMatch(/scoped/);
    expect(after.explanation).toMatch(/Changes made on the server since then are not in the offline figures\./);
    expect(after.explanation).toMatch(/1 edit made on this device has not reached the server yet/);
  });
});
