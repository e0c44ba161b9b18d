// Migration 0010_report_and_caseload_indexes on a replica in use: the caseload's name order and the
// month reports keep their answers, and SQLite now reads both from an index instead of sorting.
import { expect } from 'vitest';
import type { Replica } from '../../../main/db/open.js';
import { answerPath } from '../../../main/db/answer-path.js';
import { upsertRecords } from '../../../main/db/records.js';
import { clientRecord, migrateFirst } from '../../support/db-fixtures.js';
import { migrationIndex, test } from '../../support/replica-fixture.js';

const plan = (replica: Replica, sql: string) => (replica.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');

test('0010 orders the caseload by name without case from an index, and answers month reports from one', ({ unmigrated: replica }) => {
  const at = migrationIndex('0010_report_and_caseload_indexes');
  migrateFirst(replica, at);
  upsertRecords(replica, 'clients', [clientRecord(1, { surname: 'baker', first_name: 'Zoe' }), clientRecord(2, { surname: 'Adams' }), clientRecord(3, { surname: 'Baker', first_name: 'amy' })]);
  upsertRecords(
    replica,
    'done_contacts',
    Array.from({ length: 300 }, (_, i) => ({ id: i + 1, user: (i % 3) + 1, start_date: `2025-0${(i % 4) + 1}-15 10:00:00`, updated: '2025-05-01 00:00:00' })),
  );
  const monthly = () => answerPath(replica, 'done_contacts/dimension/month/metric/user');
  const before = monthly();

  migrateFirst(replica, at + 1);
  expect(monthly()).toEqual(before);
  expect(before).toContainEqual({ month: '2025-02', user: 2, count: 25 });
  const byName = `SELECT id FROM clients c ORDER BY c.surname COLLATE NOCASE, c.first_name COLLATE NOCASE, c.id LIMIT 2`;
  expect(replica.sqlite.prepare(byName).pluck().all()).toEqual([2, 3]);
  expect(plan(replica, byName)).toMatch(/USING COVERING INDEX clients_surname/);
  expect(plan(replica, byName)).not.toMatch(/TEMP B-TREE/);
  const report = `SELECT substr(t.start_date, 1, 7), t.user, count(*) FROM contacts t WHERE t.state = 'done' GROUP BY 1, 2 ORDER BY 1, 2`;
  expect(plan(replica, report)).toMatch(/USING INDEX contacts_state_month_user/);
  expect(plan(replica, report)).not.toMatch(/TEMP B-TREE/);
});
