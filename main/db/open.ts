// Opens the encrypted replica: SQLCipher key first, then a read that proves the key opens the file,
// and only then migrations and settings. A wrong key on an existing file is a ReplicaKeyError that
// leaves the file byte-for-byte unchanged; nothing here ever creates a new database over an old one.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { ReplicaKeyError, type KeyProvider } from './keys.js';
import * as schema from './schema.js';

/** The committed drizzle-kit migrations, found relative to this module so any cwd works. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export type ReplicaDb = BetterSQLite3Database<typeof schema>;

export interface Replica {
  /** The raw better-sqlite3 handle: prepared statements for bulk paths. */
  sqlite: Database.Database;
  /** Drizzle over the same handle, for typed queries. */
  db: ReplicaDb;
  file: string;
  close(): void;
}

export interface OpenReplicaOptions {
  file: string;
  keyProvider: KeyProvider;
  /** Apply migrations (default true). Tests of migrations pass false and migrate step by step. */
  migrate?: boolean;
}

/** A 64-hex-digit key is used as the raw 256-bit key (no key derivation); anything else is a passphrase. */
const RAW_KEY = /^[0-9a-fA-F]{64}$/;

/**
 * The replica and its -wal/-shm readable by this user only (0600, like the demo key). SQLite gives
 * the -wal and -shm it creates the main file's mode, so an empty 0600 file made before SQLite opens
 * covers all three; files an older version left 0644 are narrowed. chmod, not umask: umask is
 * process-wide and unavailable in worker threads.
 */
function keepPrivate(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_WRONLY, 0o600));
  } catch {
    return; // SQLite reports what is wrong with the path, in its own words
  }
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.chmodSync(file + suffix, 0o600);
    } catch {
      // -wal and -shm exist only while (or after) the database was open
    }
  }
}

/** Gets the key from the provider, then opens the replica (the rest is synchronous). */
export async function openReplica(options: OpenReplicaOptions): Promise<Replica> {
  let key: string;
  try {
    key = await options.keyProvider.getKey();
  } catch (error) {
    if (error instanceof ReplicaKeyError) throw error;
    throw new ReplicaKeyError(`could not get the database key from ${options.keyProvider.describe()}: ${(error as Error).message}`);
  }
  if (typeof key !== 'string' || key === '') {
    // An empty SQLCipher key means "no encryption": refuse rather than write plaintext.
    throw new ReplicaKeyError(`no database key: ${options.keyProvider.describe()} gave an empty key`);
  }
  return openReplicaWithKey({ file: options.file, key, migrate: options.migrate, keySource: options.keyProvider.describe() });
}

export interface OpenWithKeyOptions {
  file: string;
  key: string;
  migrate?: boolean | undefined;
  /** For error messages. */
  keySource?: string | undefined;
}

/** Opens the replica with a key in hand. Throws ReplicaKeyError when the key does not open an existing file. */
export function openReplicaWithKey(options: OpenWithKeyOptions): Replica {
  const file = path.resolve(options.file);
  if (!options.key) throw new ReplicaKeyError('no database key given');
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  if (!existed) fs.mkdirSync(path.dirname(file), { recursive: true });
  keepPrivate(file);

  const sqlite = new Database(file);
  try {
    sqlite.pragma(`cipher = 'sqlcipher'`);
    sqlite.pragma(keyPragma(options.key));
    // Before the first read: another process's first fill (rollback journal, fill-journal.ts) may hold the file a moment.
    sqlite.pragma('busy_timeout = 5000');
    verifyKey(sqlite, file, existed, options.keySource);
    // SQLCipher's default 4 KiB pages: 16 KiB pages ingest ~1.5× faster (less per-page crypto) but
    // make the app's random reads (my clients, a referral's contacts) ~4× slower — reads win.
    askForWal(sqlite);
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // Decrypted pages are what a cache miss costs: keep up to 64 MiB of them (default 2 MiB). A report
    // over 1M contacts reads a ~50 MB index whole: at 32 MiB every run decrypted it again (~190 ms
    // instead of ~70 ms for a month report; bench/report-bench.ts).
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma(PRIVATE_TEMP_STORE);
  } catch (error) {
    sqlite.close();
    throw error;
  }

  const db = drizzle(sqlite, { schema });
  const close = () => {
    if (!sqlite.open) return;
    // Lets SQLite refresh the statistics its query planner uses, cheaply, as its docs advise at close.
    try {
      withoutWaiting(sqlite, () => sqlite.pragma('optimize')); // never waits on another process's sync
    } catch {
      // A replica that cannot be optimised still closes.
    }
    sqlite.close();
  };
  const replica: Replica = { sqlite, db, file, close };
  keyPragmas.set(replica, keyPragma(options.key));
  if (options.migrate !== false) {
    try {
      migrateReplica(replica);
    } catch (error) {
      sqlite.close();
      throw error;
    }
  }
  // Statistics are a nicety: a sync writing from another process must neither stall nor fail an open.
  withoutWaiting(sqlite, () => refreshPlannerStatistics(replica));
  return replica;
}

