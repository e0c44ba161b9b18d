// Migration 0004_app_credentials as an upgrade: a replica in use gains the table where the browser
// host keeps the Charitylog connection (encrypted with the replica), its records untouched, and the
// connection store saves, reads back and clears a connection there.
import { expect } from 'vitest';
import { ReplicaConnectionStore } from '../../../main/app/connection-store.js';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { clientRecord } from '../../support/db-fixtures.js';
import { migrateBefore, migrateThrough, test } from '../../support/replica-fixture.js';

test('0004_app_credentials adds the connection table to a replica in use and keeps its records', ({ unmigrated: replica }) => {
  migrateBefore(replica, '0004_app_credentials');
  upsertRecords(replica, 'clients', [clientRecord(3, { surname: 'Kept' })]);
  expect(() => replica.sqlite.prepare('SELECT count(*) FROM app_credentials').get()).toThrow(/no such table: app_credentials/);

  migrateThrough(replica, '0004_app_credentials');
  expect(getRecord(replica, 'clients', 3)?.surname).toBe('Kept');
  const store = new ReplicaConnectionStore(() => replica.sqlite);
  expect(store.load()).toBeNull();
  const connection = { baseUrl: 'https://charitylog.example', source: 's-key', org: 'o-key', user: 'u-key', dialect: '2025' as const };
  store.save(connection);
  expect(store.load()).toEqual(connection);
  store.save({ ...connection, user: 'u-key-2' });
  expect(replica.sqlite.prepare('SELECT count(*) FROM app_credentials').pluck().get()).toBe(1);
  expect(store.load()?.user).toBe('u-key-2');
  store.clear();
  expect(store.load()).toBeNull();
});
