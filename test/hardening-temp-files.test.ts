// SQLite's temporary files (a sort too big for memory, a statement journal) are not encrypted: they
// hold rows and index keys as they are. Every connection to the replica keeps them in memory, so a
// large sort — an index build after a first fill — never writes the caseload in plaintext to the
// laptop's disk. Watched from a second thread through /proc/self/fd (Linux), since SQLite unlinks
// such a file as soon as it opens it.
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withIndexBuilder } from '../main/db/index-builder.js';
import { openReplicaWithKey, type Replica } from '../main/db/open.js';
import { upsertRecords } from '../main/db/records.js';
import { clientRecord, freshReplica, TEST_KEY } from './support/db-fixtures.js';

const WATCHER = `
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const seen = new Set();
let watching = true;
parentPort.on('message', () => { watching = false; parentPort.postMessage([...seen]); });
(function poll() {
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try { const target = fs.readlinkSync('/proc/self/fd/' + fd); if (target.includes('etilqs_')) seen.add(target); } catch {}
  }
  if (watching) setImmediate(poll);
})();
`;

/** The SQLite temporary files this process had open while `work` ran. */
async function tempFilesDuring(work: () => void): Promise<string[]> {
  const watcher = new Worker(WATCHER, { eval: true });
  await new Promise((resolve) => setTimeout(resolve, 50)); // polling
  work();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const seen = new Promise<string[]>((resolve) => watcher.once('message', resolve));
  watcher.postMessage('stop');
  const files = await seen;
  await watcher.terminate();
  return files;
}

/** An index over every client's whole raw record, sorted with a page cache far too small for it. */
function bigSort(sqlite: Database.Database): void {
  sqlite.pragma('cache_size = 20');
  sqlite.exec('CREATE INDEX sort_spill ON clients(raw)');
  sqlite.exec('DROP INDEX sort_spill');
}

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
  upsertRecords(
    replica,
    'clients',
    Array.from({ length: 6000 }, (_, i) => clientRecord(i + 1, { notes: `Visited at home; lives alone, carer twice a week. ${'x'.repeat(400)} ${i}` })),
  );
});
afterEach(() => replica.close());

describe.runIf(process.platform === 'linux')('temporary files of the replica', () => {
  it('a connection without the setting spills a large sort to a plaintext file (the watcher sees it)', async () => {
    const plain = new Database(replica.file);
    plain.pragma(`cipher = 'sqlcipher'`);
    plain.pragma(`key = "x'${TEST_KEY}'"`);
    try {
      expect(await tempFilesDuring(() => bigSort(plain))).not.toEqual([]);
    } finally {
      plain.close();
    }
  });

  it('are never written by the replica’s own connection, another one opened on it, or the index builder', async () => {
    expect(await tempFilesDuring(() => bigSort(replica.sqlite))).toEqual([]);
    const second = openReplicaWithKey({ file: replica.file, key: TEST_KEY, migrate: false });
    try {
      expect(await tempFilesDuring(() => bigSort(second.sqlite))).toEqual([]);
    } finally {
      second.sqlite.close();
    }
    expect(await tempFilesDuring(() => withIndexBuilder(replica, (builder) => bigSort(builder.sqlite)))).toEqual([]);
  });
});
