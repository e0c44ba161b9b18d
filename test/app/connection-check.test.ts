// Settings → Check connection through the real dispatcher: the doctor's read-only checks with the
// keys typed, in words, against the simulator speaking each dialect and against one that breaks an
// assumption; the outcome is remembered for the saved connection (the Sync page's notice) and the
// server's data is never changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../main/app/core.js';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import type { Channel, ChannelArgs } from '../../shared/ipc/contract.js';
import { dispatchOk } from '../support/dispatch-calls.js';

const KEY = 'c4'.repeat(32);
let dir: string;
let core: AppCore;
let dispatcher: Dispatcher;
const call = <C extends Channel>(channel: C, input: ChannelArgs<C>) => dispatchOk(dispatcher, channel, input);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-check-'));
  core = await createAppCore({ dataDir: dir, keyProvider: new StaticKeyProvider(KEY), demo: false, pushAfterEditMs: null });
  dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  await core.start();
});

afterAll(async () => {
  await core?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const keysOf = (sim: RunningSimulator) => {
  const login = sim.users.find((u) => u.worker !== null)!;
  return { baseUrl: sim.url, source: login.source, org: login.org, user: login.user };
};
const successfulWrites = (sim: RunningSimulator) => sim.requestLog.filter((r) => r.method !== 'GET' && r.status >= 200 && r.status < 300);

describe.each(['2019', '2025'] as const)('checking a server that speaks the %s dialect', (dialect) => {
  it('names the dialect, explains every check in words, and changes nothing on the server', async () => {
    const sim = await startSimulator({ clients: 30, seed: 5, dialect });
    try {
      const result = await call('settings:check-connection', { connection: keysOf(sim) });
      expect(result).toMatchObject({ reached: true, authorised: true, error: null, dialect, dialectSaved: false });
      expect(result.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['keys', 'dialect', 'timestamps', 'scope']));
      for (const c of result.checks) {
        expect(c.checked).not.toMatch(/_/); // words, not the doctor's check names
        expect(c.checked.toLowerCase()).not.toBe(c.name);
        expect(c.advice === null).toBe(c.ok);
      }
      expect(successfulWrites(sim)).toEqual([]);

      // Saved with the dialect found, the connection counts as checked until its keys change.
      await call('settings:set-connection', { connection: { ...keysOf(sim), dialect: result.dialect! } });
      const view = await call('settings:get', {});
      expect(view.connection!.dialect).toBe(dialect);
      expect(view.connectionCheck).toMatchObject({ dialect, passed: result.checks.every((c) => c.ok) });
    } finally {
      await sim.close();
    }
  }, 60_000);
});

describe('checking a server that breaks an assumption', () => {
  it('says which check failed and what to do, and the saved connection keeps the notice until a check passes', async () => {
    const sim = await startSimulator({ clients: 30, seed: 6, timestampFormat: 'iso' });
    try {
      await call('settings:set-connection', { connection: { ...keysOf(sim), dialect: '2025' } });
      expect((await call('settings:get', {})).connectionCheck).toBeNull(); // never checked: the Sync page says so

      const result = await call('settings:check-connection', {}); // the saved connection
      const timestamps = result.checks.find((c) => c.name === 'timestamps')!;
      expect(timestamps).toMatchObject({ ok: false, checked: 'Dates and times are written the way Caseworker expects' });
      expect(timestamps.advice).toMatch(/Caseworker team/);
      // Checking the saved connection saves the dialect it found with it.
      expect(result).toMatchObject({ dialect: '2019', dialectSaved: true });
      const view = await call('settings:get', {});
      expect(view.connection!.dialect).toBe('2019');
      expect(view.connectionCheck).toMatchObject({ passed: false });
      expect(view.connectionCheck!.failed).toContain('Dates and times are written the way Caseworker expects');
      expect(successfulWrites(sim)).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
