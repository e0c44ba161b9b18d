// "Record a contact" (Charitylog's Extra Info) lands exactly once as a whole in both dialects — one
// request in 2025, a plan-then-complete chain in 2019 — even when a reply is lost at either step;
// and outbox entries are dialect-neutral: queued under one dialect, they replay correctly after the
// admin switches the connection to the other, or fail visibly naming a field the new one cannot send.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient } from '../../main/api/client.js';
import { getEntry, listEntries } from '../../main/outbox/entries.js';
import { queueEdit } from '../../main/outbox/queue.js';
import { pushOutbox } from '../../main/outbox/replay.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { tempDir } from '../support/db-fixtures.js';
import { DIALECT_MATRIX, FAST, openWorld, queue, referralFields, serverRow, type World } from '../support/outbox-support.js';

function contactFields(w: World, description: string, day = '2026-11-03'): Record<string, string | number | null> {
  const stage = referralFields(w, w.referral.client, '').stage;
  return { user: w.me.id, stage: stage ?? null, start_date: `${day} 09:00:00`, end_date: `${day} 09:25:00`, description, contact_type: null };
}

describe.each(DIALECT_MATRIX)('record a contact, in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  let world: World | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 40, seed: 17, dialect });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(async () => {
    sim.setFaults('');
    await world?.close();
    world = undefined;
  });

  const record = (w: World, referralId: number, description: string) => {
    const fields = contactFields(w, description);
    delete (fields as Record<string, unknown>).contact_type;
    return queueEdit(w.replica, { operation: 'record-contact', target: { referralId }, fields }, { dialect });
  };

  it('shows at once as a done contact, and reaches the server as one done contact with every field', async () => {
    const w = (world = await openWorld({ sim }));
    const from = sim.requestLog.length;
    const queued = record(w, w.referral.id, `extra info once ${dialect}`);
    expect(queued.temp_id).toBeLessThan(0);
    expect(w.replica.sqlite.prepare('SELECT state, referral FROM contacts WHERE id = ?').get(queued.temp_id)).toEqual({ state: 'done', referral: w.referral.id });
    expect(await pushOutbox(w.replica, w.client, { timings: FAST })).toMatchObject({ confirmed: 1, failed: 0, in_doubt: 0 });
    const server = serverRow(sim, 'SELECT id, done, referral, user, start_date, end_date FROM contacts WHERE description = ?', `extra info once ${dialect}`)!;
    expect(server).toMatchObject({ done: 1, referral: w.referral.id, user: w.me.id, start_date: '2026-11-03 09:00:00', end_date: '2026-11-03 09:25:00' });
    const writes = sim.requestLog
      .slice(from)
      .filter((e) => e.method !== 'GET')
      .map((e) => `${e.method} ${e.path}`);
    expect(writes).toEqual(dialect === '2019' ? [`PUT due_contacts/referral/${w.referral.id}`, `POST done_contacts/id/${server.id}`] : [`POST done_contacts/referral/${w.referral.id}`]);
    expect(w.replica.sqlite.prepare('SELECT state FROM contacts WHERE id = ?').pluck().get(server.id)).toBe('done');
    expect(getEntry(w.replica.sqlite, queued.entry)).toMatchObject({ state: 'confirmed', server_id: server.id });
  });

  it('on a referral created offline, after it lands', async () => {
    const w = (world = await openWorld({ sim }));
    const referral = queue(w, { method: 'PUT', path: 'referrals', fields: referralFields(w, w.referral.client, `new referral ${dialect}`) });
    record(w, referral.temp_id!, `extra info on new ${dialect}`);
    expect(await pushOutbox(w.replica, w.client, { timings: FAST })).toMatchObject({ confirmed: 2, failed: 0 });
    const serverReferral = serverRow(sim, 'SELECT id FROM referrals WHERE description = ?', `new referral ${dialect}`)!.id;
    expect(serverRow(sim, 'SELECT referral, done FROM contacts WHERE description = ?', `extra info on new ${dialect}`)).toEqual({ referral: serverReferral, done: 1 });
  });

  const lostAt =
    dialect === '2019'
      ? [
          ['the plan (first step)', 'reset-after=#1@PUT:due_contacts'],
          ['the completion (second step)', 'reset-after=#1@POST:done_contacts'],
        ]
      : [['the one request', 'reset-after=#1@POST:done_contacts']];
  it.each(lostAt)('a reply lost at %s: looked for, then finished, never doubled', async (_step, spec) => {
    const w = (world = await openWorld({ sim }));
    sim.setFaults(spec!);
    const description = `extra info lost ${dialect} ${_step}`;
    record(w, w.referral.id, description);
    const summary = await pushOutbox(w.replica, w.client, { timings: FAST });
    expect(summary).toMatchObject({ confirmed: 1, failed: 0, in_doubt: 0 });
    expect(summary.reconciled).toBeGreaterThanOrEqual(dialect === '2019' && _step!.startsWith('the plan') ? 0 : 1);
    expect(sim.store.db.prepare('SELECT count(*) AS n, sum(done) AS done FROM contacts WHERE description = ?').get(description)).toEqual({ n: 1, done: 1 });
  });
});

