// Migration 0012_contacts_due_index on a replica in use: each caseload row keeps its soonest due
// action, and SQLite now reads it from an index of due contacts alone, never a done contact's row.
import { expect } from 'vitest';
import { listCaseload } from '../../../main/app/caseload.js';
import { refreshPlannerStatistics, type Replica } from '../../../main/db/open.js';
import { upsertRecords } from '../../../main/db/records.js';
import { clientRecord, migrateFirst } from '../../support/db-fixtures.js';
import { migrationIndex, test } from '../../support/replica-fixture.js';

const plan = (replica: Replica, sql: string) => (replica.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');

test('0012 keeps every caseload row’s soonest due action and reads it from the due contacts’ own index', ({ unmigrated: replica }) => {
  const at = migrationIndex('0012_contacts_due_index');
  migrateFirst(replica, at);
  upsertRecords(
    replica,
    'clients',
    Array.from({ length: 30 }, (_, i) => clientRecord(i + 1)),
  );
  upsertRecords(
    replica,
    'referrals',
    Array.from({ length: 60 }, (_, i) => ({ id: i + 1, client: (i % 30) + 1, project: 1, stage: 1, date: '2025-01-01' })),
  );
  const contact = (id: number, day: number) => ({ id, referral: (id % 60) + 1, client: (id % 30) + 1, user: 7, start_date: `2026-0${(day % 9) + 1}-1${day % 10} 09:00:00` });
  upsertRecords(
    replica,
    'done_contacts',
    Array.from({ length: 400 }, (_, i) => contact(i + 1, i)),
  );
  upsertRecords(
    replica,
    'due_contacts',
    Array.from({ length: 45 }, (_, i) => contact(i + 1001, i * 7)),
  );
  const before = listCaseload(replica, { limit: 30 });
  expect(before.rows.filter((r) => r.next_action !== null).length).toBeGreaterThan(10);

  migrateFirst(replica, at + 1);
  refreshPlannerStatistics(replica); // as every open does after migrating
  expect(listCaseload(replica, { limit: 30 })).toEqual(before);
  const dueOfPage = `SELECT r.client, min(ct.start_date) FROM referrals r JOIN contacts ct ON ct.referral = r.id
    WHERE r.client IN (SELECT value FROM json_each('[1,2,3]')) AND ct.state = 'due' AND ct.start_date IS NOT NULL GROUP BY r.client`;
  expect(plan(replica, dueOfPage)).toMatch(/ct USING COVERING INDEX contacts_due_referral_start/);
});
