// Background checkpoints: while a worker thread checkpoints the WAL, the main connection's own
// automatic checkpoint is off, committed pages still reach the (encrypted) database file, and the
// replica stays whole and readable after stop.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints } from '../../main/db/checkpoints.js';
import { checkIntegrity, openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { countRecords, upsertRecords } from '../../main/db/records.js';
import { TEST_KEY, clientRecord, tempDir } from '../support/db-fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function openFresh(key = TEST_KEY): Replica {
  const dir = tempDir();
  dirs.push(dir);
  return openReplicaWithKey({ file: path.join(dir, 'replica.db'), key });
}

function writeClients(replica: Replica, from: number, count: number): void {
  const batch = Array.from({ length: count }, (_, i) => clientRecord(from + i, { address1: `${from + i} Long Road, with enough text to fill pages` }));
  upsertRecords(replica, 'clients', batch);
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('background checkpoints', () => {
  it('moves committed pages into the database file from another thread, not inside our commits', async () => {
    const replica = openFresh();
    const sizeBefore = fs.statSync(replica.file).size;
    const checkpoints = startBackgroundCheckpoints(replica, 20);
    expect(replica.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    for (let i = 0; i < 5; i++) writeClients(replica, 1 + i * 400, 400);
    // Our own connection never checkpoints now: only the worker can grow the main file.
    expect(await until(() => fs.statSync(replica.file).size > sizeBefore + 100_000)).toBe(true);
    await checkpoints.stop();
    expect(replica.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(checkIntegrity(replica).ok).toBe(true);
    replica.close();
    const reopened = openReplicaWithKey({ file: replica.file, key: TEST_KEY });
    expect(countRecords(reopened, 'clients')).toBe(2000);
    reopened.close();
  });

  it('works with a passphrase key too, and stop() can be called twice', async () => {
    const replica = openFresh(`a passphrase with 'quotes'`);
    const checkpoints = startBackgroundCheckpoints(replica, 20);
    writeClients(replica, 1, 500);
    const stopped = checkpoints.stop();
    await expect(checkpoints.stop()).resolves.toBeUndefined();
    await stopped;
    expect(checkIntegrity(replica).ok).toBe(true);
    replica.close();
  });

  it('without it, the main file does not grow until a checkpoint (the control case)', () => {
    const replica = openFresh();
    replica.sqlite.pragma('wal_autocheckpoint = 0');
    const sizeBefore = fs.statSync(replica.file).size;
    for (let i = 0; i < 5; i++) writeClients(replica, 1 + i * 400, 400);
    expect(fs.statSync(replica.file).size).toBe(sizeBefore);
    replica.close();
  });
});
