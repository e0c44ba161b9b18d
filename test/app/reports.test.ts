// Reports as the renderer meets them: through the real dispatcher (inputs and outputs checked
// against the contract), on a real encrypted replica, against the demo's simulator on loopback.
// Sums agree with SQL totals and stay beside the server-shaped rows; "compare with Charitylog"
// agrees after a full sync and names the rows that differ once the server changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCore } from '../../main/app/core.js';
import type { RunningSimulator } from '../../main/sim/server.js';
import { startDemoCore, type DemoCore } from '../support/demo-core.js';

const KEY = 'b4'.repeat(32);
const WHOLE_GROUPS = ['clients', 'referrals', 'due_contacts', 'done_contacts'];

let demo: DemoCore;
let core: AppCore;
let sim: RunningSimulator;

const call: DemoCore['call'] = (channel, input) => demo.call(channel, input);
const failure: DemoCore['failure'] = (channel, input) => demo.failure(channel, input);

beforeAll(async () => {
  demo = await startDemoCore('app-reports', { key: KEY, demoOptions: { clients: 120 } });
  ({ core, sim } = demo);
  await call('settings:set-scope', { scope: WHOLE_GROUPS }); // everything the demo worker can see
  await call('sync:run', { full: true });
}, 60_000);

afterAll(async () => {
  await demo?.stop();
});

describe('reports:run', () => {
  it('adds travel time and mileage totals beside the rows, equal to SQL totals over the replica', async () => {
    const plain = await call('reports:run', { path: 'done_contacts/dimension/project' });
    const summed = await call('reports:run', { path: 'done_contacts/dimension/project', sums: true });
    expect(plain.sums).toBeNull();
    expect(summed.rows).toEqual(plain.rows); // the server's shape, untouched
    for (const row of summed.rows) expect(Object.keys(row).sort()).toEqual(['count', 'project']);
    expect(summed.sums).toHaveLength(summed.rows.length);
    expect(summed.rows.length).toBeGreaterThan(1);

    const expected = core
      .replica()
      .sqlite.prepare(`SELECT project, total(travel_time) AS travel_time, total(travel_mileage) AS travel_mileage FROM contacts WHERE state = 'done' GROUP BY project`)
      .all() as Array<{ project: number | null; travel_time: number; travel_mileage: number }>;
    const byProject = new Map(expected.map((r) => [r.project, r]));
    let anyTravel = false;
    summed.rows.forEach((row, i) => {
      const want = byProject.get(row.project as number | null)!;
      expect(summed.sums![i]!.travel_time).toBeCloseTo(want.travel_time, 6);
      expect(summed.sums![i]!.travel_mileage).toBeCloseTo(want.travel_mileage, 6);
      if (want.travel_time > 0) anyTravel = true;
    });
    expect(anyTravel).toBe(true);
  });

  it('refuses sums for a group without travel, and names the projects and says how fresh the figures are', async () => {
    const refused = await failure('reports:run', { path: 'clients/dimension/district', sums: true });
    expect(refused.code).toBe('VALIDATION');
    expect(refused.message).toMatch(/only due and done contacts carry/);

    const report = await call('reports:run', { path: 'done_contacts/dimension/project' });
    const project = report.rows.find((r) => r.project !== null)!.project!;
    expect(report.names.project?.[String(project)]).toBe(sim.store.dictionaryItem('referrals/project', Number(project))!.name);
    expect(report.replicaFreshness.lastSyncedAt).not.toBeNull();
    expect(report.replicaFreshness.note).toMatch(/^Covers /);
  });
});

describe('reports:compare in the demo', () => {
  it('matches the server after a full sync, then names the row that differs once the server moves a client', async () => {
    const report = 'clients/dimension/usual_support_worker';
    const before = await call('reports:compare', { path: report });
    expect(before.matches).toBe(true);
    expect(before.differences).toEqual([]);
    expect(before.serverTotal).toBe(before.localTotal);
    expect(before.serverTotal).toBeGreaterThan(0);
    expect(before.explanation).toMatch(/^The server agrees with this device/);

    // The office moves one client to another worker; this device has not synced since.
    const client = sim.store.db.prepare('SELECT id, usual_support_worker FROM clients WHERE usual_support_worker IS NOT NULL ORDER BY id LIMIT 1').get() as {
      id: number;
      usual_support_worker: number;
    };
    const other = sim.store.db.prepare('SELECT id FROM workers WHERE id <> ? ORDER BY id LIMIT 1').pluck().get(client.usual_support_worker) as number;
    expect(sim.store.moveClientToWorker(client.id, other)).toBe(true);

    const after = await call('reports:compare', { path: report });
    expect(after.matches).toBe(false);
    expect(after.serverTotal).toBe(after.localTotal);
    expect(after.differences).toEqual(
      expect.arrayContaining([
        { key: { usual_support_worker: client.usual_support_worker }, local: expect.any(Number), server: expect.any(Number), difference: -1 },
        { key: { usual_support_worker: other }, local: expect.any(Number), server: expect.any(Number), difference: 1 },
      ]),
    );
    expect(after.differences).toHaveLength(2);
    expect(after.explanation).toMatch(/Changes made on the server since then are not in the offline figures/);

    await call('sync:run', {});
    expect((await call('reports:compare', { path: report })).matches).toBe(true);
  });

  it('answers OFFLINE when the server cannot be reached, and VALIDATION for a path that is not a report', async () => {
    expect((await failure('reports:compare', { path: 'clients/district/3' })).code).toBe('VALIDATION');
    await sim.close();
    const offline = await failure('reports:compare', { path: 'clients/dimension/district' });
    expect(offline.code).toBe('OFFLINE');
  });
});
