// The data engine on its own threads (main/threads/), through the real dispatcher, a real encrypted
// replica and the simulator over loopback: reads answer from the reader and edits from the editor
// while the core works; a kill of the editor costs nothing but the edit in hand; a
// kill of the core worker in the middle of a push and of a sync is told to the screens
// (`core:status` restarting, then running), the worker comes back on the same replica, and nothing
// recorded is lost or reaches the server twice (an entry mid-send is reconciled, not resent).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { openReplicaWithKey } from '../../main/db/open.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { startThreadedCore, type ThreadedCore } from '../../main/threads/core-host.js';
import type { Channel, ChannelArgs } from '../../shared/ipc/contract.js';
import type { EventName } from '../../shared/ipc/events.js';
import { dispatchFailure, dispatchOk } from '../support/dispatch-calls.js';
import { serverCount } from '../support/outbox-support.js';
import { expectedCaseload, replicaIds } from '../support/sync-support.js';

const KEY = 'c7'.repeat(32);

let dir: string;
let sim: RunningSimulator;
let core: ThreadedCore;
let dispatcher: Dispatcher;
const seen: Array<{ name: EventName; payload: unknown }> = [];

const call = <C extends Channel>(channel: C, input: ChannelArgs<C>) => dispatchOk(dispatcher, channel, input);
const failure = <C extends Channel>(channel: C, input: ChannelArgs<C>) => dispatchFailure(dispatcher, channel, input);

async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function coreStates(from: number): string[] {
  return seen
    .slice(from)
    .filter((e) => e.name === 'core:status')
    .map((e) => (e.payload as { state: string }).state);
}

async function unsettled() {
  return (await call('outbox:list', { states: ['pending', 'sending', 'in_doubt', 'failed', 'conflict'] })).entries;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-threads-'));
  sim = await startSimulator({ clients: 400, seed: 13 });
  core = await startThreadedCore({
    dataDir: dir,
    keyProvider: new StaticKeyProvider(KEY),
    pushAfterEditMs: null, // edits travel with the syncs the test asks for
    retry: { attempts: 2, baseMs: 5, maxMs: 20 },
    pushTimings: { baseMs: 5, maxMs: 200, waitLimitMs: 50, settleMs: 10, requestTimeoutMs: 10_000 },
  });
  core.events.subscribe((name, payload) => seen.push({ name, payload }));
  dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  await core.start();
  const login = sim.users[0]!;
  await call('settings:set-connection', { connection: { baseUrl: sim.url, source: login.source, org: login.org, user: login.user, dialect: '2019' } });
  await call('settings:set-me', { user: login.id, worker: login.worker });
  await call('sync:run', {});
});

