// The app core as the renderer meets it: every call goes through the real dispatcher (inputs and
// outputs checked against the contract), on a real encrypted replica, against the demo's simulator
// running in-process on loopback. A field worker's day: the demo signs them in and syncs; the
// caseload and My actions show their work; a completion applies at once and reaches the server once;
// a client, referral and action made while the server refuses everything land later, linked.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionGroup } from '../../main/app/actions.js';
import type { AppCore } from '../../main/app/core.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import type { EventName } from '../../shared/ipc/events.js';
import { expectedCaseload, serverRows } from '../support/sync-support.js';
import { startDemoCore, type DemoCore } from '../support/demo-core.js';

const KEY = 'a3'.repeat(32); // a raw 256-bit key: no key derivation, fast opens

let demo: DemoCore;
let dir: string;
let core: AppCore;
let sim: RunningSimulator;
const seen: Array<{ name: EventName; payload: unknown }> = [];

const call: DemoCore['call'] = (channel, input) => demo.call(channel, input);
const failure: DemoCore['failure'] = (channel, input) => demo.failure(channel, input);

async function allCaseloadIds(): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += 50) {
    const page = await call('caseload:list', { offset, limit: 50 });
    ids.push(...page.rows.map((r) => r.client.id));
    if (offset + 50 >= page.total) return ids.sort((a, b) => a - b);
  }
}

function simContacts(where: string, ...params: unknown[]): Array<Record<string, unknown>> {
  return sim.store.db.prepare(`SELECT * FROM contacts WHERE ${where}`).all(...params) as Array<Record<string, unknown>>;
}

beforeAll(async () => {
  demo = await startDemoCore('app-core', {
    key: KEY,
    demoOptions: { clients: 300 },
    pushTimings: { baseMs: 5, maxMs: 2_000, waitLimitMs: 50, settleMs: 10 }, // a backoff past 50 ms ends a push
    beforeStart: (made) => made.events.subscribe((name, payload) => seen.push({ name, payload })),
  });
  ({ dir, core, sim } = demo);
});

afterAll(async () => {
  await demo?.stop();
});

describe('the demo', () => {
  it('signs in as the first demo field worker, shows the DEMO flag, and never shows a key', async () => {
    const view = await call('settings:get', {});
    const worker = sim.users.find((u) => u.worker !== null)!;
    expect(view.demo).toBe(true);
    expect(view.me).toEqual({ user: worker.id, worker: worker.worker, name: worker.name });
    expect(view.encryption.replicaEncrypted).toBe(true);
    const text = JSON.stringify(view);
    for (const user of sim.users) for (const key of [user.org, user.user]) expect(text).not.toContain(key);
    expect(fs.existsSync(path.join(dir, 'demo-sim', 'sim.db'))).toBe(true);
  });

  it("lists the worker's caseload: the clients the server gives them, searchable and filterable", async () => {
    const worker = sim.users.find((u) => u.worker !== null)!;
    const expected = await expectedCaseload(sim, worker);
    expect(expected.clients.length).toBeGreaterThan(5);
    expect(await allCaseloadIds()).toEqual(expected.clients);

    const first = (await call('caseload:list', { limit: 1 })).rows[0]!;
    const found = await call('caseload:list', { search: first.client.surname! });
    expect(found.rows.map((r) => r.client.id)).toContain(first.client.id);

    const mine = await call('caseload:list', { filters: { usual_support_worker: [worker.worker!] }, limit: 1000 });
    expect(mine.total).toBeGreaterThan(0);
    expect(mine.total).toBeLessThanOrEqual(expected.clients.length);
    for (const row of mine.rows) expect(core.replica().sqlite.prepare('SELECT usual_support_worker FROM clients WHERE id = ?').pluck().get(row.client.id)).toBe(worker.worker);

    const soonest = await call('caseload:list', { sort: 'next_action', limit: 1000 });
    const dates = soonest.rows.map((r) => r.next_action).filter((d): d is string => d !== null);
    expect(dates).toEqual([...dates].sort());
  });

  it('groups My actions into overdue, today and upcoming (UK time), soonest first', async () => {
    const { actions } = await call('actions:list', {});
    const worker = sim.users.find((u) => u.worker !== null)!;
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) expect(a.contact.user).toBe(worker.id);
    const starts = actions.map((a) => a.contact.start_date!);
    expect(starts).toEqual([...starts].sort());
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    const { actions: todays } = await call('actions:list', { from: today, to: today });
    expect(todays.map((a) => a.contact.id)).toEqual(actions.filter((a) => actionGroup(a.contact.start_date) === 'today').map((a) => a.contact.id));
    const overdue = actions.filter((a) => actionGroup(a.contact.start_date) === 'overdue');
    for (const a of overdue) expect(a.contact.start_date!.slice(0, 10) < today).toBe(true);
  });
});

