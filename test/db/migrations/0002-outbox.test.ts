// Migration 0002_outbox as an upgrade of a replica already in use: migrate to the one before,
// store records, migrate to 0002 — the records are intact, sync's pending check works before and
// after, and an edit can be queued against the upgraded replica straight away.
import { expect } from 'vitest';
import type { Replica } from '../../../main/db/open.js';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { pendingRecordIds } from '../../../main/outbox/pending.js';
import { queueEdit } from '../../../main/outbox/queue.js';
import { clientRecord, journalEntries, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

const tables = (replica: Replica) => replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'outbox%' ORDER BY name`).pluck().all();

test('0002_outbox adds the outbox to a replica in use, keeping its records', ({ unmigrated: replica }) => {
  const index = journalEntries().findIndex((e) => e.tag.endsWith('_outbox'));
  expect(index, 'the outbox migration is committed').toBeGreaterThan(0);
  migrateFirst(replica, index);
  upsertRecords(replica, 'clients', [clientRecord(7, { surname: 'Before' }), clientRecord(8)]);
  expect(tables(replica)).toEqual([]);
  expect(pendingRecordIds(replica, 'clients')).toEqual(new Set()); // sync-down may ask before the upgrade

  migrateFirst(replica, index + 1);
  expect(tables(replica)).toEqual(['outbox_entries', 'outbox_files', 'outbox_records', 'outbox_state', 'outbox_temp_ids']);
  expect(getRecord(replica, 'clients', 7)).toEqual(clientRecord(7, { surname: 'Before' }));
  migrateFirst(replica, journalEntries().length); // queueing writes today's outbox columns

  const queued = queueEdit(replica, { method: 'POST', path: 'clients/id/7', fields: { telephone: '01632 960007' } });
  const created = queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'After', surname: 'Upgrade' } });
  expect(queued).toEqual({ temp_id: null, entry: 1 });
  expect(created).toEqual({ temp_id: -1, entry: 2 });
  expect(pendingRecordIds(replica, 'clients')).toEqual(new Set([7, -1]));
  expect(getRecord(replica, 'clients', 7)?.telephone).toBe('01632 960007');
  // Deleting an entry takes its record keys and files along (foreign keys are on).
  replica.sqlite.prepare('DELETE FROM outbox_entries WHERE id = 1').run();
  expect(replica.sqlite.prepare('SELECT count(*) FROM outbox_records WHERE entry_id = 1').pluck().get()).toBe(0);
});
