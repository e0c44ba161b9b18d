// Test fixtures for the replica: a fresh encrypted database file per test in a temp folder, and
// a helper that applies only the first K committed migrations (for migrate N-1 → insert → N tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_FOLDER, openReplicaWithKey, type Replica } from '../../main/db/open.js';

/** A raw 256-bit key (64 hex digits): no key derivation, so tests open fast. */
export const TEST_KEY = '5eed'.repeat(16);

export function tempDir(prefix = 'caseworker-db-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Opens a new migrated replica in a temp folder; close() also removes the folder. */
export function freshReplica(): Replica {
  const dir = tempDir();
  const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: TEST_KEY });
  const close = replica.close;
  replica.close = () => {
    close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return replica;
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export function journalEntries(): JournalEntry[] {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries;
}

/** Applies only the first `count` committed migrations (through drizzle's own migrator, on a copy of the folder). */
export function migrateFirst(replica: Replica, count: number): void {
  const dir = tempDir('caseworker-migrations-');
  try {
    const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
    const entries = journal.entries.slice(0, count);
    if (entries.length < count) throw new Error(`only ${journal.entries.length} migrations are committed, asked for ${count}`);
    fs.mkdirSync(path.join(dir, 'meta'));
    for (const entry of entries) fs.copyFileSync(path.join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
    fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    migrate(replica.db, { migrationsFolder: dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A client record shaped as the server sends it. */
export function clientRecord(id: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    first_name: `First${id}`,
    surname: `Surname${id}`,
    dob: '1980-01-01',
    gender: 1,
    district: 3,
    postcode: 'AB1 2CD',
    nhs_number: null,
    external_id: null,
    usual_support_worker: null,
    active: 'Y',
    type: 1,
    updated: '2024-01-01 09:00:00',
    ...fields,
  };
}
