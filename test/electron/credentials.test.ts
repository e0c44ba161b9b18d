// The Charitylog keys and the database key in the OS keychain (safeStorage, here a working stand-in):
// stored encrypted and read back, shown only masked, never in the file in clear, never in an error
// message; refused on Linux's basic_text backend unless the user explicitly accepted it; and a new
// database key only for a replica that does not exist yet.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', async () => (await import('../support/electron-fake.js')).createFakeElectron());
import { CredentialStorageError, CredentialStore, SafeStorageKeyProvider, maskKey } from '../../main/electron/credentials.js';
import { ReplicaKeyError } from '../../main/db/keys.js';
import { openReplica } from '../../main/db/open.js';
import { safeStorageState } from '../support/electron-fake.js';

const CONNECTION = {
  baseUrl: 'https://api.dizions.co.uk/v2',
  source: 'SRC-7f3c9a1e55d2',
  org: 'ORG-b81d0c44e9a7',
  user: 'USR-2e6f90ab13c8',
  dialect: '2019' as const,
};
const SECRETS = [CONNECTION.source, CONNECTION.org, CONNECTION.user];

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-credentials-'));
  safeStorageState.available = true;
  safeStorageState.backend = 'gnome_libsecret';
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function errorText(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  throw new Error('expected the action to fail');
}

describe('the Charitylog keys', () => {
  it('round-trip through the keychain and are never in the file in clear', () => {
    const store = new CredentialStore({ dir, platform: 'linux' });
    expect(store.loadConnection()).toBeNull();
    store.saveConnection(CONNECTION);
    expect(new CredentialStore({ dir, platform: 'linux' }).loadConnection()).toEqual(CONNECTION);
    const file = fs.readFileSync(store.file, 'utf8');
    for (const secret of SECRETS) expect(file).not.toContain(secret);
    expect(file).not.toContain('api.dizions.co.uk'); // the whole connection is sealed
    if (process.platform !== 'win32') expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
  });

  it('come back to the settings screen masked: bullets and the last four characters', () => {
    const store = new CredentialStore({ dir, platform: 'linux' });
    store.saveConnection(CONNECTION);
    expect(store.maskedConnection()).toEqual({
      baseUrl: CONNECTION.baseUrl,
      dialect: '2019',
      keys: { source: '••••55d2', org: '••••e9a7', user: '••••13c8' },
    });
    expect(maskKey('short')).toBe('••••');
    store.clearConnection();
    expect(store.loadConnection()).toBeNull();
  });

  it("are refused on Linux's basic_text backend until the user explicitly accepts the risk", () => {
    safeStorageState.backend = 'basic_text';
    const store = new CredentialStore({ dir, platform: 'linux' });
    expect(store.protection()).toEqual({ backend: 'basic_text', protected: false, acceptedUnprotected: false });
    const refusal = errorText(() => store.saveConnection(CONNECTION));
    expect(refusal).toMatch(/^CredentialStorageError: This computer has no OS keychain available/);
    expect(refusal).toMatch(/--store-keys-without-keychain/);
    expect(fs.existsSync(store.file)).toBe(false);

    store.acceptUnprotectedStorage();
    store.saveConnection(CONNECTION);
    expect(store.loadConnection()).toEqual(CONNECTION);
    expect(new CredentialStore({ dir, platform: 'linux' }).protection().acceptedUnprotected).toBe(true);
  });

  it('are refused when the OS offers no encryption at all, even if accepted', () => {
    safeStorageState.available = false;
    const store = new CredentialStore({ dir, platform: 'darwin' });
    store.acceptUnprotectedStorage();
    expect(() => store.saveConnection(CONNECTION)).toThrow(CredentialStorageError);
  });

  it('never appear in an error, even when the keychain cannot open them', () => {
    const store = new CredentialStore({ dir, platform: 'linux' });
    store.saveConnection(CONNECTION);
    // The keychain was reset: the sealed blob no longer opens.
    const sealed = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { connection: string };
    fs.writeFileSync(store.file, JSON.stringify({ ...sealed, connection: Buffer.from('garbage').toString('base64') }));
    const message = errorText(() => store.loadConnection());
    expect(message).toMatch(/could not unlock the Charitylog keys with this computer's keychain/);
    for (const secret of SECRETS) expect(message).not.toContain(secret);
    fs.writeFileSync(store.file, '{not json');
    expect(errorText(() => store.loadConnection())).toMatch(/is damaged; move it aside/);
  });
});

describe('the database key', () => {
  it('is created once for a new replica, kept in the keychain, and opens the replica again', async () => {
    const store = new CredentialStore({ dir, platform: 'linux' });
    const file = path.join(dir, 'replica.db');
    const provider = new SafeStorageKeyProvider(store, file);
    const key = provider.getKey();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(store.file, 'utf8')).not.toContain(key);
    expect(provider.describe()).toBe("this computer's key store: GNOME Keyring (libsecret)");

    const replica = await openReplica({ file, keyProvider: provider });
    replica.close();
    expect(new SafeStorageKeyProvider(new CredentialStore({ dir, platform: 'linux' }), file).getKey()).toBe(key);
    const reopened = await openReplica({ file, keyProvider: new SafeStorageKeyProvider(new CredentialStore({ dir, platform: 'linux' }), file) });
    reopened.close();
    expect(() => store.createDatabaseKey()).toThrow('already stored');
  });

  it('is never invented for a replica that already exists', () => {
    const file = path.join(dir, 'replica.db');
    fs.writeFileSync(file, 'an existing encrypted replica');
    const provider = new SafeStorageKeyProvider(new CredentialStore({ dir, platform: 'linux' }), file);
    expect(() => provider.getKey()).toThrow(ReplicaKeyError);
    expect(() => provider.getKey()).toThrow(/is not in this computer's keychain store/);
  });

  it('names the key store in words for Settings, on every platform', () => {
    const file = path.join(dir, 'replica.db');
    expect(new SafeStorageKeyProvider(new CredentialStore({ dir, platform: 'win32' }), file).describe()).toBe("this computer's key store: Windows (DPAPI)");
    expect(new SafeStorageKeyProvider(new CredentialStore({ dir, platform: 'darwin' }), file).describe()).toBe("this computer's key store: macOS Keychain");
    safeStorageState.backend = 'kwallet5';
    expect(new SafeStorageKeyProvider(new CredentialStore({ dir, platform: 'linux' }), file).describe()).toBe("this computer's key store: KDE Wallet");
  });

  it('follows the same basic_text rule as the keys', () => {
    safeStorageState.backend = 'basic_text';
    const provider = new SafeStorageKeyProvider(new CredentialStore({ dir, platform: 'linux' }), path.join(dir, 'replica.db'));
    expect(() => provider.getKey()).toThrow(/no OS keychain available/);
  });
});
