// The reader and a replica that is replaced: a demo reset deletes the replica file and opens a new
// one under the core. The reader lets go of the old file first, reads asked meanwhile wait for the
// reset, and afterwards they answer from the new replica (not the deleted one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StaticKeyProvider } from '../main/db/keys.js';
import { createDispatcher, type Dispatcher } from '../main/ipc/register.js';
import { startThreadedCore, type ThreadedCore } from '../main/threads/core-host.js';
import type { Channel, ChannelArgs } from '../shared/ipc/contract.js';
import { dispatchOk } from './dispatch-calls.js';

let dir: string;
let core: ThreadedCore;
let dispatcher: Dispatcher;
const call = <C extends Channel>(channel: C, input: ChannelArgs<C>) => dispatchOk(dispatcher, channel, input);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-threads-replace-'));
  core = await startThreadedCore({ dataDir: dir, keyProvider: new StaticKeyProvider('d4'.repeat(32)), demo: true, demoOptions: { clients: 60 }, pushAfterEditMs: null });
  dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  await core.start();
  await call('sync:run', {});
});

afterAll(async () => {
  await core?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('answers reads from the new replica after a demo reset, and reads asked during it wait for it', async () => {
  const before = await call('caseload:list', { offset: 0, limit: 5 });
  expect(before.total).toBeGreaterThan(0);
  const first = before.rows[0]!.client.id;
  await call('clients:update', { id: first, fields: { first_name: 'Practice' } });
  expect((await call('sync:status', {})).pending).toBe(1);
  const inode = fs.statSync(path.join(dir, 'replica.db')).ino;

  const reset = call('settings:demo-reset', {});
  const during = call('outbox:list', {});
  await reset;
  expect((await during).entries).toEqual([]); // asked during the reset, answered from the new replica
  expect(fs.statSync(path.join(dir, 'replica.db')).ino).not.toBe(inode);

  await call('sync:run', {});
  const after = await call('caseload:list', { offset: 0, limit: 5 });
  expect(after.total).toBe(before.total);
  expect((await call('clients:get', { id: first })).client.first_name).not.toBe('Practice');
  expect((await call('sync:status', {})).pending).toBe(0);
});
