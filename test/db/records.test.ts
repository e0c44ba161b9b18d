// The replica's write API as sync will use it: whole records in, counts of inserted/updated out,
// raw JSON kept (fields the app does not model survive), due→done in one id space, deletions that
// respect due vs done, the incremental diff input, dictionaries, extension databases, selectable
// fields, sync state, and batches that are all-or-nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BulkTransaction } from '../../main/db/bulk-transaction.js';
import type { Replica } from '../../main/db/open.js';
import {
  SYNC_KEYS,
  clientToRow,
  countRecords,
  deleteExtensionRecords,
  deleteRecords,
  deleteSyncState,
  getDictionary,
  getExtensionIdsAndUpdated,
  getIdsAndUpdated,
  getRecord,
  getSelectableFields,
  getSyncState,
  listSyncState,
  rowToRecord,
  selectableFieldNames,
  setSelectableFields,
  setSyncState,
  upsertDictionary,
  upsertExtensionRecords,
  upsertRecords,
} from '../../main/db/records.js';
import { searchClients } from '../../main/db/search.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
});
afterEach(() => replica.close());

describe('records', () => {
  it('inserts new records and updates known ones, reporting which', () => {
    expect(upsertRecords(replica, 'clients', [clientRecord(1), clientRecord(2)])).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(upsertRecords(replica, 'clients', [clientRecord(2, { surname: 'Changed' }), clientRecord(3)])).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
    expect(getRecord(replica, 'clients', 2)?.surname).toBe('Changed');
    expect(countRecords(replica, 'clients')).toBe(3);
  });

  it('leaves a record the server sent again unchanged as it is: no row rewritten, so a full re-sync of an unchanged caseload writes nothing', () => {
    upsertRecords(replica, 'clients', [clientRecord(1), clientRecord(2)]);
    replica.sqlite.exec('CREATE TEMP TABLE rewrites (id); CREATE TEMP TRIGGER note_rewrite AFTER UPDATE ON clients BEGIN INSERT INTO rewrites VALUES (new.id); END;');
    expect(upsertRecords(replica, 'clients', [clientRecord(1), clientRecord(2, { postcode: 'LS1 1AA' })])).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect(replica.sqlite.prepare('SELECT id FROM rewrites').pluck().all()).toEqual([2]);
    expect(getRecord(replica, 'clients', 2)?.postcode).toBe('LS1 1AA');
    // Same raw but the other state of one id space: a due contact sent as done still becomes done.
    const contact = { id: 88, referral: 5, user: 7, start_date: '2024-03-01 10:00:00', description: 'Visit', updated: '2024-02-01 09:00:00' };
    upsertRecords(replica, 'due_contacts', [contact]);
    expect(upsertRecords(replica, 'done_contacts', [contact])).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(getRecord(replica, 'done_contacts', 88)).toEqual(contact);
  });

  it('keeps every field the server sent, modelled or not, and projects the modelled ones into typed columns', () => {
    const sent = clientRecord(7, { website_photo_consent: 109, brand_new_server_field: { nested: [1, 2] }, gender: '2', nhs_number: '' });
    upsertRecords(replica, 'clients', [sent]);
    expect(getRecord(replica, 'clients', 7)).toEqual(sent);
    const row = replica.sqlite.prepare('SELECT gender, typeof(gender) AS kind, nhs_number, raw FROM clients WHERE id = 7').get() as Record<string, unknown>;
    // A numeric string in an integer column is stored as a number; an empty string as no value.
    expect(row).toMatchObject({ gender: 2, kind: 'integer', nhs_number: null });
    expect(rowToRecord(row as { raw: string })).toEqual(sent);
    expect(clientToRow(sent)).toMatchObject({ id: 7, surname: 'Surname7', gender: '2', nhs_number: null });
  });

  it('an update that changes some fields leaves the row as a fresh insert of the new record would (columns, raw, search)', () => {
    const first = clientRecord(4, { surname: 'Before', postcode: 'LS1 1AA', gender: 2, telephone: '01632 960001' });
    upsertRecords(replica, 'clients', [first]);
    const changed = { ...first, surname: 'After', telephone: null, gender: 3, updated: '2026-01-02 03:04:05' };
    expect(upsertRecords(replica, 'clients', [changed])).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const inserted = freshReplica();
    try {
      upsertRecords(inserted, 'clients', [changed]);
      const row = (r: Replica) => r.sqlite.prepare('SELECT * FROM clients WHERE id = 4').get();
      expect(row(replica)).toEqual(row(inserted));
    } finally {
      inserted.close();
    }
    expect(searchClients(replica, 'After').map((m) => m.id)).toEqual([4]);
    expect(searchClients(replica, 'Before')).toEqual([]);
    // Nothing but the stamp changed: still an update, raw and `updated` replaced.
    upsertRecords(replica, 'clients', [{ ...changed, updated: '2026-01-03 00:00:00' }]);
    expect(getRecord(replica, 'clients', 4)?.updated).toBe('2026-01-03 00:00:00');
  });

  it('a fill (fresh) stores what the ordinary path stores, even when the server repeats an id or sends as done a contact stored as due', () => {
    const due = { id: 88, referral: 5, user: 7, start_date: '2024-03-01 10:00:00', description: 'Visit', updated: '2024-02-01 09:00:00' };
    const sent = [clientRecord(1), clientRecord(2), clientRecord(1), clientRecord(2, { surname: 'Again' }), clientRecord(3)];
    const ordinary = freshReplica();
    try {
      const counts = upsertRecords(ordinary, 'clients', sent);
      expect(upsertRecords(replica, 'clients', sent, { fresh: true })).toEqual(counts);
      const rows = (r: Replica) => r.sqlite.prepare('SELECT * FROM clients ORDER BY id').all();
      expect(rows(replica)).toEqual(rows(ordinary));
      expect(getRecord(replica, 'clients', 2)?.surname).toBe('Again');
    } finally {
      ordinary.close();
    }
    upsertRecords(replica, 'due_contacts', [due], { fresh: true });
    expect(upsertRecords(replica, 'done_contacts', [{ ...due, stage: 2 }], { fresh: true })).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect([countRecords(replica, 'due_contacts'), getRecord(replica, 'done_contacts', 88)?.stage]).toEqual([0, 2]);
    expect(() => upsertRecords(replica, 'clients', [clientRecord(4), { surname: 'No id' }], { fresh: true })).toThrow(/clients record without a valid id/);
    expect(getRecord(replica, 'clients', 4)).toBeUndefined();
  });

  it('refuses a record without a usable id, and stores nothing of that batch', () => {
    expect(() => upsertRecords(replica, 'clients', [clientRecord(1), { surname: 'No id' }])).toThrow(/clients record without a valid id/);
    expect(countRecords(replica, 'clients')).toBe(0);
  });

  it('turns a due contact into a done contact with the same id (one id space)', () => {
    const due = { id: 88, referral: 5, user: 7, start_date: '2024-03-01 10:00:00', end_date: '2024-03-01 11:00:00', description: 'Visit', updated: '2024-02-01 09:00:00' };
    upsertRecords(replica, 'due_contacts', [due]);
    expect(upsertRecords(replica, 'done_contacts', [{ ...due, stage: 2, updated: '2024-03-01 12:00:00' }])).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(getRecord(replica, 'due_contacts', 88)).toBeUndefined();
    expect(getRecord(replica, 'done_contacts', 88)?.stage).toBe(2);
    expect([countRecords(replica, 'due_contacts'), countRecords(replica, 'done_contacts')]).toEqual([0, 1]);
  });

  it('counts due and done contacts apart when the table holds both', () => {
    upsertRecords(
      replica,
      'due_contacts',
      [1, 2, 3].map((id) => ({ id, referral: 5, updated: 'x' })),
    );
    upsertRecords(
      replica,
      'done_contacts',
      [4, 5, 6, 7, 8].map((id) => ({ id, referral: 5, updated: 'x' })),
    );
    expect([countRecords(replica, 'due_contacts'), countRecords(replica, 'done_contacts')]).toEqual([3, 5]);
  });

  it('deletes by id within the group only: removing due contact 88 never removes done contact 88', () => {
    upsertRecords(replica, 'done_contacts', [{ id: 88, referral: 5, updated: 'x' }]);
    upsertRecords(replica, 'due_contacts', [{ id: 89, referral: 5, updated: 'x' }]);
    expect(deleteRecords(replica, 'due_contacts', [88, 89])).toBe(1);
    expect(getRecord(replica, 'done_contacts', 88)?.id).toBe(88);
    expect(getRecord(replica, 'due_contacts', 89)).toBeUndefined();
  });

  it('lists ids with their updated stamps for the incremental diff, per group', () => {
    upsertRecords(replica, 'due_contacts', [{ id: 1, updated: '2024-01-01 10:00:00' }]);
    upsertRecords(replica, 'done_contacts', [{ id: 2, updated: '2024-01-02 10:00:00' }, { id: 3 }]);
    expect(getIdsAndUpdated(replica, 'done_contacts')).toEqual(
      new Map([
        [2, '2024-01-02 10:00:00'],
        [3, null],
      ]),
    );
    expect(getIdsAndUpdated(replica, 'due_contacts')).toEqual(new Map([[1, '2024-01-01 10:00:00']]));
  });
});

