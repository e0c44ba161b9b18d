// The migrations as a set: the journal and the SQL files agree, and applying them all twice changes
// nothing. Each migration has its own file beside this one (NNNN-name.test.ts): migrate to N-1,
// insert, migrate to N, assert that the data is intact and the new schema works on it.
import fs from 'node:fs';
import { expect } from 'vitest';
import { MIGRATIONS_FOLDER, migrateReplica } from '../../../main/db/open.js';
import { upsertRecords } from '../../../main/db/records.js';
import { searchClients } from '../../../main/db/search.js';
import { clientRecord, journalEntries } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

test('the journal lists every SQL file, in order', () => {
  const tags = journalEntries().map((e) => e.tag);
  const files = fs
    .readdirSync(MIGRATIONS_FOLDER)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
  expect(tags).toEqual(files);
  expect(tags.slice(0, 2)).toEqual(['0000_replica_tables', '0001_client_search']);
});

test('every migration has its own test file here', () => {
  const here = fs.readdirSync(new URL('.', import.meta.url));
  const missing = journalEntries()
    .map((e) => e.tag)
    .filter((tag) => !here.some((f) => f.startsWith(`${tag.slice(0, 4)}-`) && f.endsWith('.test.ts')));
  expect(missing).toEqual([]);
});

test('applying all migrations twice changes nothing the second time', ({ unmigrated: replica }) => {
  migrateReplica(replica);
  upsertRecords(replica, 'clients', [clientRecord(1)]);
  const count = (replica.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
  migrateReplica(replica);
  expect((replica.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(count);
  expect(count).toBe(journalEntries().length);
  expect(searchClients(replica, 'first1').map((c) => c.id)).toEqual([1]);
});
