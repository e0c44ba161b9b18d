// Migration 0008_neutral_outbox on a replica with edits waiting: entries stored in the API's words
// of the dialect at queue time become dialect-neutral operations, and each prints in either dialect
// when it is sent.
import { expect } from 'vitest';
import { upsertRecords } from '../../../main/db/records.js';
import { getEntry } from '../../../main/outbox/entries.js';
import { sendForm } from '../../../main/outbox/printing.js';
import { printPath } from '../../../shared/url-grammar.js';
import { clientRecord, journalEntries, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

test('0008_neutral_outbox turns entries queued in dialect words into neutral operations that print in either dialect', ({ unmigrated: replica }) => {
  const index = journalEntries().findIndex((e) => e.tag.endsWith('_neutral_outbox'));
  expect(index, 'the neutral outbox migration is committed').toBeGreaterThan(0);
  migrateFirst(replica, index);
  upsertRecords(replica, 'clients', [clientRecord(7), clientRecord(8)]);
  const insert = replica.sqlite.prepare(`INSERT INTO outbox_entries (created_at, method, path, fields, operation, dialect, record_family, record_id, temp_id, state, before)
    VALUES ('2026-12-01T10:00:00Z', ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`);
  // As the old outbox stored them: the API's words of the dialect at queue time.
  insert.run('PUT', 'clients', '{"first_name":"Ann","surname":"Lee"}', 'createClient', '2019', 'clients', -1, -1, null);
  insert.run(
    'POST',
    'clients/id/7',
    '{"id_second":"8","relationship_first_to_second":"2801","relationship_second_to_first":"2803","relationship_first_to_second_carer":"2901"}',
    'updateClient',
    '2019',
    'clients',
    7,
    null,
    null,
  );
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
