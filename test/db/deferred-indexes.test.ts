// Indexes set aside for a bulk fill come back with planner statistics, so the connection that ran
// the fill (the app core's, for the rest of the session) plans a client's due actions through the
// referral index of due contacts, not through the two-valued `state` index: that mistake took 45 s
// for one caseload page at 20,000 clients.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deferIndexes, restoreDeferredIndexes } from '../../main/db/deferred-indexes.js';
import type { Replica } from '../../main/db/open.js';
import { refreshPlannerStatistics } from '../../main/db/open.js';
import { upsertRecords } from '../../main/db/records.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
});
afterEach(() => replica.close());

const DUE_ACTIONS_OF_CLIENT = `SELECT min(ct.start_date) FROM referrals r JOIN contacts ct ON ct.referral = r.id
  WHERE r.client = ? AND ct.state = 'due' AND ct.start_date IS NOT NULL`;

function indexesOf(table: string): string[] {
  return replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`).pluck().all(table) as string[];
}

describe('indexes deferred for a bulk fill', () => {
  it('are rebuilt with statistics, and the filling connection plans through them', () => {
    const before = indexesOf('contacts');
    expect(deferIndexes(replica, ['clients', 'referrals', 'contacts'])).toBeGreaterThan(0);
    expect(indexesOf('contacts')).toEqual([]);

    const clients = Array.from({ length: 200 }, (_, i) => clientRecord(i + 1));
    const referrals = clients.flatMap((c, i) => [1, 2].map((k) => ({ id: i * 2 + k, client: c.id, project: 1, stage: 1, date: '2024-01-01', updated: '2024-01-01 00:00:00' })));
    const contact = (id: number, referral: number) => ({
      id,
      referral,
      client: Math.ceil(referral / 2),
      user: 7,
      start_date: `2024-02-${String((id % 28) + 1).padStart(2, '0')} 10:00:00`,
      updated: '2024-02-01 00:00:00',
    });
    upsertRecords(replica, 'clients', clients);
    upsertRecords(replica, 'referrals', referrals);
    // Statistics taken mid-fill, while the indexes are absent (as the bulk writer's commits do).
    upsertRecords(
      replica,
      'done_contacts',
      Array.from({ length: 500 }, (_, i) => contact(i + 1, (i % 400) + 1)),
    );
    refreshPlannerStatistics(replica);
    upsertRecords(
      replica,
      'done_contacts',
      Array.from({ length: 3000 }, (_, i) => contact(i + 501, (i % 400) + 1)),
    );
    upsertRecords(
      replica,
      'due_contacts',
      Array.from({ length: 1500 }, (_, i) => contact(i + 3501, (i % 400) + 1)),
    );

    restoreDeferredIndexes(replica);
    expect(indexesOf('contacts')).toEqual(before);
    const analysed = replica.sqlite.prepare(`SELECT idx FROM sqlite_stat1 WHERE tbl = 'contacts' AND idx IS NOT NULL ORDER BY idx`).pluck().all();
    expect(analysed).toEqual(before);
    const plan = (replica.sqlite.prepare(`EXPLAIN QUERY PLAN ${DUE_ACTIONS_OF_CLIENT}`).all(5) as Array<{ detail: string }>).map((step) => step.detail).join('\n');
    expect(plan).toMatch(/ct USING COVERING INDEX contacts_due_referral_start/);
  });
});