describe('an admin switches the dialect after edits were queued', () => {
  let dir: string;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The same charity's server, stopped and started again speaking `dialect` (its data kept). */
  async function restartAs(sim: RunningSimulator, dialect: '2019' | '2025'): Promise<RunningSimulator> {
    await sim.close();
    return startSimulator({ dataDir: dir, dialect });
  }

  it("2019 → 2025: every entry queued in the seed's words is sent in the current manual's, once; a half-done 2019 chain finishes as a 2025 completion", async () => {
    dir = tempDir('dialect-switch-');
    let sim = await startSimulator({ clients: 40, seed: 19, dialect: '2019', dataDir: dir });
    const w = await openWorld({ sim });
    try {
      const client = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Switch', surname: 'Overnight', dob: '1970-03-03' } });
      queue(w, { method: 'POST', path: `clients/id/${client.temp_id}`, fields: { telephone: '01632 960777' } });
      const other = w.replica.sqlite.prepare('SELECT id FROM clients WHERE id > 0 AND id <> ? ORDER BY id').pluck().get(w.referral.client) as number;
      queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { id_second: other, relationship_first_to_second: 2801, relationship_second_to_first: 2803 } });
      queue(w, { method: 'POST', path: `due_contacts/id/${w.dueContacts[0]}`, fields: { description: 'moved by phone (switch)' } });
      const chain = queueEdit(w.replica, { operation: 'record-contact', target: { referralId: w.referral.id }, fields: contactFields(w, 'extra info across the switch') }, { dialect: '2019' });
      // Only the plan step lands under 2019: its completion is held back (Retry-After beyond this push).
      sim.setFaults('503=#1@POST:done_contacts');
      await pushOutbox(w.replica, w.client, { timings: { ...FAST, baseMs: 60_000, maxMs: 60_000, waitLimitMs: 50 }, concurrency: 1, random: () => 1 });
      const planned = getEntry(w.replica.sqlite, chain.entry)!;
      expect(planned, JSON.stringify(planned)).toMatchObject({ state: 'pending' });
      expect(planned.server_id).toBeGreaterThan(0);
      expect(serverRow(sim, 'SELECT done FROM contacts WHERE id = ?', planned.server_id)).toEqual({ done: 0 });
      // Everything else is held back too: queue more in the seed's words, then the server is upgraded.
      queue(w, { method: 'POST', path: `referrals/id/${w.referral.id}`, fields: { description: 'after the switch' } });
      w.replica.sqlite.prepare('UPDATE outbox_entries SET next_attempt_at = 0').run();

      sim = await restartAs(sim, '2025');
      const login = sim.users[0]!;
      const current = createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: login.user, dialect: '2025' });
      const from = sim.requestLog.length;
      try {
        expect(await pushOutbox(w.replica, current, { timings: FAST, concurrency: 1 })).toMatchObject({ failed: 0, in_doubt: 0, pending: 0 });
      } finally {
        await current.close();
      }
      const writes = sim.requestLog.slice(from).filter((e) => e.method !== 'GET');
      expect(
        writes.every((e) => e.status === 200),
        JSON.stringify(writes),
      ).toBe(true);
      expect(writes.map((e) => `${e.method} ${e.path.replace(/\d+/g, 'N')}`)).toEqual(expect.arrayContaining(['POST done_contacts/N', 'PUT referrals/N']));
      expect(sim.store.db.prepare('SELECT done FROM contacts WHERE description = ?').all('extra info across the switch')).toEqual([{ done: 1 }]);
      expect(sim.store.db.prepare("SELECT referral_complete FROM referrals WHERE description = 'after the switch'").all()).toHaveLength(1);
      expect(listEntries(w.replica.sqlite)).toEqual([]);
    } finally {
      await w.close();
      await sim.close();
    }
  });

  it("2025 → 2019: a relationship's major and an external referral without description fail visibly, naming the field; the rest lands", async () => {
    dir = tempDir('dialect-switch-');
    let sim = await startSimulator({ clients: 40, seed: 19, dialect: '2025', dataDir: dir });
    const w = await openWorld({ sim });
    try {
      const other = w.replica.sqlite.prepare('SELECT id FROM clients WHERE id > 0 AND id <> ? ORDER BY id').pluck().get(w.referral.client) as number;
      const relationship = queueEdit(
        w.replica,
        { method: 'PUT', path: `relationship_details/${w.referral.client}/${other}`, fields: { relation_first_to_second: 2801, relation_second_to_first: 2803, major: 'Y' } },
        { dialect: '2025' },
      );
      const orgType = w.replica.sqlite.prepare(`SELECT id FROM dictionaries WHERE table_ref = 'organisations/type' ORDER BY id`).pluck().get() as number;
      const external = queueEdit(w.replica, { method: 'PUT', path: 'external_referral', fields: { org_type_id: orgType, first_name: 'No', surname: 'Description' } }, { dialect: '2025' });
      const third = w.replica.sqlite.prepare('SELECT id FROM clients WHERE id > 0 AND id NOT IN (?, ?) ORDER BY id').pluck().get(w.referral.client, other) as number;
      const update = queueEdit(w.replica, { method: 'PUT', path: `clients/${third}`, fields: { mobile: '07700 900777' } }, { dialect: '2025' });
      // The same edits are refused at queue time by a 2019 connection, naming the field.
      expect(() =>
        queueEdit(
          w.replica,
          { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { id_second: other, relationship_first_to_second: 2801, relationship_second_to_first: 2803, major: 'Y' } },
          { dialect: '2019' },
        ),
      ).toThrow(/^major: cannot be sent .* 2019 dialect/);

      sim = await restartAs(sim, '2019');
      const login = sim.users[0]!;
      const seed = createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: login.user, dialect: '2019' });
      try {
        const s2 = await pushOutbox(w.replica, seed, { timings: FAST });
        expect(s2, JSON.stringify(s2)).toMatchObject({ confirmed: 1, failed: 2 });
      } finally {
        await seed.close();
      }
      expect(getEntry(w.replica.sqlite, relationship.entry)).toMatchObject({ state: 'failed', error_code: 'rejected' });
      expect(getEntry(w.replica.sqlite, relationship.entry)!.error).toMatch(/2019 dialect.*major cannot be sent/);
      expect(getEntry(w.replica.sqlite, relationship.entry)!.fields).toMatchObject({ major: 'Y' }); // kept, never dropped
      expect(getEntry(w.replica.sqlite, external.entry)!.error).toMatch(/description is mandatory .* 2019 dialect/);
      expect(getEntry(w.replica.sqlite, update.entry)!.state).toBe('confirmed');
      expect(sim.store.db.prepare('SELECT count(*) FROM relationships WHERE first = ? AND second = ?').pluck().get(w.referral.client, other)).toBe(0);
    } finally {
      await w.close();
      await sim.close();
    }
  });
});
