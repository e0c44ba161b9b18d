// Migration 0002_outbox as an upgrade of a replica already in use: migrate to the one before,
// store records, migrate to 0002 — the records are intact, sync's pending check works before and
// after, and an edit can be queued against the upgraded replica straight away.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openReplicaWithKey, type Replica } from '../../../main/db/open.js';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { pendingRecordIds } from '../../../main/outbox/pending.js';
import { queueEdit } from '../../../main/outbox/queue.js';
import { TEST_KEY, clientRecord, journalEntries, migrateFirst, tempDir } from '../../support/db-fixtures.js';

const opened: Array<{ replica: Replica; dir: string }> = [];
afterEach(() => {
  for (const { replica, dir } of opened.splice(0)) {
    replica.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function unmigrated(): Replica {
  const dir = tempDir();
  const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: TEST_KEY, migrate: false });
  opened.push({ replica, dir });
  return replica;
}

const tables = (replica: Replica) => replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'outbox%' ORDER BY name`).pluck().all();

it('0002_outbox adds the outbox to a replica in use, keeping its records', () => {
  const index = journalEntries().findIndex((e) => e.tag.endsWith('_outbox'));
  expect(index, 'the outbox migration is committed').toBeGreaterThan(0);
  const replica = unmigrated();
  migrateFirst(replica, index);
  upsertRecords(replica, 'clients', [clientRecord(7, { surname: 'Before' }), clientRecord(8)]);
  expect(tables(replica)).toEqual([]);
  expect(pendingRecordIds(replica, 'clients')).toEqual(new Set()); // sync-down may ask before the upgrade

  migrateFirst(replica, index + 1);
  expect(tables(replica)).toEqual(['outbox_entries', 'outbox_files', 'outbox_records', 'outbox_state', 'outbox_temp_ids']);
  expect(getRecord(replica, 'clients', 7)).toEqual(clientRecord(7, { surname: 'Before' }));

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
