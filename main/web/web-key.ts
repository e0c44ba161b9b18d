// Which key encrypts the browser host's replica. Real data: CASEWORKER_DB_KEY, always. The local
// demo alone may use a random key kept in a 0600 file next to the data, so `npm run web` works on a
// fresh checkout — said plainly on stderr, and refused as soon as a real connection is involved.
// A demo replica made with the file key is dropped (never re-keyed) once CASEWORKER_DB_KEY is set.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DB_KEY_VARIABLE, EnvKeyProvider, ReplicaKeyError, StaticKeyProvider, type KeyProvider } from '../db/keys.js';
import { openReplicaWithKey } from '../db/open.js';

export const DEMO_KEY_FILE = 'demo-db.key';

export interface WebKeyChoice {
  provider: KeyProvider;
  /** True when the key sits in a file next to the data: only the demo may run on it. */
  storedBesideData: boolean;
  /** Lines for stderr: what was chosen, and what was done to get there. */
  notices: string[];
}

/** The replica's key cannot be chosen: the message says what to do. */
export class WebKeyError extends Error {
  override name = 'WebKeyError';
}

function replicaExists(file: string): boolean {
  return fs.existsSync(file) && fs.statSync(file).size > 0;
}

/** Whether `key` opens `file` (read-only check: nothing is migrated or written). */
function opensWith(file: string, key: string): boolean {
  try {
    openReplicaWithKey({ file, key, migrate: false }).close();
    return true;
  } catch (error) {
    if (error instanceof ReplicaKeyError) return false;
    throw error;
  }
}

function readKeyFile(file: string): string {
  const stat = fs.statSync(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new WebKeyError(`${file} can be read by other users of this computer (mode ${(stat.mode & 0o777).toString(8)}): run chmod 600 ${file}, or delete it to start the demo afresh`);
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new WebKeyError(`${file} does not hold a key Caseworker wrote: delete it (and the replica next to it) to start the demo afresh`);
  return key;
}

export function chooseWebKey(options: { dataDir: string; replicaFile: string; env?: Record<string, string | undefined> }): WebKeyChoice {
  const env = options.env ?? process.env;
  const keyFile = path.join(options.dataDir, DEMO_KEY_FILE);
  const notices: string[] = [];

  if (env[DB_KEY_VARIABLE]) {
    if (fs.existsSync(keyFile)) {
      // The file key only ever encrypted demo data (a real connection is refused on it): drop that copy.
      if (replicaExists(options.replicaFile) && opensWith(options.replicaFile, readKeyFile(keyFile))) {
        for (const suffix of ['', '-wal', '-shm']) fs.rmSync(options.replicaFile + suffix, { force: true });
        notices.push(`the demo's local copy (encrypted with the key kept next to it) was removed; a new one is encrypted with ${DB_KEY_VARIABLE}`);
      }
      fs.rmSync(keyFile, { force: true });
    }
    return { provider: new EnvKeyProvider(env), storedBesideData: false, notices };
  }

  if (fs.existsSync(keyFile)) {
    const key = readKeyFile(keyFile);
    notices.push(`demo key kept next to the data (${keyFile}); use ${DB_KEY_VARIABLE} for real data`);
    return { provider: new StaticKeyProvider(key, `a key file next to the data (${keyFile}), for the demo only`), storedBesideData: true, notices };
  }
  if (replicaExists(options.replicaFile)) {
    throw new WebKeyError(`${options.replicaFile} was encrypted with a key Caseworker does not have: set ${DB_KEY_VARIABLE} to it (or choose another --data folder)`);
  }
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  // wx: never overwrite a key another run wrote a moment ago.
  fs.writeFileSync(keyFile, `${key}\n`, { mode: 0o600, flag: 'wx' });
  notices.push(`demo key kept next to the data (${keyFile}); use ${DB_KEY_VARIABLE} for real data`);
  return { provider: new StaticKeyProvider(key, `a key file next to the data (${keyFile}), for the demo only`), storedBesideData: true, notices };
}
