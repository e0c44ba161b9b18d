// A person's edit that arrives while ingest holds its transaction open between two slices: committed
// first (main/threads/person-writes.ts), the edit is its own transaction, so cancelling the sync
// (BulkTransaction's rollback) keeps it and the ingest carries on writing and committing afterwards.
// Without the commit the same edit would be a savepoint inside the sync's transaction, and lost.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BulkTransaction } from '../../main/db/bulk-transaction.js';
import type { Replica } from '../../main/db/open.js';
import { upsertRecords } from '../../main/db/records.js';
import { listEntries } from '../../main/outbox/entries.js';
import { queueEdit } from '../../main/outbox/queue.js';
import { commitOpenIngest } from '../../main/threads/person-writes.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
});
afterEach(() => replica.close());

const clientIds = () => replica.sqlite.prepare('SELECT id FROM clients ORDER BY id').pluck().all() as number[];

function editDuringIngest(commitFirst: boolean): void {
  const bulk = new BulkTransaction(replica, Number.MAX_SAFE_INTEGER);
  bulk.run(2, () => upsertRecords(replica, 'clients', [clientRecord(1), clientRecord(2)]));
  expect(replica.sqlite.inTransaction).toBe(true); // the slice boundary where a message is handled
  if (commitFirst) expect(commitOpenIngest(replica.sqlite)).toBe(true);
  queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'Nell', surname: 'Midsync' } });
  bulk.rollback(); // the sync is cancelled (or its worker dies) before its next commit
}

it('keeps an edit made between two ingest slices when the sync is then cancelled', () => {
  editDuringIngest(true);
  expect(listEntries(replica.sqlite, { states: ['pending'] })).toHaveLength(1);
  expect(clientIds()).toEqual([-1, 1, 2]); // the slice before the edit was committed with it; nothing half-written
});

it('would lose that edit with the sync if it rode inside the open transaction (why the commit is there)', () => {
  editDuringIngest(false);
  expect(listEntries(replica.sqlite, { states: ['pending'] })).toHaveLength(0);
  expect(clientIds()).toEqual([]);
});

it('lets the ingest carry on after the commit: later slices are written and committed as usual', () => {
  const bulk = new BulkTransaction(replica, Number.MAX_SAFE_INTEGER);
  bulk.run(1, () => upsertRecords(replica, 'clients', [clientRecord(1)]));
  commitOpenIngest(replica.sqlite);
  queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'Ann', surname: 'Between' } });
  bulk.run(1, () => upsertRecords(replica, 'clients', [clientRecord(2)]));
  bulk.run(1, () => upsertRecords(replica, 'clients', [clientRecord(3)]));
  bulk.commit();
  expect(replica.sqlite.inTransaction).toBe(false);
  expect(clientIds()).toEqual([-1, 1, 2, 3]);
  expect(commitOpenIngest(replica.sqlite)).toBe(false);
});
