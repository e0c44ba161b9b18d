// The simulator's data at rest when it runs as the app's demo: sim.db encrypted with SQLCipher and
// uploaded files sealed with AES-256-GCM, both under keys derived from one 64-hex-digit store key,
// so whatever a trainee types or attaches never lands readable in the app's data folder. A plain
// simulator (tests, `caseworker sim`) passes no key and keeps plain files, as before.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';

const RAW_KEY = /^[0-9a-f]{64}$/i;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const SEAL_MAGIC = Buffer.from('CWSEAL1\0', 'latin1');

export class SimStoreKeyError extends Error {
  override name = 'SimStoreKeyError';
}

export function checkStoreKey(key: string): void {
  if (!RAW_KEY.test(key)) throw new SimStoreKeyError('the simulator store key must be 64 hex digits (a raw 256-bit key)');
}

/** Keys the connection (before anything else touches the file). */
export function applyStoreKey(db: Database.Database, key: string): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma(`key = "x'${key}'"`);
  db.pragma('temp_store = MEMORY'); // its sorts and statement journals are not encrypted either (main/db/open.ts)
}

/** True when `file` is an unencrypted SQLite database (a demo folder from before encryption). */
export function isPlaintextDatabase(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

/** Encrypts a plaintext database in place (SQLite3 Multiple Ciphers' rekey; not in WAL mode). */
export function encryptInPlace(file: string, key: string): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma(`rekey = "x'${key}'"`);
  } finally {
    db.close();
  }
  for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}

/** Seals and opens uploaded files: magic, 12-byte IV, 16-byte tag, ciphertext. */
export class UploadSeal {
  private readonly key: Buffer;

  constructor(storeKey: string) {
    this.key = createHash('sha256').update('caseworker simulator uploads\0').update(storeKey).digest();
  }

  seal(data: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([SEAL_MAGIC, iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer): Buffer {
    if (!sealed.subarray(0, SEAL_MAGIC.length).equals(SEAL_MAGIC)) throw new SimStoreKeyError('not a sealed upload');
    const at = SEAL_MAGIC.length;
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(at, at + 12));
    decipher.setAuthTag(sealed.subarray(at + 12, at + 28));
    return Buffer.concat([decipher.update(sealed.subarray(at + 28)), decipher.final()]);
  }

  /** A sealed file's name says nothing about what it holds (the original name stays in the encrypted database). */
  static storedName(id: number): string {
    return `${id}.sealed`;
  }
}

/** Creates `file` empty and 0600 if missing, so SQLite's own -wal/-shm inherit the mode. */
export function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_WRONLY, 0o600));
}
