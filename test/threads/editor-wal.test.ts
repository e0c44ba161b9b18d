// The editor's commits never run a checkpoint themselves (that cost an edit 3–5 ms during a sync);
// it checkpoints after answering instead. Offline, with the core writing nothing, a day of edits
// must still not grow the replica's WAL without end: the pages go back into the file as they come.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openReplicaWithKey } from '../../main/db/open.js';
import { startThreadedDemo, type ThreadedDemo } from '../support/threaded-demo.js';

const KEY = 'd5'.repeat(32);

/** Waits until no reader's snapshot holds the WAL: a TRUNCATE checkpoint that does not wait then succeeds. */
async function untilNoReaderHoldsTheWal(file: string): Promise<void> {
  const probe = openReplicaWithKey({ file, key: KEY });
  try {
    probe.sqlite.pragma('busy_timeout = 0');
    for (let tries = 0; tries < 100; tries++) {
      const [result] = probe.sqlite.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      if (result?.busy === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('a reader held the WAL for 10 s');
  } finally {
    probe.close();
  }
}

let demo: ThreadedDemo;
let dir: string;
let call: ThreadedDemo['call'];

beforeAll(async () => {
  demo = await startThreadedDemo('wal', { key: KEY, clients: 60 });
  ({ dir, call } = demo);
});

afterAll(async () => {
  await demo?.stop();
});

it('keeps the WAL small over many edits while nothing else writes', async () => {
  const clients = (await call('caseload:list', { offset: 0, limit: 60 })).rows.map((row) => row.client.id);
  // The reader lets its snapshot go after 1 s idle (read-snapshot.ts); on a loaded machine its timer
  // fires late, and a held snapshot lets the WAL grow. Start once nothing holds the WAL back.
  await untilNoReaderHoldsTheWal(path.join(dir, 'replica.db'));
  const wal = path.join(dir, 'replica.db-wal');
  const walBefore = fs.statSync(wal).size;
  const edits = 200;
  for (let i = 0; i < edits; i++) {
    await call('clients:update', { id: clients[i % clients.length]!, fields: { mobile: `07700 9${String(i).padStart(5, '0')}` } });
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // the last edit's checkpoint runs after its answer
  expect((await call('sync:status', {})).pending).toBeGreaterThan(0);
  // Without a checkpoint each edit appends its pages (~10 of 4 KiB): 200 edits would add megabytes.
  const grown = fs.statSync(wal).size - walBefore;
  expect(grown).toBeLessThan(1 << 20);
  expect((await call('clients:get', { id: clients[(edits - 1) % clients.length]! })).client.mobile).toBe(`07700 9${String(edits - 1).padStart(5, '0')}`);
});