describe('batches', () => {
  it('keeps earlier batches when a later one fails, and commits every N rows', () => {
    const bulk = new BulkTransaction(replica, 3);
    bulk.run(2, () => upsertRecords(replica, 'clients', [clientRecord(1), clientRecord(2)]));
    expect(() =>
      bulk.run(2, () => {
        upsertRecords(replica, 'clients', [clientRecord(3)]);
        setSyncState(replica, SYNC_KEYS.cursor('clients'), 3);
        throw new Error('connection reset');
      }),
    ).toThrow('connection reset');
    expect(replica.sqlite.inTransaction).toBe(true);
    expect(getSyncState(replica, SYNC_KEYS.cursor('clients'))).toBeUndefined();
    bulk.run(2, () => upsertRecords(replica, 'clients', [clientRecord(4), clientRecord(5)]));
    // 4 rows ≥ 3: committed.
    expect(replica.sqlite.inTransaction).toBe(false);
    expect([...getIdsAndUpdated(replica, 'clients').keys()].sort()).toEqual([1, 2, 4, 5]);
  });

  it("keeps the query planner's statistics current through a bulk load, so client_* filters of contacts start from the clients", () => {
    const bulk = new BulkTransaction(replica, 2_000);
    bulk.run(400, () =>
      upsertRecords(
        replica,
        'clients',
        Array.from({ length: 400 }, (_, i) => clientRecord(i + 1, { district: (i % 20) + 1 })),
      ),
    );
    for (let first = 1; first <= 8_000; first += 1_000) {
      const batch = Array.from({ length: 1_000 }, (_, i) => ({ id: first + i, client: ((first + i) % 400) + 1, user: (first + i) % 7, updated: '2024-01-01 00:00:00' }));
      bulk.run(batch.length, () => upsertRecords(replica, 'done_contacts', batch));
    }
    bulk.commit();
    const stats = replica.sqlite.prepare(`SELECT idx FROM sqlite_stat1 WHERE tbl = 'contacts'`).all() as Array<{ idx: string }>;
    expect(stats.map((s) => s.idx)).toContain('contacts_client');
    const plan = (
      replica.sqlite.prepare(`EXPLAIN QUERY PLAN SELECT t.id FROM contacts t LEFT JOIN clients c ON c.id = t.client WHERE t.state = 'done' AND c.district IN (3)`).all() as Array<{ detail: string }>
    )
      .map((p) => p.detail)
      .join(' | ');
    expect(plan).toMatch(/contacts_client/);
  });

  it('rolls back everything since the last commit when cancelled', () => {
    const bulk = new BulkTransaction(replica, 100);
    bulk.run(1, () => upsertRecords(replica, 'clients', [clientRecord(1)]));
    bulk.commit();
    bulk.run(1, () => upsertRecords(replica, 'clients', [clientRecord(2)]));
    bulk.rollback();
    expect([...getIdsAndUpdated(replica, 'clients').keys()]).toEqual([1]);
  });
});

