// Queued edits show in the replica at once: a create as a record with a negative temp id, an update
// in place with its base kept, a completion as a done contact — each written in the same SQLite
// transaction as its outbox entry, so a failure leaves neither. Typed columns always match raw.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Replica } from '../../main/db/open.js';
import { getRecord, recordToRow, upsertRecords } from '../../main/db/records.js';
import { searchClients } from '../../main/db/search.js';
import { getEntry, listEntries } from '../../main/outbox/entries.js';
import { pendingRecordIds } from '../../main/outbox/pending.js';
import { EditValidationError, queueEdit } from '../../main/outbox/queue.js';
import { landTempId } from '../../main/outbox/temp-ids.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
  upsertRecords(replica, 'clients', [clientRecord(5, { telephone: '01632 960000' })]);
  upsertRecords(replica, 'referrals', [{ id: 40, client: 5, client_type: 1, date: '2024-01-02', project: 101, template: 1801, stage: 1901, description: 'x', updated: '2024-01-02 10:00:00' }]);
  upsertRecords(replica, 'due_contacts', [
    {
      id: 88,
      referral: 40,
      client: 5,
      user: 3,
      start_date: '2024-02-01 10:00:00',
      end_date: '2024-02-01 11:00:00',
      description: 'visit',
      stage: null,
      due_stage: 1901,
      updated: '2024-01-02 10:00:00',
    },
  ]);
});
afterEach(() => replica.close());

const row = (sql: string, ...params: unknown[]) => replica.sqlite.prepare(sql).get(...params) as Record<string, unknown>;

/** The typed columns a record's raw JSON implies (records.ts's own mapping, with a positive stand-in id). */
function columnsMatchRaw(table: string, group: 'clients' | 'referrals' | 'due_contacts' | 'done_contacts', id: number): void {
  const stored = row(`SELECT * FROM ${table} WHERE id = ?`, id);
  const raw = JSON.parse(stored.raw as string) as Record<string, unknown>;
  const expected = recordToRow(group, { ...raw, id: 1 });
  expect({ ...stored, id: 1, raw: null }).toEqual({ ...expected, raw: null });
}

describe('a queued create', () => {
  it('is a record with a negative temp id, searchable, marked pending, its typed columns derived from raw', () => {
    const client = queueEdit(replica, { method: 'PUT', path: 'clients/external_id/CRM-77', fields: { first_name: 'Nell', surname: 'Offline', people_in_household: '3', postcode: 'LS6 1AA' } });
    expect(client).toEqual({ temp_id: -1, entry: 1 });
    expect(JSON.parse(row('SELECT raw FROM clients WHERE id = -1').raw as string)).toEqual({
      id: -1,
      first_name: 'Nell',
      surname: 'Offline',
      people_in_household: 3,
      postcode: 'LS6 1AA',
      external_id: 'CRM-77',
      type: 1,
      updated: null,
    });
    columnsMatchRaw('clients', 'clients', -1);
    expect(searchClients(replica, 'nell off').map((c) => c.id)).toEqual([-1]);
    expect(pendingRecordIds(replica, 'clients')).toEqual(new Set([-1]));

    const due = queueEdit(replica, {
      method: 'PUT',
      path: 'due_contacts/referral/40',
      fields: { user: '3', start_date: '2024-03-01 10:00:00', end_date: '2024-03-01 11:00:00', description: 'first call' },
    });
    expect(row('SELECT state, referral, client, project FROM contacts WHERE id = ?', due.temp_id)).toEqual({ state: 'due', referral: 40, client: 5, project: 101 });
    columnsMatchRaw('contacts', 'due_contacts', due.temp_id!);
    expect(pendingRecordIds(replica, 'done_contacts')).toEqual(new Set([due.temp_id]));
  });

  it('lands under the server id everywhere at once: rows, references, raw JSON, waiting entries', () => {
    const client = queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'Nell', surname: 'Offline' } });
    const referral = queueEdit(replica, {
      method: 'PUT',
      path: 'referrals',
      fields: { client: String(client.temp_id), client_type: '1', date: '2024-03-01', project: '101', template: '1801', stage: '1901', description: 'new' },
    });
    const due = queueEdit(replica, {
      method: 'PUT',
      path: `due_contacts/referral/${referral.temp_id}`,
      fields: { user: '3', start_date: '2024-03-01 10:00:00', end_date: '2024-03-01 11:00:00', description: 'd' },
    });
    const upload = queueEdit(replica, {
      method: 'POST',
      path: `clients/id/${client.temp_id}/uploads`,
      fields: { user_visibility: '3', group_visibility: '1' },
      file: { filename: 'a.txt', data: Buffer.from('a') },
    });
    replica.sqlite.transaction(() => landTempId(replica.sqlite, client.temp_id!, 901))();
    expect(row('SELECT count(*) AS n FROM clients WHERE id = ?', client.temp_id).n).toBe(0);
    expect(getRecord(replica, 'clients', 901)).toMatchObject({ id: 901, surname: 'Offline' });
    expect(row("SELECT client, json_extract(raw, '$.client') AS raw_client FROM referrals WHERE id = ?", referral.temp_id)).toEqual({ client: 901, raw_client: 901 });
    expect(row('SELECT client FROM contacts WHERE id = ?', due.temp_id).client).toBe(901);
    expect(getEntry(replica.sqlite, referral.entry)!.fields.client).toBe('901');
    expect(getEntry(replica.sqlite, upload.entry)!.path).toBe('clients/id/901/uploads');
    expect(searchClients(replica, 'offline').map((c) => c.id)).toEqual([901]);
    // A new edit naming the old temp id is pointed at the server id.
    const later = queueEdit(replica, { method: 'POST', path: `clients/id/${client.temp_id}`, fields: { telephone: '1' } });
    expect(getEntry(replica.sqlite, later.entry)!.path).toBe('clients/id/901');
  });
});

