// Migration 0009_employment_status_text rebuilds the clients table (SQLite cannot change a column's
// type): the flag the API sends (Y/N) is kept as text, every client and its search entry survive,
// and the search triggers dropped with the old table are back — a client written after the upgrade
// is found, a renamed one is found by its new name only, a deleted one is gone from search.
import { expect } from 'vitest';
import { getRecord, upsertRecords, deleteRecords } from '../../../main/db/records.js';
import { searchClients } from '../../../main/db/search.js';
import { clientRecord } from '../../support/db-fixtures.js';
import { migrateBefore, migrateThrough, test } from '../../support/replica-fixture.js';

const TAG = '0009_employment_status_text';
const ids = (rows: Array<{ id: number }>) => rows.map((r) => r.id);

test('0008 keeps every client, its employment flag as text and its search entry', ({ unmigrated: replica }) => {
  migrateBefore(replica, TAG);
  upsertRecords(replica, 'clients', [
    clientRecord(1, { first_name: 'Ada', surname: 'Lovelace', employment_status: 'Y', postcode: 'LS6 2AB' }),
    clientRecord(2, { first_name: 'Bo', surname: 'Baker', employment_status: 'N' }),
    clientRecord(3, { first_name: 'Cy', surname: 'Unset', employment_status: null }),
  ]);
  const declared = () => (replica.sqlite.prepare(`SELECT type FROM pragma_table_info('clients') WHERE name = 'employment_status'`).pluck().get() as string).toLowerCase();
  expect(declared()).toBe('integer');

  migrateThrough(replica, TAG);
  expect(declared()).toBe('text');
  const stored = replica.sqlite.prepare('SELECT id, employment_status AS status, typeof(employment_status) AS type FROM clients ORDER BY id').all();
  expect(stored).toEqual([
    { id: 1, status: 'Y', type: 'text' },
    { id: 2, status: 'N', type: 'text' },
    { id: 3, status: null, type: 'null' },
  ]);
  expect(getRecord(replica, 'clients', 1)).toEqual(clientRecord(1, { first_name: 'Ada', surname: 'Lovelace', employment_status: 'Y', postcode: 'LS6 2AB' }));
  expect(ids(searchClients(replica, 'lovelace'))).toEqual([1]);
  expect(ids(searchClients(replica, 'LS62AB'))).toEqual([1]);
  // The filter the seed's example asks for ("clients who were unemployed") reads the text flag.
  expect(replica.sqlite.prepare(`SELECT id FROM clients WHERE employment_status = 'N'`).pluck().all()).toEqual([2]);
});

test('0008 restores the search triggers and the indexes dropped with the old table', ({ unmigrated: replica }) => {
  migrateBefore(replica, TAG);
  upsertRecords(replica, 'clients', [clientRecord(1, { surname: 'Before' }), clientRecord(2, { surname: 'Leaving' })]);
  migrateThrough(replica, TAG);

  const schema = (type: string) => replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND tbl_name = 'clients' ORDER BY name`).pluck().all(type);
  expect(schema('trigger')).toEqual(['client_search_delete', 'client_search_insert', 'client_search_update']);
  expect(schema('index')).toEqual(expect.arrayContaining(['clients_external_id', 'clients_surname', 'clients_usual_support_worker']));

  upsertRecords(replica, 'clients', [clientRecord(4, { surname: 'Afterwards' }), clientRecord(1, { surname: 'Renamed' })]);
  deleteRecords(replica, 'clients', [2]);
  expect(ids(searchClients(replica, 'afterwards'))).toEqual([4]);
  expect(ids(searchClients(replica, 'renamed'))).toEqual([1]);
  expect(searchClients(replica, 'before')).toEqual([]);
  expect(searchClients(replica, 'leaving')).toEqual([]);
});