afterAll(async () => {
  await core?.stop();
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the data engine on its own threads', () => {
  it('answers the contract as before: reads from the reader, writes and syncs in the core', async () => {
    const page = await call('caseload:list', { offset: 0, limit: 5 });
    expect(page.total).toBeGreaterThan(0);
    const first = page.rows[0]!.client.id;
    await call('clients:update', { id: first, fields: { first_name: 'Readback' } });
    // The reader sees the core's committed write at once (a separate WAL connection, no cache of its own).
    expect((await call('clients:get', { id: first })).client.first_name).toBe('Readback');
    expect((await call('sync:status', {})).pending).toBe(1);
    expect((await failure('clients:get', { id: 987_654_321 })).code).toBe('NOT_FOUND');
    await call('sync:run', {});
    expect(await unsettled()).toEqual([]);
  });

  it('a kill in the middle of a push: the screens are told, the engine returns, the client reaches the server once', async () => {
    const from = seen.length;
    const created = await call('clients:create', { first_name: 'Mid', surname: 'Pushkill', postcode: 'LS6 2QZ' });
    expect(created.id).toBeLessThan(0);
    // The server commits the create, then sends its reply slowly: the worker dies with the entry mid-send.
    // (The postcode lets the reconciler tell this client from a namesake: a name alone would leave it in doubt, for the person.)
    sim.setFaults('trickle=#1@PUT,trickle-bps=16');
    const run = failure('sync:run', {});
    await until('the server to have the client', () => serverCount(sim, 'SELECT count(*) FROM clients WHERE surname = ?', 'Pushkill') === 1);
    expect((await unsettled()).map((e) => e.state)).toEqual(['sending']);
    await core.kill('core');

    const lost = await run;
    expect(lost.code).toBe('INTERNAL');
    expect(lost.message).toMatch(/restarting/);
    await until('the engine to be back', () => coreStates(from).includes('running'));
    expect(coreStates(from)).toEqual(['restarting', 'running']);
    expect(core.state()).toMatchObject({ state: 'running', restarts: 1 });

    sim.setFaults('');
    await call('sync:run', {});
    expect(serverCount(sim, 'SELECT count(*) FROM clients WHERE surname = ?', 'Pushkill')).toBe(1);
    expect(await unsettled()).toEqual([]);
    const page = await call('caseload:list', { offset: 0, limit: 5, search: 'Pushkill' });
    expect(page.rows.map((r) => r.client.id).every((id) => id > 0)).toBe(true);
  });

  it('a kill in the middle of a sync: an edit and a draft made during it survive, are sent once, and the replica catches up', async () => {
    const from = seen.length;
    const target = (await call('caseload:list', { offset: 0, limit: 1 })).rows[0]!.client.id;
    sim.setFaults('latency=1@GET,latency-ms=60');
    const run = failure('sync:run', { full: true });
    await until('the download to start', () => seen.slice(from).some((e) => e.name === 'sync:progress' && (e.payload as { phase: string }).phase === 'downloading'));
    // A person's writes while the sync writes: quick, and committed on their own (not inside the ingest's transaction).
    await call('clients:update', { id: target, fields: { surname: 'Midsync' } });
    await call('drafts:save', { key: 'client-form:-1', draft: { first_name: 'Half-typed' } });
    await core.kill('core');

    expect((await run).code).toBe('INTERNAL');
    await until('the engine to be back', () => coreStates(from).includes('running'));
    expect(coreStates(from)).toEqual(['restarting', 'running']);
    expect((await call('clients:get', { id: target })).client.surname).toBe('Midsync');
    expect((await call('drafts:get', { key: 'client-form:-1' })).draft).toEqual({ first_name: 'Half-typed' });
    expect((await unsettled()).map((e) => e.state)).toEqual(['pending']);

    sim.setFaults('');
    const updatesBefore = sim.requestLog.filter((r) => r.method === 'POST' && r.path.includes(`clients/id/${target}`)).length;
    await call('sync:run', { full: true });
    expect(await unsettled()).toEqual([]);
    expect(serverCount(sim, 'SELECT count(*) FROM clients WHERE id = ? AND surname = ?', target, 'Midsync')).toBe(1);
    expect(sim.requestLog.filter((r) => r.method === 'POST' && r.path.includes(`clients/id/${target}`)).length).toBe(updatesBefore + 1);

    // The client the push test created from this device stays in the caseload.
    const createdHere = sim.store.db.prepare('SELECT id FROM clients WHERE surname = ?').pluck().all('Pushkill') as number[];
    const expected = await expectedCaseload(sim, sim.users[0]!, 12, createdHere);
    const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: KEY, migrate: false });
    try {
      expect(replicaIds(replica, 'clients').filter((id) => id > 0)).toEqual(expected.clients);
    } finally {
      replica.close();
    }
  });

  it('a kill of the editor: the next edit goes to a new editor, and edits made during a sync are kept and sent once', async () => {
    const from = seen.length;
    const [first, second] = (await call('caseload:list', { offset: 0, limit: 2 })).rows.map((r) => r.client.id);
    await core.kill('editor');
    await call('clients:update', { id: first!, fields: { mobile: '07700 900111' } });
    expect((await call('clients:get', { id: first! })).client.mobile).toBe('07700 900111');
    // The screens hear of it at once, and the status counts it (the editor's counts, not the core's).
    expect(seen.slice(from).some((e) => e.name === 'data:changed' && (e.payload as { tables: string[] }).tables.includes('clients'))).toBe(true);
    expect((await call('sync:status', {})).pending).toBe(1);
    expect(core.state().state).toBe('running'); // an editor's end is not the engine's

    // An edit while a sync writes: committed on the editor's connection, never overwritten by the download.
    sim.store.bump('clients', second!, { telephone: '01632 960999' }); // the download brings a newer copy of the same client
    sim.setFaults('latency=1@GET,latency-ms=40');
    const run = call('sync:run', { full: true });
    await until('the download to start', () => seen.slice(from).some((e) => e.name === 'sync:progress' && (e.payload as { phase: string }).phase === 'downloading'));
    await call('clients:update', { id: second!, fields: { surname: 'Localside' } });
    sim.setFaults('');
    await run;
    expect((await call('clients:get', { id: second! })).client.surname).toBe('Localside');
    expect((await unsettled()).length).toBe(1); // made after the run's push: it goes with the next
    await call('sync:run', {});
    expect(await unsettled()).toEqual([]);
    expect(serverCount(sim, 'SELECT count(*) FROM clients WHERE id = ? AND surname = ?', second, 'Localside')).toBe(1);
    expect(serverCount(sim, 'SELECT count(*) FROM clients WHERE id = ? AND mobile = ?', first, '07700 900111')).toBe(1);
    await call('sync:run', {});
    expect((await call('clients:get', { id: second! })).client).toMatchObject({ surname: 'Localside', telephone: '01632 960999' });
  });

  it('a kill of the reader is invisible: the read is asked again of a new reader', async () => {
    const before = await call('caseload:list', { offset: 0, limit: 3 });
    const kill = core.kill('reader');
    const during = call('caseload:list', { offset: 0, limit: 3 });
    await kill;
    expect((await during).rows).toEqual(before.rows);
    expect((await call('caseload:list', { offset: 0, limit: 3 })).rows).toEqual(before.rows);
  });
});
