// The editor's commits never run a checkpoint themselves (that cost an edit 3–5 ms during a sync);
// it checkpoints after answering instead. Offline, with the core writing nothing, a day of edits
// must still not grow the replica's WAL without end: the pages go back into the file as they come.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { startThreadedCore, type ThreadedCore } from '../../main/threads/core-host.js';
import type { Channel, ChannelArgs } from '../../shared/ipc/contract.js';
import { dispatchOk } from '../support/dispatch-calls.js';

let dir: string;
let core: ThreadedCore;
let dispatcher: Dispatcher;
const call = <C extends Channel>(channel: C, input: ChannelArgs<C>) => dispatchOk(dispatcher, channel, input);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-threads-wal-'));
  core = await startThreadedCore({ dataDir: dir, keyProvider: new StaticKeyProvider('d5'.repeat(32)), demo: true, demoOptions: { clients: 60 }, pushAfterEditMs: null });
  dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  await core.start();
  await call('sync:run', {});
});

afterAll(async () => {
  await core?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('keeps the WAL small over many edits while nothing else writes', async () => {
  const clients = (await call('caseload:list', { offset: 0, limit: 60 })).rows.map((row) => row.client.id);
  await new Promise((resolve) => setTimeout(resolve, 1_200)); // the reader lets its snapshot go after 1 s idle (read-snapshot.ts)
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
