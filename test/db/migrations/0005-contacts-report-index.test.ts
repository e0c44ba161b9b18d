// Migration 0005_contacts_report_index as an upgrade: contacts already stored are indexed, so a
// report by project and contact type (with sums) reads only the index, with the same answer.
import { expect } from 'vitest';
import { upsertRecords } from '../../../main/db/records.js';
import { runReport } from '../../../main/reports/engine.js';
import { journalEntries, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

test('0005_contacts_report_index indexes the contacts already stored, so a report by project and contact type (with sums) reads only the index, with the same answer', ({ unmigrated: replica }) => {
  const index = journalEntries().findIndex((e) => e.tag === '0005_contacts_report_index');
  expect(index).toBeGreaterThan(0);
  migrateFirst(replica, index);
  const contact = (id: number, project: number, type: number | null, travel: number | null) => ({
    id,
    user: 1,
    project,
    contact_type: type,
    start_date: '2025-03-01 10:00:00',
    travel_time: travel,
    travel_mileage: travel === null ? null : travel / 10,
    updated: '2025-03-01 11:00:00',
  });
  upsertRecords(replica, 'done_contacts', [contact(1, 5, 1, 30), contact(2, 5, 1, null), contact(3, 5, null, 15), contact(4, 7, 2, 20)]);
  upsertRecords(replica, 'due_contacts', [contact(5, 5, 1, 99)]);
  const path5 = 'done_contacts/dimension/project/metric/contact_type';
  const before = runReport(replica, path5, { sums: true });

  migrateFirst(replica, index + 1);
  const after = runReport(replica, path5, { sums: true });
  expect(after.rows).toEqual(before.rows);
  expect(after.sums).toEqual(before.sums);
  expect(after.rows).toEqual([
    { project: 5, contact_type: null, count: 1 },
    { project: 5, contact_type: 1, count: 2 },
    { project: 7, contact_type: 2, count: 1 },
  ]);
  expect(after.sums).toEqual([
    { travel_time: 15, travel_mileage: 1.5 },
    { travel_time: 30, travel_mileage: 3 },
    { travel_time: 20, travel_mileage: 2 },
  ]);
  const plan = (
    replica.sqlite
      .prepare(`EXPLAIN QUERY PLAN SELECT t.project, t.contact_type, count(*), total(t.travel_time), total(t.travel_mileage) FROM contacts t WHERE t.state = 'done' GROUP BY 1, 2 ORDER BY 1, 2`)
      .all() as Array<{ detail: string }>
  )
    .map((r) => r.detail)
    .join(' | ');
  expect(plan).toContain('COVERING INDEX contacts_state_project_type');
  expect(plan).not.toContain('TEMP B-TREE');
});