describe('dictionaries, extension databases, selectable fields, sync state', () => {
  it('replaces a dictionary with the list the server sent, keeping extra keys', () => {
    upsertDictionary(replica, 'referrals/stage', [
      { id: 1, name: 'Enquiry', template: 1, status: 'Pending' },
      { id: 2, name: 'Open', template: 1, status: 'Open' },
    ]);
    upsertDictionary(replica, 'referrals/stage', [{ id: 2, name: 'Active', template: 1, status: 'Open' }]);
    expect(getDictionary(replica, 'referrals/stage')).toEqual([{ id: 2, name: 'Active', template: 1, status: 'Open' }]);
    upsertDictionary(replica, 'referrals/stage', [{ id: 3, name: 'Closed' }], { replaceAll: false });
    expect(getDictionary(replica, 'referrals/stage').map((e) => e.id)).toEqual([2, 3]);
  });

  it('stores extension-database rows per database, with their own id space', () => {
    expect(upsertExtensionRecords(replica, 'wellcheck_notes_9', [{ id: 1, referral: 10, notes_33: 'ok', updated: '2024-01-01 00:00:00' }])).toEqual({ inserted: 1, updated: 0 });
    expect(upsertExtensionRecords(replica, 'staff_disciplinary_13', [{ id: 1, referral: 11, updated: '2024-01-02 00:00:00' }])).toEqual({ inserted: 1, updated: 0 });
    expect(upsertExtensionRecords(replica, 'wellcheck_notes_9', [{ id: 1, referral: 10, notes_33: 'better', updated: '2024-01-03 00:00:00' }])).toEqual({ inserted: 0, updated: 1 });
    expect(getExtensionIdsAndUpdated(replica, 'wellcheck_notes_9')).toEqual(new Map([[1, '2024-01-03 00:00:00']]));
    expect(deleteExtensionRecords(replica, 'staff_disciplinary_13', [1])).toBe(1);
    expect(getExtensionIdsAndUpdated(replica, 'wellcheck_notes_9').size).toBe(1);
  });

  it('keeps the selectable_fields reply verbatim and reads field names from its likely shapes', () => {
    setSelectableFields(replica, 'clients', ['id', 'surname', 'website_photo_consent']);
    expect(getSelectableFields(replica, 'clients')).toEqual(['id', 'surname', 'website_photo_consent']);
    setSelectableFields(replica, 'workers', [{ name: 'id' }, { field: 'job_title' }]);
    expect(selectableFieldNames(replica, 'workers')).toEqual(['id', 'job_title']);
    setSelectableFields(replica, 'schedules', { id: 'int', frequency: 'text' });
    expect(selectableFieldNames(replica, 'schedules')).toEqual(['id', 'frequency']);
    expect(getSelectableFields(replica, 'referrals')).toBeUndefined();
  });

  it('keeps sync state as JSON values by key', () => {
    setSyncState(replica, SYNC_KEYS.me, 7);
    setSyncState(replica, SYNC_KEYS.scope('referrals'), 'referrals/project/5;7');
    setSyncState(replica, SYNC_KEYS.scope('clients'), 'clients/district/3');
    setSyncState(replica, SYNC_KEYS.cursor('done_contacts'), { phase: 'fetch', next: 1200 });
    expect(getSyncState(replica, SYNC_KEYS.me)).toBe(7);
    expect(getSyncState(replica, SYNC_KEYS.cursor('done_contacts'))).toEqual({ phase: 'fetch', next: 1200 });
    expect(listSyncState(replica, 'scope:')).toEqual({ 'scope:clients': 'clients/district/3', 'scope:referrals': 'referrals/project/5;7' });
    deleteSyncState(replica, SYNC_KEYS.me);
    expect(getSyncState(replica, SYNC_KEYS.me)).toBeUndefined();
  });
});
