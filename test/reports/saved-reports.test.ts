// Saved report definitions and presets: migration 0003 adds saved_reports to a replica that already
// holds data (migrate to N-1, insert, migrate to N), a saved report keeps its canonical path and
// opens again, bad definitions are refused in words, and the presets are runnable report paths.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Replica } from '../../main/db/open.js';
import { SYNC_KEYS, setSyncState, upsertRecords } from '../../main/db/records.js';
import { ReportError, runReport } from '../../main/reports/engine.js';
import { monthOf, presetsFor, reportPresets } from '../../main/reports/presets.js';
import { deleteSavedReport, listSavedReports, saveReport } from '../../main/reports/saved-reports.js';
import { freshReplica } from '../support/db-fixtures.js';

const opened: Array<{ replica: Replica; dir?: string }> = [];
afterEach(() => {
  for (const { replica, dir } of opened.splice(0)) {
    replica.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
});
function fresh(): Replica {
  const replica = freshReplica();
  opened.push({ replica });
  return replica;
}

describe('saved reports', () => {
  it('keeps a definition by title with its canonical path, lists by title, and deletes by id', () => {
    const replica = fresh();
    const now = () => new Date('2025-11-04T09:30:00Z');
    const travel = saveReport(replica, { title: '  Travel by project ', path: '/v2/done_contacts/dimension/project/', sums: true }, now);
    expect(travel).toEqual({ id: travel.id, title: 'Travel by project', path: 'done_contacts/dimension/project', sums: true, createdAt: '2025-11-04T09:30:00.000Z' });
    const clients = saveReport(replica, { title: 'clients by district', path: 'clients/dimension/district/metric/gender/blue_badge_holder/Y' });
    expect(listSavedReports(replica).map((r) => r.title)).toEqual(['clients by district', 'Travel by project']);
    expect(deleteSavedReport(replica, clients.id)).toBe(true);
    expect(deleteSavedReport(replica, clients.id)).toBe(false);
    expect(listSavedReports(replica)).toEqual([travel]);
  });

  it('refuses an empty title, a path that is not a report, and sums where there are none', () => {
    const replica = fresh();
    expect(() => saveReport(replica, { title: ' ', path: 'clients/dimension/district' })).toThrow(/needs a title/);
    expect(() => saveReport(replica, { title: 'x'.repeat(201), path: 'clients/dimension/district' })).toThrow(/at most 200 characters/);
    expect(() => saveReport(replica, { title: 'Clients', path: 'clients/district/3' })).toThrow(ReportError);
    expect(() => saveReport(replica, { title: 'Clients', path: 'clients/dimension/district', sums: true })).toThrow(/only due and done contacts/);
    expect(listSavedReports(replica)).toEqual([]);
  });
});

describe('presets', () => {
  it('offers the common reports, with this month (UK time) and me filled in', () => {
    // 23:30 UTC on 31 October 2025 is still October in London (GMT); on 31 July it is already August (BST).
    expect(monthOf(new Date('2025-10-31T23:30:00Z'))).toEqual(['2025-10-01', '2025-10-31']);
    expect(monthOf(new Date('2025-07-31T23:30:00Z'))).toEqual(['2025-08-01', '2025-08-31']);
    expect(monthOf(new Date('2024-02-10T12:00:00Z'))).toEqual(['2024-02-01', '2024-02-29']);
    const presets = presetsFor(7, new Date('2025-10-15T12:00:00Z'));
    expect(presets.map((p) => p.path)).toEqual([
      'done_contacts/dimension/day/date_active/2025-10-01,2025-10-31/user/7',
      'due_contacts/dimension/week/user/7',
      'clients/dimension/district/metric/gender',
      'done_contacts/dimension/project',
      'referrals/dimension/stage',
    ]);
    expect(presets.find((p) => p.id === 'travel-by-project')?.sums).toBe(true);
    expect(presetsFor(undefined).map((p) => p.id)).not.toContain('my-contacts-this-month');
  });

  it('every preset runs against a replica, for the user it synced as', () => {
    const replica = fresh();
    setSyncState(replica, SYNC_KEYS.me, 3);
    upsertRecords(replica, 'done_contacts', [
      { id: 1, user: 3, project: 5, start_date: '2025-10-02 10:00:00', travel_time: 30, travel_mileage: 4.5, updated: '2025-10-02 11:00:00' },
      { id: 2, user: 3, project: 5, start_date: '2025-10-02 14:00:00', travel_time: null, travel_mileage: null, updated: '2025-10-02 15:00:00' },
    ]);
    const presets = reportPresets(replica, new Date('2025-10-20T12:00:00Z'));
    expect(presets[0]!.path).toMatch(/\/user\/3$/);
    for (const preset of presets) expect(() => runReport(replica, preset.path, { sums: preset.sums })).not.toThrow();
    expect(runReport(replica, presets[0]!.path).rows).toEqual([{ day: '2025-10-02', count: 2 }]);
    const travel = runReport(replica, 'done_contacts/dimension/project', { sums: true });
    expect(travel.sums).toEqual([{ travel_time: 30, travel_mileage: 4.5 }]);
  });
});
