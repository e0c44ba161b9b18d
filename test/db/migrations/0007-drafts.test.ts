// Migration 0007_drafts as an upgrade: a replica that already holds records gains the drafts table
// (one draft per key) and keeps its records.
import { expect } from 'vitest';
import { getRecord, upsertRecords } from '../../../main/db/records.js';
import { clientRecord, journalEntries, migrateFirst } from '../../support/db-fixtures.js';
import { test } from '../../support/replica-fixture.js';

test('0007_drafts adds the drafts table to a replica that already holds records, and keeps them', ({ unmigrated: replica }) => {
  const at = journalEntries().findIndex((e) => e.tag === '0007_drafts');
  expect(at).toBeGreaterThan(0);
  migrateFirst(replica, at);
  upsertRecords(replica, 'clients', [clientRecord(1, { surname: 'Baker' })]);
  expect(() => replica.sqlite.prepare('SELECT count(*) FROM drafts').get()).toThrow(/no such table/);

  migrateFirst(replica, at + 1);
  replica.sqlite.prepare('INSERT INTO drafts (key, fields, saved_at) VALUES (?, ?, ?)').run('client-edit:1', '{"surname":"Baker-Smith"}', '2025-01-01T09:00:00.000Z');
  expect(replica.sqlite.prepare('SELECT key, fields FROM drafts').all()).toEqual([{ key: 'client-edit:1', fields: '{"surname":"Baker-Smith"}' }]);
  expect(() => replica.sqlite.prepare('INSERT INTO drafts (key, fields, saved_at) VALUES (?, ?, ?)').run('client-edit:1', '{}', 'now')).toThrow(/UNIQUE/);
  expect(getRecord(replica, 'clients', 1)?.surname).toBe('Baker');
});
