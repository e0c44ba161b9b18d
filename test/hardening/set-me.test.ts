// "Who I am" is checked against the charity's server before it is saved: a login or worker the
// server does not list is refused (and Settings keeps the previous choice), asked of the server
// when nothing is synced yet, answered from the synced workers when offline — and offline with
// nothing synced, the person is told why instead of saving a guess.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../main/app/core.js';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { dispatchFailure, dispatchOk } from '../support/dispatch-calls.js';

const KEY = 'c5'.repeat(32);
let sim: RunningSimulator;
const cores: AppCore[] = [];
const dirs: string[] = [];

async function app(): Promise<{ core: AppCore; dispatcher: Dispatcher }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-set-me-'));
  dirs.push(dir);
  const core = await createAppCore({ dataDir: dir, keyProvider: new StaticKeyProvider(KEY), retry: { attempts: 2, baseMs: 5, maxMs: 20 }, requestTimeoutMs: 5_000 });
  await core.start();
  cores.push(core);
  return { core, dispatcher: createDispatcher(core.services, { isTrustedSender: () => true }) };
}

const connectionTo = (s: RunningSimulator) => {
  const login = s.users.find((u) => u.worker !== null)!;
  return { baseUrl: s.url, source: login.source, org: login.org, user: login.user, dialect: '2019' as const };
};

beforeAll(async () => {
  sim = await startSimulator({ clients: 30, seed: 5 });
});

afterAll(async () => {
  for (const core of cores) await core.stop();
  await sim.close().catch(() => undefined);
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('settings:set-me', () => {
  it('checks the choice against the server before the first sync, and keeps the old choice when refusing', async () => {
    const { dispatcher } = await app();
    const login = sim.users.find((u) => u.worker !== null)!;
    const colleague = sim.users.find((u) => u.worker !== null && u.id !== login.id)!;

    const unconnected = await dispatchFailure(dispatcher, 'settings:set-me', { user: login.id, worker: login.worker });
    expect(unconnected.code).toBe('VALIDATION');
    expect(unconnected.message).toMatch(/Connect to Charitylog first/);

    await dispatchOk(dispatcher, 'settings:set-connection', { connection: connectionTo(sim) });
    const stranger = await dispatchFailure(dispatcher, 'settings:set-me', { user: 99_999, worker: null });
    expect(stranger.code).toBe('VALIDATION');
    expect(stranger.message).toMatch(/No worker on the server signs in as login 99999/);
    expect((await dispatchOk(dispatcher, 'settings:get', {})).me).toBeNull();

    const me = await dispatchOk(dispatcher, 'settings:set-me', { user: login.id, worker: login.worker });
    expect(me.me).toMatchObject({ user: login.id, worker: login.worker });

    const notMine = await dispatchFailure(dispatcher, 'settings:set-me', { user: login.id, worker: colleague.worker });
    expect(notMine.code).toBe('VALIDATION');
    expect(notMine.message).toMatch(new RegExp(`Worker ${colleague.worker} signs in as login ${colleague.id}, not ${login.id}`));
    const noSuchWorker = await dispatchFailure(dispatcher, 'settings:set-me', { user: login.id, worker: 88_888 });
    expect(noSuchWorker.message).toMatch(/There is no worker 88888/);
    expect((await dispatchOk(dispatcher, 'settings:get', {})).me).toMatchObject({ user: login.id, worker: login.worker });
  });

  it('after a sync, answers from the synced workers even when the server is gone', async () => {
    const { dispatcher } = await app();
    const own = await startSimulator({ clients: 20, seed: 6 });
    const login = own.users.find((u) => u.worker !== null)!;
    const colleague = own.users.find((u) => u.worker !== null && u.id !== login.id)!;
    try {
      await dispatchOk(dispatcher, 'settings:set-connection', { connection: connectionTo(own) });
      await dispatchOk(dispatcher, 'settings:set-me', { user: login.id, worker: login.worker });
      await dispatchOk(dispatcher, 'sync:run', {});
    } finally {
      await own.close();
    }
    expect((await dispatchOk(dispatcher, 'settings:set-me', { user: colleague.id, worker: colleague.worker })).me).toMatchObject({ user: colleague.id });
    const stranger = await dispatchFailure(dispatcher, 'settings:set-me', { user: 99_999, worker: null });
    expect(stranger.code).toBe('VALIDATION');
    expect((await dispatchOk(dispatcher, 'settings:get', {})).me).toMatchObject({ user: colleague.id });
  });

  it('offline with no workers synced: a clear OFFLINE message, nothing saved', async () => {
    const { dispatcher } = await app();
    const gone = await startSimulator({ clients: 10, seed: 7 });
    const connection = connectionTo(gone);
    const login = gone.users.find((u) => u.worker !== null)!;
    await gone.close();
    await dispatchOk(dispatcher, 'settings:set-connection', { connection });
    const error = await dispatchFailure(dispatcher, 'settings:set-me', { user: login.id, worker: login.worker });
    expect(error.code).toBe('OFFLINE');
    expect(error.message).toMatch(/cannot check who you are: no workers are synced yet and the server cannot be reached/);
    expect((await dispatchOk(dispatcher, 'settings:get', {})).me).toBeNull();
  });
});
