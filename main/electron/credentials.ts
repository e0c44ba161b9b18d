// The Charitylog keys (Source/Org/User) and the replica's database key, kept encrypted with
// Electron's safeStorage (the OS keychain) in one file in the app's data folder. They never go to
// the renderer (only masked) and never into a log or an error message. On Linux, when the only
// backend is basic_text, nothing is stored unless the user explicitly accepted that risk.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import { renameRetrying } from '../files/file-in-use.js';
import type { StoredConnection } from '../app/connection-store.js';
import { ReplicaKeyError, type KeyProvider } from '../db/keys.js';

export interface MaskedConnection {
  baseUrl: string;
  dialect: '2019' | '2025';
  keys: { source: string; org: string; user: string };
}

export class CredentialStorageError extends Error {
  override name = 'CredentialStorageError';
}

interface CredentialFile {
  version: 1;
  /** safeStorage ciphertexts, base64. */
  connection?: string;
  databaseKey?: string;
  /** The user said yes to storing keys without an OS keychain (Linux basic_text). */
  acceptedUnprotected?: boolean;
}

export interface CredentialStoreOptions {
  /** The app's data folder (app.getPath('userData')). */
  dir: string;
  platform?: NodeJS.Platform;
}

export interface CredentialProtection {
  /** safeStorage's backend on Linux (`gnome_libsecret`, `kwallet5`, `basic_text` …); the OS name elsewhere. */
  backend: string;
  /** Encrypted with a key the OS keeps (not basic_text). */
  protected: boolean;
  acceptedUnprotected: boolean;
}

/** The key store in words for Settings ("Windows (DPAPI)"), from safeStorage's backend or the platform. */
export function keyStoreName(backend: string): string {
  switch (backend) {
    case 'win32':
      return 'Windows (DPAPI)';
    case 'darwin':
      return 'macOS Keychain';
    case 'gnome_libsecret':
      return 'GNOME Keyring (libsecret)';
    case 'kwallet':
    case 'kwallet5':
    case 'kwallet6':
      return 'KDE Wallet';
    case 'basic_text':
      return 'basic text protection (no keychain)';
    default:
      return backend;
  }
}

/** Bullets and the last four characters, as the settings screen shows a key. */
export function maskKey(key: string): string {
  return key.length > 8 ? `••••${key.slice(-4)}` : '••••';
}

const UNPROTECTED_MESSAGE =
  'This computer has no OS keychain available to Caseworker (only basic plain-text protection). ' +
  'Unlock or install a keyring (GNOME Keyring or KWallet) and restart Caseworker, or explicitly accept ' +
  'storing the keys with basic protection (Settings, or start with --store-keys-without-keychain).';

export class CredentialStore {
  readonly file: string;
  private readonly platform: NodeJS.Platform;

  constructor(options: CredentialStoreOptions) {
    this.file = path.join(options.dir, 'credentials.json');
    this.platform = options.platform ?? process.platform;
  }

  protection(): CredentialProtection {
    const backend = this.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : this.platform;
    const available = safeStorage.isEncryptionAvailable();
    return { backend, protected: available && backend !== 'basic_text', acceptedUnprotected: this.read().acceptedUnprotected === true };
  }

  /** The user's explicit yes to basic_text storage; remembered. */
  acceptUnprotectedStorage(): void {
    this.write({ ...this.read(), acceptedUnprotected: true });
  }

  saveConnection(connection: StoredConnection): void {
    this.assertCanStore();
    this.write({ ...this.read(), connection: this.encrypt(JSON.stringify(connection)) });
  }

  loadConnection(): StoredConnection | null {
    const sealed = this.read().connection;
    if (!sealed) return null;
    const parsed = JSON.parse(this.decrypt(sealed, 'the Charitylog keys')) as StoredConnection;
    return parsed;
  }

  maskedConnection(): MaskedConnection | null {
    const connection = this.loadConnection();
    if (!connection) return null;
    return {
      baseUrl: connection.baseUrl,
      dialect: connection.dialect,
      keys: { source: maskKey(connection.source), org: maskKey(connection.org), user: maskKey(connection.user) },
    };
  }

  clearConnection(): void {
    const { connection: _dropped, ...rest } = this.read();
    this.write(rest as CredentialFile);
  }

  loadDatabaseKey(): string | null {
    const sealed = this.read().databaseKey;
    return sealed ? this.decrypt(sealed, 'the database key') : null;
  }

  /** A new random 256-bit key (64 hex digits: SQLCipher's raw key), stored before it is returned. */
  createDatabaseKey(): string {
    this.assertCanStore();
    if (this.read().databaseKey) throw new CredentialStorageError('a database key is already stored; refusing to replace it');
    const key = randomBytes(32).toString('hex');
    this.write({ ...this.read(), databaseKey: this.encrypt(key) });
    return key;
  }

  private assertCanStore(): void {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new CredentialStorageError('This computer offers no way to encrypt saved keys, so Caseworker will not store them. ' + UNPROTECTED_MESSAGE);
    }
    const { backend, acceptedUnprotected } = this.protection();
    if (this.platform === 'linux' && backend === 'basic_text' && !acceptedUnprotected) throw new CredentialStorageError(UNPROTECTED_MESSAGE);
  }

  private encrypt(plain: string): string {
    return safeStorage.encryptString(plain).toString('base64');
  }

  private decrypt(sealed: string, what: string): string {
    try {
      return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
    } catch {
      // Never include the ciphertext or the error's detail: the message may reach a screen or a log.
      throw new CredentialStorageError(`Caseworker could not unlock ${what} with this computer's keychain (was the keychain reset, or the data folder copied from another computer?).`);
    }
  }

  private read(): CredentialFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1 };
      throw new CredentialStorageError(`Caseworker could not read its credentials file (${this.file}): ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
    }
    try {
      const parsed = JSON.parse(text) as CredentialFile;
      if (parsed && parsed.version === 1) return parsed;
    } catch {
      // fall through
    }
    throw new CredentialStorageError(`The credentials file ${this.file} is damaged; move it aside and enter the Charitylog keys again.`);
  }

  /** Atomic: a crash mid-write leaves the old file, never half a new one. Owner-only permissions. */
  private write(content: CredentialFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ ...content, version: 1 }), { mode: 0o600 });
    try {
      renameRetrying(temp, this.file); // antivirus or backup may hold the old file for a moment (EBUSY/EPERM)
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw new CredentialStorageError(
        `Caseworker could not save its credentials file (${this.file}): another program is holding it (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}). Try again in a minute.`,
      );
    }
  }
}

/** The replica's key from the OS keychain; a new key only for a replica that does not exist yet. */
export class SafeStorageKeyProvider implements KeyProvider {
  constructor(
    private readonly store: CredentialStore,
    private readonly replicaFile: string,
  ) {}

  getKey(): string {
    let existing: string | null;
    try {
      existing = this.store.loadDatabaseKey();
    } catch (error) {
      throw new ReplicaKeyError((error as Error).message);
    }
    if (existing) return existing;
    if (fs.existsSync(this.replicaFile) && fs.statSync(this.replicaFile).size > 0) {
      throw new ReplicaKeyError(
        `the key of ${this.replicaFile} is not in this computer's keychain store. Without it the replica cannot be opened: ` +
          'move the file aside and sync again (edits not yet sent from it would be lost).',
      );
    }
    try {
      return this.store.createDatabaseKey();
    } catch (error) {
      throw new ReplicaKeyError((error as Error).message);
    }
  }

  describe(): string {
    return `this computer's key store: ${keyStoreName(this.store.protection().backend)}`;
  }
}
