// The reader thread's snapshot (main/threads/read-snapshot.ts) over a real encrypted replica and a
// second connection writing beside it, as the core does during a sync: a read sees every write the
// person made before it, what the sync lands shows once the snapshot is older than its limit, and an
// idle reader lets go of its snapshot so checkpoints can pass it.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyPragma, type Replica } from '../../main/db/open.js';
import { upsertRecords } from '../../main/db/records.js';
import { ReadSnapshot } from '../../main/threads/read-snapshot.js';
import { TEST_KEY, clientRecord, freshReplica } from '../support/db-fixtures.js';

let writer: Replica;
let reader: Database.Database;
beforeEach(() => {
  writer = freshReplica();
  reader = new Database(writer.file, { fileMustExist: true });
  reader.pragma(`cipher = 'sqlcipher'`);
  reader.pragma(keyPragma(TEST_KEY));
  reader.pragma('query_only = ON');
});
afterEach(() => {
  reader.close();
  writer.close();
});

const clientsSeen = () => reader.prepare('SELECT count(*) FROM clients').pluck().get() as number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the reader's snapshot", () => {
  it("holds one view across the sync's commits, and renews for the person's own writes", () => {
    const snapshot = new ReadSnapshot(() => undefined, { maxAgeMs: 60_000, idleMs: 60_000 });
    upsertRecords(writer, 'clients', [clientRecord(1)]);
    snapshot.enter(reader, 0);
    expect(clientsSeen()).toBe(1);
    // The sync commits more: the same snapshot (and warm cache) answers the next read.
    upsertRecords(writer, 'clients', [clientRecord(2), clientRecord(3)]);
    snapshot.enter(reader, 0);
    expect(clientsSeen()).toBe(1);
    // The person's edit went through the core (the serving thread counted it): the read sees it.
    upsertRecords(writer, 'clients', [clientRecord(4)]);
    snapshot.enter(reader, 1);
    expect(clientsSeen()).toBe(4);
    snapshot.end();
    expect(reader.inTransaction).toBe(false);
  });

  it('renews at every read for a caller that sends no count of writes', () => {
    const snapshot = new ReadSnapshot(() => undefined, { maxAgeMs: 60_000, idleMs: 60_000 });
    snapshot.enter(reader, undefined);
    expect(clientsSeen()).toBe(0);
    upsertRecords(writer, 'clients', [clientRecord(1)]);
    snapshot.enter(reader, undefined);
    expect(clientsSeen()).toBe(1);
    snapshot.end();
  });

  it('shows what the sync landed once the snapshot is older than its limit', async () => {
    const snapshot = new ReadSnapshot(() => undefined, { maxAgeMs: 50, idleMs: 60_000 });
    snapshot.enter(reader, 0);
    expect(clientsSeen()).toBe(0);
    upsertRecords(writer, 'clients', [clientRecord(1)]);
    snapshot.enter(reader, 0);
    expect(clientsSeen()).toBe(0);
    await sleep(80);
    snapshot.enter(reader, 0);
    expect(clientsSeen()).toBe(1);
    snapshot.end();
  });

  it('lets go when no read follows, so a checkpoint can copy the whole WAL back', async () => {
    const snapshot = new ReadSnapshot(() => undefined, { maxAgeMs: 60_000, idleMs: 30 });
    snapshot.enter(reader, 0);
    clientsSeen();
    snapshot.leave();
    upsertRecords(writer, 'clients', [clientRecord(1)]);
    const [held] = writer.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
    expect(held!.checkpointed).toBeLessThan(held!.log);
    await sleep(80);
    expect(reader.inTransaction).toBe(false);
    const [free] = writer.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
    expect(free!.checkpointed).toBe(free!.log);
  });
});