/**
 * Runs ANALYZE on the tables whose size changed ~25× since their last statistics (so during a bulk
 * load: at the first commits, then rarely). Without statistics SQLite drives a `client_*` filter of
 * contacts through the low-cardinality `state` index: seconds over 1M contacts instead of ~0.2 s.
 * Not sampled (analysis_limit): a sample of the first index entries sees one `state` and misleads
 * the planner the same way. Cheap when nothing changed.
 */
export function refreshPlannerStatistics(replica: Pick<Replica, 'sqlite'>): void {
  replica.sqlite.pragma('optimize = 0x10002');
}

/**
 * SQLite's temporary files — a sort too big for memory (an index build, an ORDER BY), a statement
 * journal, a materialised subquery — are not encrypted, and hold rows and index keys as they are:
 * an index build after a 100k-client fill wrote ~60 MB of them to /var/tmp (deleted at once, but
 * on the disk of a laptop that can be lost). Every connection to the replica keeps them in memory
 * instead (measured: the largest index build peaks ~40 MB higher, and runs a third faster).
 */
export const PRIVATE_TEMP_STORE = 'temp_store = MEMORY';

/** The key pragma of each open replica, for a second connection to the same file (checkpoints.ts). */
const keyPragmas = new WeakMap<Replica, string>();

/** Internal: the pragma that keys another connection to this replica's file. */
export function keyPragmaOf(replica: Replica): string {
  const pragma = keyPragmas.get(replica);
  if (!pragma) throw new Error('this replica was not opened through openReplica');
  return pragma;
}

/** The key pragma for `key` (the reader thread opens its own connection with it). */
export function keyPragma(key: string): string {
  if (RAW_KEY.test(key)) return `key = "x'${key}'"`;
  return `key = '${key.replaceAll("'", "''")}'`;
}

/**
 * WAL, unless another connection is mid-transaction in a first fill's rollback journal: then the
 * replica opens as it is (without waiting), and the fill puts WAL back when it ends.
 */
function askForWal(sqlite: Database.Database): void {
  withoutWaiting(sqlite, () => sqlite.pragma('journal_mode = WAL'));
}

/** Runs `work` unless another connection holds the lock it needs (then skips it at once). */
export function withoutWaiting(sqlite: Database.Database, work: () => unknown): void {
  sqlite.pragma('busy_timeout = 0');
  try {
    work();
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
  } finally {
    sqlite.pragma('busy_timeout = 5000');
  }
}

/** Reading sqlite_master decrypts page 1: a wrong key fails here, before anything is written. */
function verifyKey(sqlite: Database.Database, file: string, existed: boolean, keySource?: string): void {
  try {
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (existed && (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')) {
      const from = keySource ? ` (key from ${keySource})` : '';
      throw new ReplicaKeyError(`the key does not open this database: ${file}${from}. Use the key it was created with, or move the file aside to start a new replica.`);
    }
    throw error;
  }
}

/** Applies every committed migration not yet applied; refuses a replica written by a newer Caseworker. */
export function migrateReplica(replica: Replica, migrationsFolder = MIGRATIONS_FOLDER): void {
  refuseNewerReplica(replica, migrationsFolder);
  migrate(replica.db, { migrationsFolder });
}

function refuseNewerReplica(replica: Replica, migrationsFolder: string): void {
  const table = replica.sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get();
  if (!table) return;
  const last = replica.sqlite.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as { at: number | null };
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ when: number }> };
  const newestKnown = Math.max(0, ...journal.entries.map((e) => e.when));
  if (last.at !== null && Number(last.at) > newestKnown) {
    throw new Error(`${replica.file} was written by a newer version of Caseworker (schema ahead of this one); update the app to open it`);
  }
}

export interface IntegrityReport {
  ok: boolean;
  problems: string[];
}

/** `PRAGMA integrity_check`: ok, or the list of problems SQLite found. */
export function checkIntegrity(replica: Pick<Replica, 'sqlite'>): IntegrityReport {
  const rows = replica.sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>;
  const problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
  return { ok: problems.length === 0, problems };
}