describe('a queued update', () => {
  it('changes the record in place and keeps the base of the fields it changes', () => {
    const before = JSON.parse(row('SELECT raw FROM clients WHERE id = 5').raw as string) as Record<string, unknown>;
    const update = queueEdit(replica, { method: 'POST', path: 'clients/id/5', fields: { telephone: '01632 960555', gender: '202' } });
    expect(getRecord(replica, 'clients', 5)).toEqual({ ...before, telephone: '01632 960555', gender: 202 });
    expect(getEntry(replica.sqlite, update.entry)).toMatchObject({ base: { telephone: '01632 960000', gender: '1' }, base_updated: '2024-01-01 09:00:00' });
    columnsMatchRaw('clients', 'clients', 5);
  });

  it('a completion makes the due contact done, filling user, description and stage from it', () => {
    const done = queueEdit(replica, { method: 'POST', path: 'done_contacts/id/88', fields: { start_date: '2024-02-01 10:05:00', end_date: '2024-02-01 10:50:00' } });
    expect(getEntry(replica.sqlite, done.entry)).toMatchObject({
      fields: { start_date: '2024-02-01 10:05:00', end_date: '2024-02-01 10:50:00', user: '3', description: 'visit', stage: '1901' },
      before: { state: 'due' },
    });
    expect(row('SELECT state, stage FROM contacts WHERE id = 88')).toEqual({ state: 'done', stage: 1901 });
    columnsMatchRaw('contacts', 'done_contacts', 88);
    expect(() => queueEdit(replica, { method: 'POST', path: 'due_contacts/id/88', fields: { description: 'late' } })).toThrow(/already done/);
  });

  it('of a record the replica does not hold is refused, naming the path', () => {
    expect(() => queueEdit(replica, { method: 'POST', path: 'clients/id/999', fields: { telephone: '1' } })).toThrow(EditValidationError);
    expect(() => queueEdit(replica, { method: 'POST', path: 'clients/id/999', fields: { telephone: '1' } })).toThrow(/^path: client 999 is not in the replica/);
  });
});

describe('one transaction', () => {
  it('when the outbox cannot take the entry, the replica keeps nothing of the edit either', () => {
    const before = row('SELECT raw FROM clients WHERE id = 5');
    replica.sqlite.exec(`CREATE TRIGGER refuse_entry BEFORE INSERT ON outbox_records BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    expect(() => queueEdit(replica, { method: 'POST', path: 'clients/id/5', fields: { telephone: '01632 960999' } })).toThrow(/disk says no/);
    expect(() => queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'Never', surname: 'Stored' } })).toThrow(/disk says no/);
    expect(row('SELECT raw FROM clients WHERE id = 5')).toEqual(before);
    expect(row('SELECT count(*) AS n FROM clients WHERE id < 0').n).toBe(0);
    expect(listEntries(replica.sqlite, { includeConfirmed: true })).toEqual([]);
  });
});
