// Migration 0003_saved_reports as an upgrade: a replica that already holds records gains
// saved_reports, keeps its records, and a report saved there runs.
import { expect } from 'vitest';
import { migrateReplica } from '../../../main/db/open.js';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { runReport } from '../../../main/reports/engine.js';
import { listSavedReports, saveReport } from '../../../main/reports/saved-reports.js';
import { clientRecord, journalEntries, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

test('0003_saved_reports adds saved_reports to a replica that already holds records, and keeps them', ({ unmigrated: replica }) => {
  const index = journalEntries().findIndex((e) => e.tag === '0003_saved_reports');
  expect(index).toBe(3);
  migrateFirst(replica, index);
  upsertRecords(replica, 'clients', [clientRecord(1, { district: 4 })]);
  expect(() => listSavedReports(replica)).toThrow(/no such table: saved_reports/);

  migrateFirst(replica, index + 1);
  expect(getRecord(replica, 'clients', 1)?.district).toBe(4);
  const saved = saveReport(replica, { title: 'Clients by district', path: 'clients/dimension/district' });
  expect(listSavedReports(replica)).toEqual([saved]);
  expect(runReport(replica, saved.path).rows).toEqual([{ district: 4, count: 1 }]);
  migrateReplica(replica); // the rest, if any: nothing lost
  expect(listSavedReports(replica)).toEqual([saved]);
});