describe('completing an action', () => {
  it('applies at once, is pending until the sync, and reaches the server exactly once', async () => {
    const { actions } = await call('actions:list', {});
    const action = actions.find((a) => a.referral !== null)!;
    const stages = (await call('dictionaries:get', { table: 'referrals/stage' })).entries.filter((s) => s.template === action.referral!.template);
    const from = seen.length;

    const done = await call('contacts:complete', {
      id: action.contact.id,
      user: action.contact.user!,
      stage: stages[0]!.id,
      start_date: action.contact.start_date!,
      end_date: action.contact.end_date!,
      description: 'Visited; all well. Next visit in two weeks.',
      travel_time: 20,
    });
    expect(done).toMatchObject({ id: action.contact.id, nextAction: null });

    expect((await call('actions:list', {})).actions.map((a) => a.contact.id)).not.toContain(action.contact.id);
    expect((await call('sync:status', {})).pending).toBe(1);
    const { entries } = await call('outbox:list', {});
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ state: 'pending', method: 'POST', path: `done_contacts/id/${action.contact.id}` });
    expect(entries[0]!.summary).toMatch(/^Complete action/);
    const record = await call('clients:get', { id: action.client!.id });
    expect(record.pending).toContainEqual(expect.objectContaining({ group: 'done_contacts', record: action.contact.id, field: null }));
    const events = seen.slice(from);
    expect(events).toContainEqual({ name: 'outbox:changed', payload: { pending: 1, needsAttention: 0 } });
    expect(events.some((e) => e.name === 'data:changed' && (e.payload as { tables: string[] }).tables.includes('contacts'))).toBe(true);
    expect(events.some((e) => e.name === 'sync:status' && (e.payload as { pending: number }).pending === 1)).toBe(true);
    expect(simContacts('id = ?', action.contact.id)[0]).toMatchObject({ done: 0 });

    const summary = await call('sync:run', {});
    expect(summary).toMatchObject({ sent: 1, needsAttention: 0, cancelled: false });
    const onServer = simContacts('referral = ? AND start_date = ? AND done = 1', action.contact.referral, action.contact.start_date);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]).toMatchObject({ id: action.contact.id, description: 'Visited; all well. Next visit in two weeks.', travel_time: 20 });
    const status = await call('sync:status', {});
    expect(status).toMatchObject({ pending: 0, connected: true, uploading: false, downloading: false, downloadError: null });
    expect(status.lastSyncedAt).not.toBeNull();
    expect((await call('outbox:list', {})).entries).toEqual([]);
    expect(seen.slice(from).some((e) => e.name === 'sync:progress')).toBe(true);
  });

  it('names the field at fault and writes nothing when the form is wrong', async () => {
    const { actions } = await call('actions:list', {});
    const action = actions[0]!;
    const error = await failure('contacts:complete', {
      id: action.contact.id,
      user: action.contact.user!,
      stage: 999_999,
      start_date: action.contact.start_date!,
      end_date: action.contact.end_date!,
      description: 'x',
    });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/^stage: /);
    expect(error.issues).toContainEqual(expect.objectContaining({ path: 'stage' }));
    expect((await call('sync:status', {})).pending).toBe(0);
  });
});

