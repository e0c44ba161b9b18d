// Migration 0011_month_user_start_index on a replica in use: one index on contacts instead of two,
// and every query the two served keeps its answer and reads an index (no scan of every contact):
// month (× user) reports covered and in order, one user's due actions and days by skip-scan.
import { expect } from 'vitest';
import { dueActionsOf } from '../../../main/db/action-queries.js';
import { answerPath } from '../../../main/db/answer-path.js';
import type { Replica } from '../../../main/db/open.js';
import { upsertRecords } from '../../../main/db/records.js';
import { migrateFirst } from '../../support/db-fixtures.js';
import { migrationIndex, test } from '../../support/replica-fixture.js';

const plan = (replica: Replica, sql: string, ...params: unknown[]) => (replica.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('; ');

const contactIndexes = (replica: Replica) => replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL ORDER BY name`).pluck().all();

/** 60 users over 8 months, a fifth of them still due: enough contacts per month for the planner's statistics to favour a skip-scan. */
function contact(i: number) {
  const month = String((i % 8) + 1).padStart(2, '0');
  const day = String((i % 28) + 1).padStart(2, '0');
  return { id: i, user: (i % 60) + 1, referral: (i % 50) + 1, start_date: `2025-${month}-${day} ${String(8 + (i % 9)).padStart(2, '0')}:00:00`, updated: '2025-09-01 00:00:00' };
}

test('0011 answers month reports and one user’s contacts from one covering index', ({ unmigrated: replica }) => {
  const at = migrationIndex('0011_month_user_start_index');
  migrateFirst(replica, at);
  const records = Array.from({ length: 12_000 }, (_, i) => contact(i + 1));
  upsertRecords(
    replica,
    'done_contacts',
    records.filter((r) => r.id % 5 !== 0),
  );
  upsertRecords(
    replica,
    'due_contacts',
    records.filter((r) => r.id % 5 === 0),
  );
  const answers = () => ({
    monthByUser: answerPath(replica, 'done_contacts/dimension/month/metric/user'),
    month: answerPath(replica, 'done_contacts/dimension/month'),
    dayForUser: answerPath(replica, 'done_contacts/dimension/day/user/7'),
    dueOfUser: dueActionsOf(replica.sqlite, { user: 6, from: '2025-02-01 00:00:00', to: '2025-05-31 23:59:59', limit: 500 }).map((a) => a.id),
  });
  const before = answers();
  expect(contactIndexes(replica)).toContain('contacts_state_user_start');

  migrateFirst(replica, at + 1);
  expect(answers()).toEqual(before);
  expect(before.month).toContainEqual({ month: '2025-02', count: 1_200 });
  expect(before.dueOfUser.length).toBeGreaterThan(0);
  expect(contactIndexes(replica)).toEqual(['contacts_client', 'contacts_referral_start', 'contacts_state_month_user_start', 'contacts_state_project_type']);

  const monthByUser = `SELECT substr(t."start_date", 1, 7), t."user", count(*) FROM "contacts" t WHERE t.state = ? GROUP BY 1, 2 ORDER BY 1, 2`;
  expect(plan(replica, monthByUser, 'done')).toMatch(/USING COVERING INDEX contacts_state_month_user_start/);
  expect(plan(replica, monthByUser, 'done')).not.toMatch(/TEMP B-TREE/);
  const month = `SELECT substr(t."start_date", 1, 7), count(*) FROM "contacts" t WHERE t.state = ? GROUP BY 1 ORDER BY 1`;
  expect(plan(replica, month, 'done')).not.toMatch(/TEMP B-TREE/);
  // One user's contacts: the index, entered at that user in each month (skip-scan), never a scan of every contact.
  const dueOfUser = `SELECT id FROM contacts WHERE state = 'due' AND "user" = ? AND start_date >= ? AND start_date <= ? ORDER BY start_date IS NULL, start_date, id`;
  expect(plan(replica, dueOfUser, 6, '2025-02-01', '2025-05-31')).toMatch(/USING (COVERING )?INDEX contacts_state_month_user_start \(.*user=\?/);
  const dayForUser = `SELECT substr(t."start_date", 1, 10), count(*) FROM "contacts" t WHERE t.state = ? AND t."user" IN (?) GROUP BY 1 ORDER BY 1`;
  expect(plan(replica, dayForUser, 'done', 7)).toMatch(/USING COVERING INDEX contacts_state_month_user_start \(.*user=\?/);
});
