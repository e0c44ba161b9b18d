// Migration 0000_replica_tables: on an empty database it creates the replica's tables, and a
// client written then reads back as the server sent it.
import { expect } from 'vitest';
import type { Replica } from '../../../main/db/open.js';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { clientRecord, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

const tables = (replica: Replica) => (replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);

test('0000 creates the replica tables on an empty database', ({ unmigrated: replica }) => {
  migrateFirst(replica, 1);
  expect(tables(replica)).toEqual(expect.arrayContaining(['clients', 'contacts', 'dictionaries', 'extension_records', 'referrals', 'schedules', 'selectable_fields', 'sync_state', 'workers']));
  upsertRecords(replica, 'clients', [clientRecord(1)]);
  expect(getRecord(replica, 'clients', 1)).toEqual(clientRecord(1));
});
