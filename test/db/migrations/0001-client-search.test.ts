// Migration 0001_client_search as an upgrade: clients and referrals stored before it are indexed
// for search when it runs, and kept.
import { expect } from 'vitest';
import type { Replica } from '../../../main/db/open.js';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { searchClients } from '../../../main/db/search.js';
import { clientRecord, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

test('0001 indexes the clients and referrals already stored for search, and keeps them', ({ unmigrated: replica }) => {
  migrateFirst(replica, 1);
  upsertRecords(replica, 'clients', [clientRecord(1, { first_name: 'Ada', surname: 'Lovelace', postcode: 'LS6 2AB' }), clientRecord(2, { surname: 'Baker' })]);
  upsertRecords(replica, 'referrals', [{ id: 10, client: 2, description: 'Befriending after bereavement', updated: '2024-01-01 00:00:00' }]);
  expect(searchClientsOrError(replica, 'lovelace')).toMatch(/no such table/);

  migrateFirst(replica, 2);
  expect(searchClients(replica, 'lovelace').map((c) => c.id)).toEqual([1]);
  expect(searchClients(replica, 'LS62AB').map((c) => c.id)).toEqual([1]);
  expect(searchClients(replica, 'bereavement').map((c) => c.id)).toEqual([2]);
  expect(getRecord(replica, 'clients', 2)?.surname).toBe('Baker');
});

function searchClientsOrError(replica: Replica, text: string): string {
  try {
    return JSON.stringify(searchClients(replica, text));
  } catch (error) {
    return (error as Error).message;
  }
}
