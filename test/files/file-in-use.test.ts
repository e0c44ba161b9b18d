// Files held for a moment by antivirus, the indexer or backup (EBUSY/EPERM on Windows, simulated
// here by making the rename fail): replacing the replica, saving the credentials and rotating the
// support log retry briefly and then succeed; a file held for good leaves the old replica open and
// whole (never a closed database) with a plain message, and the log keeps appending.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
vi.mock('electron', async () => (await import('../support/electron-fake.js')).createFakeElectron());
import { replaceReplicaFiles } from '../../main/app/replica-reset.js';
import { openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { CredentialStore } from '../../main/electron/credentials.js';
import { isFileInUse, retryWhileBusy } from '../../main/files/file-in-use.js';
import { ServiceError } from '../../main/ipc/service-error.js';
import { SupportLog } from '../../main/support-log.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';

const busy = (syscall: string) => Object.assign(new Error(`EBUSY: resource busy or locked, ${syscall}`), { code: 'EBUSY', syscall });

/** The next `times` renames (or every one, with Infinity) fail as a held file does; returns the count of failures. */
function holdRenames(times: number): { failures: () => number } {
  let failures = 0;
  const real = fs.renameSync;
  vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
    if (failures < times) {
      failures++;
      throw busy('rename');
    }
    return real(from, to);
  });
  return { failures: () => failures };
}

let dir: string;
beforeEach(() => {
  dir = tempDir('caseworker-in-use-');
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('replacing the replica (demo reset, another server)', () => {
  function replicaWithARow(): { file: string; holder: { replica: Replica } } {
    const file = path.join(dir, 'replica.db');
    const replica = openReplicaWithKey({ file, key: TEST_KEY });
    replica.sqlite.prepare(`INSERT INTO outbox_state (key, value) VALUES ('marker', '"old data"')`).run();
    return { file, holder: { replica } };
  }
  const marker = (replica: Replica) => replica.sqlite.prepare(`SELECT value FROM outbox_state WHERE key = 'marker'`).pluck().get();
  const reopen = (file: string, holder: { replica: Replica }) => async () => {
    holder.replica = openReplicaWithKey({ file, key: TEST_KEY });
  };

  it('retries while the file is held for a moment, then opens a new, empty replica', async () => {
    const { file, holder } = replicaWithARow();
    const held = holdRenames(2);
    await replaceReplicaFiles(file, () => holder.replica.close(), reopen(file, holder));
    expect(held.failures()).toBe(2);
    expect(holder.replica.sqlite.open).toBe(true);
    expect(marker(holder.replica)).toBeUndefined();
    expect(fs.readdirSync(dir).filter((f) => f.includes('discarded'))).toEqual([]);
    holder.replica.close();
  });

  it('held for good: says so plainly and leaves the old replica open, whole, with its data', async () => {
    const { file, holder } = replicaWithARow();
    holdRenames(Infinity);
    const logged: string[] = [];
    const failure = await replaceReplicaFiles(
      file,
      () => holder.replica.close(),
      reopen(file, holder),
      (event) => logged.push(event),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServiceError);
    expect(failure).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/another program \(antivirus, backup or a sync client\) is holding the file\. Nothing was changed; try again in a minute\./),
    });
    expect(holder.replica.sqlite.open).toBe(true);
    expect(marker(holder.replica)).toBe('"old data"');
    expect(logged).toEqual(['replica.replace_failed']);
    holder.replica.close();
  });

  it('a new replica that will not open brings the old one back, open and whole', async () => {
    const { file, holder } = replicaWithARow();
    let opens = 0;
    const failure = await replaceReplicaFiles(
      file,
      () => holder.replica.close(),
      async () => {
        if (++opens === 1) throw new Error('the disk is full');
        holder.replica = openReplicaWithKey({ file, key: TEST_KEY });
      },
    ).catch((e: unknown) => e);
    expect(failure).toMatchObject({ message: 'the disk is full' });
    expect(holder.replica.sqlite.open).toBe(true);
    expect(marker(holder.replica)).toBe('"old data"');
    holder.replica.close();
  });
});

describe('the credentials file', () => {
  it('is saved after a brief hold, and a lasting one gives a plain message and leaves the old file', () => {
    const store = new CredentialStore({ dir, platform: 'linux' });
    const connection = { baseUrl: 'https://api.dizions.co.uk/v2', source: 'SRC-1234567890', org: 'ORG-1234567890', user: 'USR-1234567890', dialect: '2019' as const };
    store.saveConnection(connection);
    holdRenames(3);
    store.saveConnection({ ...connection, dialect: '2025' });
    expect(store.loadConnection()?.dialect).toBe('2025');
    vi.restoreAllMocks();
    holdRenames(Infinity);
    expect(() => store.saveConnection(connection)).toThrow(/could not save its credentials file .*another program is holding it \(EBUSY\)/);
    vi.restoreAllMocks();
    expect(store.loadConnection()?.dialect).toBe('2025');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the support log', () => {
  it('rotates after a brief hold, and keeps appending (never throws) while a file stays held', () => {
    const log = new SupportLog({ dir, maxBytes: 300, maxFiles: 3 });
    for (let i = 0; i < 4; i++) log.write('sync.done', { requests: i });
    const held = holdRenames(2);
    for (let i = 0; i < 4; i++) log.write('sync.done', { requests: 10 + i });
    expect(held.failures()).toBe(2);
    expect(log.files().length).toBeGreaterThan(1);
    vi.restoreAllMocks();
    holdRenames(Infinity);
    const before = fs.readFileSync(log.file, 'utf8').length;
    for (let i = 0; i < 4; i++) log.write('sync.done', { requests: 20 + i });
    expect(fs.readFileSync(log.file, 'utf8').length).toBeGreaterThan(before);
  });
});

describe('what counts as "in use"', () => {
  it('is EBUSY everywhere, and EPERM/EACCES on Windows; retries stop at once for anything else', () => {
    expect(isFileInUse(busy('open'), 'linux')).toBe(true);
    expect(isFileInUse({ code: 'EPERM' }, 'win32')).toBe(true);
    expect(isFileInUse({ code: 'EACCES' }, 'win32')).toBe(true);
    expect(isFileInUse({ code: 'EPERM' }, 'darwin')).toBe(false);
    let calls = 0;
    expect(() =>
      retryWhileBusy(() => {
        calls++;
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      }),
    ).toThrow('no such file');
    expect(calls).toBe(1);
  });
});
