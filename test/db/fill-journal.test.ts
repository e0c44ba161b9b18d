// A first fill's rollback journal (main/db/fill-journal.ts): taken only when the fill's connection
// is the file's only one, WAL back at the end, rows written meanwhile readable, and another
// connection opening mid-fill neither waits nor fails.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { beginFillJournal } from '../../main/db/fill-journal.js';
import { checkIntegrity, openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { countRecords, upsertRecords } from '../../main/db/records.js';
import { TEST_KEY, clientRecord, tempDir } from '../support/db-fixtures.js';

const open: Replica[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const replica of open.splice(0)) replica.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function replicaFile(): string {
  const dir = tempDir();
  dirs.push(dir);
  return path.join(dir, 'replica.db');
}

function openAt(file: string): Replica {
  const replica = openReplicaWithKey({ file, key: TEST_KEY });
  open.push(replica);
  return replica;
}

const journalMode = (replica: Replica) => replica.sqlite.pragma('journal_mode', { simple: true }) as string;
const clients = (from: number, count: number) => Array.from({ length: count }, (_, i) => clientRecord(from + i));

describe('a first fill through a rollback journal', () => {
  it('writes without a WAL while the fill runs and leaves the replica in WAL, whole, with every row', () => {
    const file = replicaFile();
    const replica = openAt(file);
    const journal = beginFillJournal(replica);
    expect(journal.rollback).toBe(true);
    expect(journalMode(replica)).toBe('delete');
    upsertRecords(replica, 'clients', clients(1, 500));
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    journal.end();
    expect(journalMode(replica)).toBe('wal');
    expect(countRecords(replica, 'clients')).toBe(500);
    expect(checkIntegrity(replica).ok).toBe(true);
  });

  it('stays in WAL when another connection has the replica open (the app reading while it syncs)', () => {
    const file = replicaFile();
    const replica = openAt(file);
    const reader = openAt(file);
    const journal = beginFillJournal(replica);
    expect(journal.rollback).toBe(false);
    expect(journalMode(replica)).toBe('wal');
    upsertRecords(replica, 'clients', clients(1, 10));
    expect(countRecords(reader, 'clients')).toBe(10);
    journal.end();
  });

  it('lets another process open and close the replica mid-fill and read what was committed', () => {
    const file = replicaFile();
    const replica = openAt(file);
    const journal = beginFillJournal(replica);
    upsertRecords(replica, 'clients', clients(1, 200));
    replica.sqlite.exec('BEGIN');
    upsertRecords(replica, 'clients', clients(201, 200)); // uncommitted, as a fill between its commits
    const status = openAt(file);
    expect(countRecords(status, 'clients')).toBe(200);
    status.close();
    replica.sqlite.exec('COMMIT');
    journal.end();
    expect(journalMode(openAt(file))).toBe('wal');
    expect(countRecords(replica, 'clients')).toBe(400);
  });
});
