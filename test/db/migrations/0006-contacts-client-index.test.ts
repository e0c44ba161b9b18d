// Migration 0006_contacts_client_index as an upgrade: contacts stored before it are indexed by
// client, and the planner then starts client_* filters from the clients.
import { expect } from 'vitest';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { clientRecord, journalEntries, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

test('0006 indexes the contacts already stored by client, and the planner then starts client_* filters from the clients', ({ unmigrated: replica }) => {
  const at = journalEntries().findIndex((e) => e.tag === '0006_contacts_client_index');
  expect(at).toBeGreaterThan(0);
  migrateFirst(replica, at);
  upsertRecords(
    replica,
    'clients',
    Array.from({ length: 200 }, (_, i) => clientRecord(i + 1, { district: (i % 20) + 1 })),
  );
  upsertRecords(
    replica,
    'done_contacts',
    Array.from({ length: 4000 }, (_, i) => ({ id: i + 1, client: (i % 200) + 1, user: i % 5, updated: '2024-01-01 00:00:00' })),
  );

  migrateFirst(replica, at + 1);
  const index = replica.sqlite.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'contacts_client'`).get() as { sql: string } | undefined;
  expect(index?.sql).toMatch(/ON `contacts` \(`client`\)/);
  expect(replica.sqlite.prepare('SELECT count(*) AS n FROM contacts INDEXED BY contacts_client WHERE client = 7').get()).toEqual({ n: 20 });
  expect(getRecord(replica, 'done_contacts', 4000)?.client).toBe(200);
});
