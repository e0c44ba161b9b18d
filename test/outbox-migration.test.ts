// Migration 0002_outbox as an upgrade of a replica already in use: migrate to the one before,
// store records, migrate to 0002 — the records are intact, sync's pending check works before and
// after, and an edit can be queued against the upgraded replica straight away.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openReplicaWithKey, type Replica } from '../main/db/open.js';
import { getRecord, upsertRecords } from '../main/db/records.js';
import { pendingRecordIds } from '../main/outbox/pending.js';
import { queueEdit } from '../main/outbox/queue.js';
import { getEntry } from '../main/outbox/entries.js';
import { sendForm } from '../main/outbox/printing.js';
import { printPath } from '../shared/url-grammar.js';
import { TEST_KEY, clientRecord, journalEntries, migrateFirst, tempDir } from './db-fixtures.js';

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

it('0008_neutral_outbox turns entries queued in dialect words into neutral operations that print in either dialect', () => {
  const index = journalEntries().findIndex((e) => e.tag.endsWith('_neutral_outbox'));
  expect(index, 'the neutral outbox migration is committed').toBeGreaterThan(0);
  const replica = unmigrated();
  migrateFirst(replica, index);
  upsertRecords(replica, 'clients', [clientRecord(7), clientRecord(8)]);
  const insert = replica.sqlite.prepare(`INSERT INTO outbox_entries (created_at, method, path, fields, operation, dialect, record_family, record_id, temp_id, state, before)
    VALUES ('2026-12-01T10:00:00Z', ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`);
  // As the old outbox stored them: the API's words of the dialect at queue time.
  insert.run('PUT', 'clients', '{"first_name":"Ann","surname":"Lee"}', 'createClient', '2019', 'clients', -1, -1, null);
  insert.run('POST', 'clients/id/7', '{"id_second":"8","relationship_first_to_second":"2801","relationship_second_to_first":"2803","relationship_first_to_second_carer":"2901"}', 'updateClient', '2019', 'clients', 7, null, null);
  insert.run('PUT', 'due_contacts/referral/40', '{"user":"3","description":"visit"}', 'createDueContact', '2025', 'contacts', -2, -2, null);
  const completion = '{"stage":"1901","user":"3","start_date":"2024-02-01 10:00:00","end_date":"2024-02-01 11:00:00","description":"d"}';
  insert.run('PUT', 'done_contacts/id/88', completion, 'updateDoneContact', '2025', 'contacts', 88, null, '{"state":"due"}');
  insert.run('POST', 'done_contacts/id/89', '{"travel_mileage":"3"}', 'updateDoneContact', '2019', 'contacts', 89, null, '{"state":"done"}');
  insert.run('POST', 'extension_database/wellcheck_notes_9/id/17', '{"notes_33":"x"}', 'updateExtensionRecord', '2019', 'extension_database/wellcheck_notes_9', 17, null, null);
  insert.run('POST', 'referrals/id/40/uploads', '{"user_visibility":"","group_visibility":""}', 'upload', '2019', 'referrals', 40, null, null);

  migrateFirst(replica, index + 1);
  const entries = [1, 2, 3, 4, 5, 6, 7].map((id) => getEntry(replica.sqlite, id)!);
  expect(entries.map((e) => [e.operation, e.target])).toEqual([
    ['create-client', {}],
    ['set-relationship', { recordId: 7, secondId: 8 }],
    ['plan-action', { referralId: 40 }],
    ['complete-action', { recordId: 88 }],
    ['edit-contact', { recordId: 89 }],
    ['update-extension-record', { extensionDatabase: 'wellcheck_notes_9', recordId: 17 }],
    ['upload-file', { uploadGroup: 'referrals', recordId: 40 }],
  ]);
  expect(entries[1]!.fields).toEqual({ relation_first_to_second: '2801', relation_second_to_first: '2803', carer_relation_first_to_second: '2901' });
  // Each prints in either dialect at send time.
  const printed = (id: number, dialect: '2019' | '2025') => {
    const form = sendForm(entries[id - 1]!, dialect);
    return `${form.method} ${printPath(form.path)} ${JSON.stringify(form.fields)}`;
  };
  expect(printed(2, '2019')).toBe('POST clients/id/7 {"id_second":"8","relationship_first_to_second":"2801","relationship_second_to_first":"2803","relationship_first_to_second_carer":"2901"}');
  expect(printed(2, '2025')).toBe('PUT relationship_details/7/8 {"relation_first_to_second":"2801","relation_second_to_first":"2803","carer_relation_first_to_second":"2901"}');
  expect(printed(4, '2019')).toBe(`POST done_contacts/id/88 ${completion}`);
  expect(printed(4, '2025')).toBe(`POST done_contacts/88 ${completion}`);
  expect(printed(5, '2025')).toBe('PUT done_contacts/89 {"travel_mileage":"3"}');
  expect(printed(6, '2025')).toBe('POST extension_database/wellcheck_notes_9/id/17 {"notes_33":"x"}');
});
