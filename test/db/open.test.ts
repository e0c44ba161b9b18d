// Opening the encrypted replica: SQLCipher at rest (no plaintext of a synced surname in the file or
// its WAL), a wrong key refused with a clear error and the file left untouched, a missing key
// refused before anything is created, and the key read from CASEWORKER_DB_KEY.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvKeyProvider, ReplicaKeyError, StaticKeyProvider } from '../../main/db/keys.js';
import { MIGRATIONS_FOLDER, checkIntegrity, openReplica, openReplicaWithKey } from '../../main/db/open.js';
import { getRecord, upsertRecords } from '../../main/db/records.js';
import { TEST_KEY, clientRecord, tempDir } from '../support/db-fixtures.js';

const dirs: string[] = [];
function replicaFile(): string {
  const dir = tempDir();
  dirs.push(dir);
  return path.join(dir, 'replica.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function digest(file: string): string {
  return fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'absent';
}

describe('encryption at rest', () => {
  it('leaves no plaintext of a synced surname in the database file or its WAL', async () => {
    const file = replicaFile();
    const replica = await openReplica({ file, keyProvider: new StaticKeyProvider(TEST_KEY) });
    upsertRecords(replica, 'clients', [clientRecord(1, { surname: 'Zebedee-Quantock', postcode: 'ZQ9 9QZ' })]);
    // Before the checkpoint the row lives in the WAL; after it, in the main file. Check both states.
    const walBefore = fs.readFileSync(`${file}-wal`);
    expect(walBefore.length).toBeGreaterThan(0);
    expect(walBefore.includes('Zebedee')).toBe(false);
    replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    replica.close();
    for (const part of [file, `${file}-wal`]) {
      if (!fs.existsSync(part)) continue;
      const bytes = fs.readFileSync(part);
      expect(bytes.includes('Zebedee')).toBe(false);
      expect(bytes.includes('Quantock')).toBe(false);
      expect(bytes.includes('ZQ9 9QZ')).toBe(false);
      expect(bytes.includes('SQLite format 3')).toBe(false);
    }
    const reopened = openReplicaWithKey({ file, key: TEST_KEY });
    expect(getRecord(reopened, 'clients', 1)?.surname).toBe('Zebedee-Quantock');
    expect(checkIntegrity(reopened)).toEqual({ ok: true, problems: [] });
    reopened.close();
  });

  it('opens with a passphrase containing quotes (key derivation) and only with that passphrase', async () => {
    const file = replicaFile();
    const passphrase = `it's "quoted"; DROP TABLE clients; --`;
    const replica = await openReplica({ file, keyProvider: new StaticKeyProvider(passphrase) });
    upsertRecords(replica, 'clients', [clientRecord(5)]);
    replica.close();
    const again = await openReplica({ file, keyProvider: new StaticKeyProvider(passphrase) });
    expect(getRecord(again, 'clients', 5)?.id).toBe(5);
    again.close();
    await expect(openReplica({ file, keyProvider: new StaticKeyProvider(`it's "quoted"`) })).rejects.toThrow(ReplicaKeyError);
  });
});

describe('wrong or missing key', () => {
  it('refuses a wrong key with a clear error and leaves the file byte-for-byte unchanged', async () => {
    const file = replicaFile();
    const replica = openReplicaWithKey({ file, key: TEST_KEY });
    upsertRecords(replica, 'clients', [clientRecord(1)]);
    replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    replica.close();
    const before = [digest(file), digest(`${file}-wal`)];

    const attempt = openReplica({ file, keyProvider: new StaticKeyProvider('f'.repeat(64)) });
    await expect(attempt).rejects.toThrow(ReplicaKeyError);
    await expect(openReplica({ file, keyProvider: new StaticKeyProvider('not the key') })).rejects.toThrow(/the key does not open this database/);

    expect([digest(file), digest(`${file}-wal`)]).toEqual(before);
    const reopened = openReplicaWithKey({ file, key: TEST_KEY });
    expect(getRecord(reopened, 'clients', 1)?.id).toBe(1);
    reopened.close();
  });

  it('refuses to open without CASEWORKER_DB_KEY, naming the variable, and creates no file', async () => {
    const file = replicaFile();
    const attempt = openReplica({ file, keyProvider: new EnvKeyProvider({}) });
    await expect(attempt).rejects.toThrow(ReplicaKeyError);
    await expect(openReplica({ file, keyProvider: new EnvKeyProvider({ CASEWORKER_DB_KEY: '' }) })).rejects.toThrow(/CASEWORKER_DB_KEY/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses an empty key from any provider rather than writing an unencrypted database', async () => {
    const file = replicaFile();
    await expect(openReplica({ file, keyProvider: new StaticKeyProvider('') })).rejects.toThrow(/empty key/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('reads the key from CASEWORKER_DB_KEY', async () => {
    const file = replicaFile();
    const replica = await openReplica({ file, keyProvider: new EnvKeyProvider({ CASEWORKER_DB_KEY: TEST_KEY }) });
    upsertRecords(replica, 'clients', [clientRecord(9)]);
    replica.close();
    const reopened = openReplicaWithKey({ file, key: TEST_KEY });
    expect(getRecord(reopened, 'clients', 9)?.id).toBe(9);
    reopened.close();
  });
});

describe('settings and migrations at open', () => {
  it('runs in WAL mode with foreign keys, a busy timeout and synchronous=NORMAL', () => {
    const replica = openReplicaWithKey({ file: replicaFile(), key: TEST_KEY });
    expect(replica.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(replica.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(replica.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(replica.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    expect(replica.sqlite.pragma('cache_size', { simple: true })).toBe(-65536);
    replica.close();
  });

  it('finds its migrations whatever the working directory', () => {
    const cwd = process.cwd();
    const elsewhere = tempDir();
    dirs.push(elsewhere);
    process.chdir(elsewhere);
    try {
      const replica = openReplicaWithKey({ file: path.join(elsewhere, 'r.db'), key: TEST_KEY });
      expect(replica.sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'clients'`).get()).toEqual({ n: 1 });
      replica.close();
    } finally {
      process.chdir(cwd);
    }
    expect(path.isAbsolute(MIGRATIONS_FOLDER)).toBe(true);
  });

  it('refuses a replica whose schema is newer than this version of the app', () => {
    const file = replicaFile();
    const replica = openReplicaWithKey({ file, key: TEST_KEY });
    replica.sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', 9_999_999_999_999);
    replica.close();
    expect(() => openReplicaWithKey({ file, key: TEST_KEY })).toThrow(/newer version of Caseworker/);
  });
});