describe('recording a contact with no action planned first', () => {
  it('shows it on the referral at once and lands on the server as one completed contact, exactly once', async () => {
    const { actions } = await call('actions:list', {});
    const referral = actions.find((a) => a.referral !== null)!.referral!;
    const stages = (await call('dictionaries:get', { table: 'referrals/stage' })).entries.filter((s) => s.template === referral.template);
    const me = (await call('settings:get', {})).me!.user;
    const before = simContacts('referral = ?', referral.id).length;

    const recorded = await call('contacts:record', {
      referral: referral.id,
      user: me,
      stage: stages[0]!.id,
      start_date: '2026-11-30 14:00:00',
      end_date: '2026-11-30 14:30:00',
      description: 'Popped in unplanned: boiler fixed (record-a-contact).',
      travel_mileage: 3,
    });
    expect(recorded.id).toBeLessThan(0); // made on this device, no server id yet
    expect(recorded.nextAction).toBeNull();
    const onDevice = await call('referrals:get', { id: referral.id });
    expect(onDevice.done_contacts.map((c) => c.description)).toContain('Popped in unplanned: boiler fixed (record-a-contact).');
    expect((await call('sync:status', {})).pending).toBeGreaterThan(0);

    const summary = await call('sync:run', {});
    expect(summary).toMatchObject({ needsAttention: 0, cancelled: false });
    expect((await call('sync:status', {})).pending).toBe(0);
    const onServer = simContacts('referral = ? AND description = ?', referral.id, 'Popped in unplanned: boiler fixed (record-a-contact).');
    expect(onServer).toHaveLength(1);
    expect(onServer[0]).toMatchObject({ done: 1, start_date: '2026-11-30 14:00:00', travel_mileage: 3, stage: stages[0]!.id });
    expect(simContacts('referral = ?', referral.id)).toHaveLength(before + 1);
    const synced = await call('referrals:get', { id: referral.id });
    expect(synced.done_contacts.filter((c) => c.description === 'Popped in unplanned: boiler fixed (record-a-contact).').map((c) => c.id)).toEqual([onServer[0]!['id']]);
  });
});

