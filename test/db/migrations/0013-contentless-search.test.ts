// Migration 0013_contentless_search on a replica in use: every client and referral found before is
// found after, the search tables no longer hold a copy of the text, and the unchanged triggers keep
// them current through edits and deletes.
import { expect } from 'vitest';
import type { Replica } from '../../../main/db/open.js';
import { deleteRecords, upsertRecords } from '../../../main/db/records.js';
import { searchClients } from '../../../main/db/search.js';
import { clientRecord, migrateFirst } from '../../support/db-fixtures.js';
import { migrationIndex, test } from '../../support/replica-fixture.js';

const found = (replica: Replica, text: string) => searchClients(replica, text).map((c) => c.id);
const tables = (replica: Replica) => (replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE name LIKE '%_search%' AND type = 'table' ORDER BY name`).pluck().all() as string[]).join(' ');

test('0013 finds every client and referral it found before, keeps no copy of their text, and stays current', ({ unmigrated: replica }) => {
  const at = migrationIndex('0013_contentless_search');
  migrateFirst(replica, at);
  upsertRecords(replica, 'clients', [
    clientRecord(1, { first_name: 'Ada', surname: 'Lovelace', postcode: 'LS6 2AB', nhs_number: '943 476 5919' }),
    clientRecord(2, { first_name: 'Sam', surname: 'Baker' }),
    clientRecord(3, { first_name: 'Lou', surname: 'Bakewell' }),
  ]);
  upsertRecords(replica, 'referrals', [
    { id: 10, client: 2, description: 'Befriending after bereavement', updated: '2024-01-01 00:00:00' },
    { id: 11, client: 3, description: 'Benefits advice', updated: '2024-01-01 00:00:00' },
  ]);
  const searches = ['lovelace', 'LS62AB', 'ls6', '9434765919', 'bak', 'bereavement', 'benefits advice', 'ada lov'];
  const before = searches.map((text) => found(replica, text));
  expect(before.every((ids) => ids.length > 0)).toBe(true);
  expect(tables(replica)).toMatch(/client_search_content/);

  migrateFirst(replica, at + 1);
  expect(searches.map((text) => found(replica, text))).toEqual(before);
  expect(tables(replica)).not.toMatch(/_content/);
  // Referral descriptions match whole words, as before: a prefix of one finds nobody.
  expect(found(replica, 'bereave')).toEqual([]);

  upsertRecords(replica, 'clients', [clientRecord(1, { first_name: 'Ada', surname: 'King', postcode: 'LS6 2AB', nhs_number: '943 476 5919' })]);
  upsertRecords(replica, 'referrals', [{ id: 10, client: 2, description: 'Carer support', updated: '2024-02-01 00:00:00' }]);
  deleteRecords(replica, 'clients', [3]);
  expect(found(replica, 'lovelace')).toEqual([]);
  expect(found(replica, 'king')).toEqual([1]);
  expect(found(replica, 'bereavement')).toEqual([]);
  expect(found(replica, 'carer')).toEqual([2]);
  expect(found(replica, 'bakewell')).toEqual([]);
});