describe('working while the server refuses everything', () => {
  it('creates a client, a referral for them and an action on it offline; they land later, linked', async () => {
    const dictionary = async (table: string) => (await call('dictionaries:get', { table })).entries;
    const projects = await dictionary('referrals/project');
    const project = projects[0]!;
    const template = Number(project.template);
    const stage = (await dictionary('referrals/stage')).find((s) => s.template === template)!;
    const me = (await call('settings:get', {})).me!;
    sim.setFaults('503=1');

    const client = await call('clients:create', { first_name: 'Olwen', surname: 'Pritchard-Offline', postcode: 'LS6 1AA' });
    expect(client.id).toBeLessThan(0);
    const referral = await call('referrals:create', {
      client: client.id,
      client_type: 1,
      date: '2026-11-20',
      project: project.id,
      template,
      stage: stage.id,
      description: 'Referred by her GP for befriending',
    });
    expect(referral.id).toBeLessThan(0);
    const due = await call('contacts:create-due', {
      referral: referral.id,
      user: me.user,
      start_date: '2026-12-01 10:00:00',
      end_date: '2026-12-01 11:00:00',
      description: 'First visit',
    });
    expect(due.id).toBeLessThan(0);

    const listed = await call('caseload:list', { search: 'Pritchard-Offline' });
    expect(listed.rows[0]).toMatchObject({ client: { id: client.id }, pending: 3, next_action: '2026-12-01 10:00:00' });
    const record = await call('clients:get', { id: client.id });
    expect(record.referrals.map((r) => r.id)).toEqual([referral.id]);
    expect(record.due_contacts.map((c) => c.id)).toEqual([due.id]);
    expect(
      record.pending
        .filter((p) => p.field === null)
        .map((p) => p.group)
        .sort(),
    ).toEqual(['clients', 'due_contacts', 'referrals']);

    const refused = await failure('sync:run', {});
    expect(refused.code).toBe('OFFLINE');
    const status = await call('sync:status', {});
    expect(status).toMatchObject({ pending: 3, connected: false });
    expect(status.downloadError?.code).toBe('OFFLINE');
    expect(sim.store.db.prepare('SELECT count(*) FROM clients WHERE surname = ?').pluck().get('Pritchard-Offline')).toBe(0);

    sim.setFaults('');
    expect(await call('sync:run', {})).toMatchObject({ sent: 3, needsAttention: 0 });
    const server = sim.store.db.prepare('SELECT id FROM clients WHERE surname = ?').all('Pritchard-Offline') as Array<{ id: number }>;
    expect(server).toHaveLength(1);
    const serverClient = server[0]!.id;
    const serverReferrals = sim.store.db.prepare('SELECT id FROM referrals WHERE client = ?').all(serverClient) as Array<{ id: number }>;
    expect(serverReferrals).toHaveLength(1);
    expect(simContacts('referral = ? AND done = 0', serverReferrals[0]!.id)).toHaveLength(1);

    const after = await call('caseload:list', { search: 'Pritchard-Offline' });
    expect(after.rows[0]).toMatchObject({ client: { id: serverClient }, pending: 0 });
    expect((await call('sync:status', {})).pending).toBe(0);
    await expect(call('clients:get', { id: client.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('relationships', () => {
  it('adds one offline to a client made offline, shows it by name at once, and lands on the server linked', async () => {
    const [kind, reverse] = (await call('dictionaries:get', { table: 'relationships' })).entries;
    const someone = (await call('caseload:list', { limit: 1, sort: 'surname' })).rows[0]!.client;
    sim.setFaults('503=1');
    const newcomer = await call('clients:create', { first_name: 'Gwilym', surname: 'Relative-Offline' });
    await call('clients:update', {
      id: someone.id,
      relationship: { id_second: newcomer.id, relationship_first_to_second: kind!.id, relationship_second_to_first: reverse!.id },
    });
    const record = await call('clients:get', { id: someone.id });
    expect(record.relationships).toContainEqual(
      expect.objectContaining({
        id_second: newcomer.id,
        relationship_first_to_second: kind!.id,
        relationship_second_to_first: reverse!.id,
        other: expect.objectContaining({ first_name: 'Gwilym', surname: 'Relative-Offline' }),
      }),
    );

    sim.setFaults('');
    expect(await call('sync:run', {})).toMatchObject({ needsAttention: 0 });
    const serverId = sim.store.db.prepare('SELECT id FROM clients WHERE surname = ?').pluck().all('Relative-Offline') as number[];
    expect(serverId).toHaveLength(1);
    const links = sim.store.db.prepare('SELECT * FROM relationships WHERE (first = ? AND second = ?) OR (first = ? AND second = ?)').all(someone.id, serverId[0], serverId[0], someone.id);
    expect(links).toHaveLength(1);
    const synced = await call('clients:get', { id: someone.id });
    const link = synced.relationships.find((r) => r.id_second === serverId[0])!;
    expect(link).toMatchObject({ relationship_first_to_second: kind!.id, relationship_second_to_first: reverse!.id });
    // The new client stays on this device after the sync (the server shows a user the clients they created).
    expect(link.other).toMatchObject({ first_name: 'Gwilym', surname: 'Relative-Offline' });
    // Whoever is not on this device is named by the server, with this worker's visibility.
    const named = await call('clients:names', { ids: [serverId[0]!, 9_999_999] });
    expect(named.people).toContainEqual(expect.objectContaining({ id: serverId[0], surname: 'Relative-Offline' }));
    expect(named.notVisible).toEqual([9_999_999]);
  });
});

describe('files, reports, scope and the outbox by hand', () => {
  it('queues an attachment, lists it as not sent, then sends it with the sync', async () => {
    const me = (await call('settings:get', {})).me!;
    const client = (await call('caseload:list', { limit: 1 })).rows[0]!.client;
    const bytes = Buffer.from('%PDF-1.4 consent form');
    const { outboxId } = await call('contacts:attach', {
      group: 'clients',
      id: client.id,
      user_visibility: [me.user],
      group_visibility: [1],
      files: [{ filename: 'consent form.pdf', contentType: 'application/pdf', dataBase64: bytes.toString('base64') }],
    });
    expect((await call('outbox:list', {})).entries.map((e) => e.id)).toEqual([outboxId]);
    const before = (await call('clients:get', { id: client.id })).uploads;
    expect(before).toEqual([expect.objectContaining({ group: 'clients', record: client.id, filename: 'consent form.pdf', bytes: bytes.length, sent: false, user_visibility: [me.user] })]);

    await call('sync:run', {});
    expect((await call('clients:get', { id: client.id })).uploads[0]).toMatchObject({ sent: true });
    const stored = sim.store.db.prepare('SELECT filename, bytes FROM uploads WHERE grp = ? AND record = ?').all('clients', client.id);
    expect(stored).toEqual([{ filename: 'consent form.pdf', bytes: bytes.length }]);
  });

  it('discards an edit from the outbox and puts the record back as it was', async () => {
    const client = (await call('caseload:list', { limit: 1 })).rows[0]!.client;
    const before = (await call('clients:get', { id: client.id })).client.telephone;
    const { outboxId } = await call('clients:update', { id: client.id, fields: { telephone: '01632 960000' } });
    const record = await call('clients:get', { id: client.id });
    expect(record.client.telephone).toBe('01632 960000');
    expect(record.pending).toContainEqual(expect.objectContaining({ group: 'clients', record: client.id, field: 'telephone', state: 'pending' }));
    expect(await call('outbox:discard', { id: outboxId! })).toEqual({ id: outboxId });
    expect((await call('clients:get', { id: client.id })).client.telephone).toBe(before);
    expect((await call('sync:status', {})).pending).toBe(0);
    expect((await failure('outbox:retry', { id: outboxId! })).code).toBe('NOT_FOUND');
  });

  it('runs a report from the replica, exports it, and keeps a saved definition', async () => {
    const report = await call('reports:run', { path: 'clients/dimension/district' });
    expect(report.dimension).toBe('district');
    expect(report.rows.reduce((n, r) => n + r.count, 0)).toBe((await call('caseload:list', {})).total);
    const file = await call('reports:export', { path: 'clients/dimension/district', format: 'csv' });
    expect(file).toMatchObject({ filename: 'clients-by-district.csv', contentType: expect.stringMatching(/^text\/csv/) });
    expect(Buffer.from(file.dataBase64!, 'base64').toString('utf8').split('\n').length).toBeGreaterThan(2);
    expect((await failure('reports:export', { path: 'clients/dimension/district', format: 'csv', sums: true })).code).toBe('VALIDATION');
    const saved = await call('reports:save', { name: 'My districts', path: 'clients/dimension/district' });
    expect((await call('reports:saved-list', {})).reports).toContainEqual(saved);
    await call('reports:delete-saved', { id: saved.id });
    expect((await failure('reports:delete-saved', { id: saved.id })).code).toBe('NOT_FOUND');
  });

  it('previews a scope against the server and keeps it, one path per group', async () => {
    const district = (await call('dictionaries:get', { table: 'organisations/district' })).entries[0]!.id;
    const worker = sim.users.find((u) => u.worker !== null)!;
    const expected = (await serverRows(sim, worker, `clients/district/${district}/field/id`)).length;
    const { counts } = await call('settings:preview-scope', { scope: [`clients/district/${district}`] });
    expect(counts).toEqual([{ path: `clients/district/${district}`, count: expected }]);
    const twice = await failure('settings:set-scope', { scope: [`clients/district/${district}`, 'clients/gender/1'] });
    expect(twice.message).toMatch(/^line 2: .*one path per group/);
    expect((await call('settings:set-scope', { scope: [`clients/district/${district}`] })).scope).toEqual([`clients/district/${district}`]);
  });
});

describe('leaving the demo', () => {
  it('resets the demo to its starting data, then connects to a server with the keys masked', async () => {
    await call('clients:create', { first_name: 'Practice', surname: 'Only' });
    const reset = await call('settings:demo-reset', {});
    expect(reset.demo).toBe(true);
    expect((await call('outbox:list', {})).entries).toEqual([]);
    sim = core.demoServer()!;
    await call('sync:run', {});
    expect(sim.store.db.prepare('SELECT count(*) FROM clients WHERE surname = ?').pluck().get('Pritchard-Offline')).toBe(0);
    expect((await call('caseload:list', {})).total).toBeGreaterThan(5);

    // Another simulator stands in for the charity's real Charitylog server.
    const real = await startSimulator({ clients: 40, seed: 11 });
    try {
      const login = real.users.find((u) => u.worker !== null)!;
      const view = await call('settings:set-connection', { connection: { baseUrl: real.url, source: login.source, org: login.org, user: login.user, dialect: '2019' } });
      expect(view.demo).toBe(false);
      expect(view.connection!.keys.user).toBe(`••••${login.user.slice(-4)}`);
      const text = JSON.stringify(await call('settings:get', {}));
      expect(text).not.toContain(login.user);
      expect(text).not.toContain(login.org);
      expect(core.demoServer()).toBeNull();
      expect((await call('caseload:list', {})).total).toBe(0); // practice records are gone

      const tested = await call('settings:test-connection', {});
      expect(tested.workers.map((w) => w.user)).toContain(login.id);
      expect((await failure('sync:run', {})).message).toMatch(/who you are/);
      await call('settings:set-me', { user: login.id, worker: login.worker });
      await call('sync:run', {});
      expect(await allCaseloadIds()).toEqual((await expectedCaseload(real, login)).clients);
    } finally {
      await core.stop(); // before the server it talks to
      await real.close();
    }
  });
});
