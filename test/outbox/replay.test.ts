// The outbox against the simulator: edits made offline reach the server in order, exactly once,
// with temp ids replaced everywhere; a stuck or rejected entry holds back only its own chain; a
// lost reply is looked for before anything is resent; a colleague's change is never overwritten.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient } from '../../main/api/client.js';
import { discardEntry, markDone, resolveConflict, retryEntry, sendAgain } from '../../main/outbox/actions.js';
import { getEntry, listEntries } from '../../main/outbox/entries.js';
import { pendingRecordIds } from '../../main/outbox/pending.js';
import { pauseReason, pushOutbox } from '../../main/outbox/replay.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { DIALECT_MATRIX, FAST, dueFields, openWorld, queue, referralFields, serverCount, serverRow, wire, type World } from '../support/outbox-support.js';

// Every test runs in both dialects: the simulator and the connection speak `dialect`, the tests
// write their edits in the seed's words and `queue` says them in the dialect's (outbox-support.ts).
describe.each(DIALECT_MATRIX)('in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  let world: World;

  beforeAll(async () => {
    sim = await startSimulator({ clients: 60, seed: 11, dialect });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(async () => {
    sim.setFaults('');
    await world?.close();
  });
  /** The verb of a seed write in this dialect, for fault specs and the request log. */
  const verb = (method: string, path: string) => wire({ dialect, replica: world.replica }, method, path).method;

  async function fresh(): Promise<World> {
    world = await openWorld({ sim });
    logStart = sim.requestLog.length;
    return world;
  }

  const push = (w: World, extra: Parameters<typeof pushOutbox>[2] = {}) => pushOutbox(w.replica, w.client, { timings: FAST, ...extra });
  /** Requests the simulator logged since the test began. */
  let logStart = 0;
  const logged = () => sim.requestLog.slice(logStart);
  const local = (w: World, sql: string, ...params: unknown[]) => w.replica.sqlite.prepare(sql).get(...params) as Record<string, any> | undefined;

  describe('edits made offline reach the server in order', () => {
    it('a client, its referral, a due contact and its completion land with every temp id replaced by the server id', async () => {
      const w = await fresh();
      const client = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Orla', surname: 'Chainwright', dob: '1961-04-05', postcode: 'LS6 1AB' } });
      const referral = queue(w, { method: 'PUT', path: 'referrals', fields: referralFields(w, client.temp_id!, 'chain: new referral') });
      const due = queue(w, { method: 'PUT', path: `due_contacts/referral/${referral.temp_id}`, fields: dueFields(w, 'chain: first visit') });
      const stage = referralFields(w, client.temp_id!, '').stage!;
      const done = queue(w, { method: 'POST', path: `done_contacts/id/${due.temp_id}`, fields: { start_date: '2024-06-10 10:05:00', end_date: '2024-06-10 10:50:00', stage } });
      expect(client.temp_id).toBeLessThan(0);
      expect(done.temp_id).toBeNull();
      // The replica shows it all at once, marked pending.
      expect(local(w, 'SELECT surname FROM clients WHERE id = ?', client.temp_id)?.surname).toBe('Chainwright');
      expect(local(w, 'SELECT state FROM contacts WHERE id = ?', due.temp_id)?.state).toBe('done');
      expect(pendingRecordIds(w.replica, 'clients').has(client.temp_id!)).toBe(true);

      const summary = await push(w);
      expect(summary).toMatchObject({ confirmed: 4, failed: 0, in_doubt: 0, conflicts: 0, pending: 0 });

      const serverClient = serverRow(sim, `SELECT id FROM clients WHERE surname = 'Chainwright'`)!.id as number;
      const serverReferral = serverRow(sim, `SELECT id, client FROM referrals WHERE description = 'chain: new referral'`)!;
      const serverContact = serverRow(sim, `SELECT id, referral, done, end_date FROM contacts WHERE description = 'chain: first visit'`)!;
      expect(serverReferral.client).toBe(serverClient);
      expect(serverContact).toMatchObject({ referral: serverReferral.id, done: 1, end_date: '2024-06-10 10:50:00' });

      // Locally: the server's ids everywhere, raw JSON included; nothing negative left.
      expect(local(w, 'SELECT count(*) AS n FROM clients WHERE id < 0')!.n).toBe(0);
      expect(local(w, "SELECT client, json_extract(raw, '$.client') AS raw_client FROM referrals WHERE id = ?", serverReferral.id)).toEqual({ client: serverClient, raw_client: serverClient });
      expect(local(w, 'SELECT referral, state FROM contacts WHERE id = ?', serverContact.id)).toEqual({ referral: serverReferral.id, state: 'done' });
      // The entry shows what was sent, in the dialect's words.
      expect(getEntry(w.replica.sqlite, done.entry)!.path).toBe(dialect === '2019' ? `done_contacts/id/${serverContact.id}` : `done_contacts/${serverContact.id}`);
      expect(pendingRecordIds(w.replica, 'clients').size).toBe(0);
    });

    it('a queue whose head keeps failing still drains the other chains, and retries the head on schedule', async () => {
      const w = await fresh();
      sim.setFaults(`503=#3@${verb('PUT', 'clients')}:clients`);
      const head = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Hedda', surname: 'Stuckhead', dob: '1970-01-02' } });
      const child = queue(w, { method: 'PUT', path: 'referrals', fields: referralFields(w, head.temp_id!, 'behind a stuck head') });
      const other = queue(w, { method: 'POST', path: `referrals/id/${w.referral.id}`, fields: { description: 'an unrelated chain' } });
      const order: number[] = [];
      const summary = await push(w, { onChange: (e) => e.state === 'confirmed' && order.push(e.id) });
      expect(summary).toMatchObject({ confirmed: 3, pending: 0 });
      expect(order.indexOf(other.entry)).toBeLessThan(order.indexOf(head.entry));
      expect(order.indexOf(head.entry)).toBeLessThan(order.indexOf(child.entry));
      const creates = logged().filter((e) => e.method === verb('PUT', 'clients') && e.path === 'clients');
      expect(creates.map((e) => e.status)).toEqual([503, 503, 503, 200]);
      expect(serverCount(sim, `SELECT count(*) FROM clients WHERE surname = 'Stuckhead'`)).toBe(1);
    });

    it('honours Retry-After on a 429 before sending again', async () => {
      const w = await fresh();
      const update = verb('POST', `clients/id/${w.referral.client}`);
      sim.setFaults(`429=#1@${update},retry-after=1`);
      queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { telephone: '01632 960001' } });
      await push(w);
      const posts = logged().filter((e) => e.method === update);
      expect(posts.map((e) => e.status)).toEqual([429, 200]);
      expect(Date.parse(posts[1]!.at) - Date.parse(posts[0]!.at)).toBeGreaterThanOrEqual(1000);
    });
  });

  describe('a rejected edit', () => {
    it("stops in failed with the server's message, its dependants with it; edit + retry sends it and them", async () => {
      const w = await fresh();
      const notMine = w.replica.sqlite
        .prepare(`SELECT id FROM dictionaries WHERE table_ref = 'referrals/project' AND id NOT IN (${w.me.projects.join(',')}) ORDER BY id`)
        .pluck()
        .get() as number;
      const fields = { ...referralFields(w, w.referral.client, 'rejected then fixed'), project: notMine };
      const referral = queue(w, { method: 'PUT', path: 'referrals', fields });
      const due = queue(w, { method: 'PUT', path: `due_contacts/referral/${referral.temp_id}`, fields: dueFields(w, 'waits for the fixed referral') });
      const unrelated = queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { mobile: '07700 900123' } });
      const summary = await push(w);
      expect(summary).toMatchObject({ confirmed: 1, failed: 2 });
      const failed = getEntry(w.replica.sqlite, referral.entry)!;
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatch(/rejected/);
      expect(failed.error).toMatch(new RegExp(String(notMine)));
      expect(getEntry(w.replica.sqlite, due.entry)).toMatchObject({ state: 'failed', error_code: 'blocked', blocked_by: referral.entry });
      expect(getEntry(w.replica.sqlite, unrelated.entry)!.state).toBe('confirmed');
      expect(() => retryEntry(w.replica, due.entry)).toThrow(/waits for entry/);

      retryEntry(w.replica, referral.entry, { project: w.me.projects[0]! });
      expect(local(w, 'SELECT project FROM referrals WHERE id = ?', referral.temp_id)!.project).toBe(w.me.projects[0]);
      expect(await push(w)).toMatchObject({ confirmed: 2, failed: 0 });
      expect(serverCount(sim, `SELECT count(*) FROM referrals WHERE description = 'rejected then fixed' AND project = ?`, w.me.projects[0])).toBe(1);
      expect(serverCount(sim, `SELECT count(*) FROM contacts WHERE description = 'waits for the fixed referral'`)).toBe(1);
    });

    it('an edit refused by validation names the field and writes nothing', async () => {
      const w = await fresh();
      expect(() => queue(w, { method: 'PUT', path: 'referrals', fields: { ...referralFields(w, w.referral.client, 'bad stage'), stage: w.referral.foreignStage } })).toThrow(/stage: .*template/);
      expect(listEntries(w.replica.sqlite)).toEqual([]);
    });
  });

  describe('discard', () => {
    it('rolls an update back, and a discarded create takes the edits built on it along', async () => {
      const w = await fresh();
      const before = local(w, 'SELECT telephone, raw FROM clients WHERE id = ?', w.referral.client)!;
      const update = queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { telephone: '01632 960999' } });
      expect(local(w, 'SELECT telephone FROM clients WHERE id = ?', w.referral.client)!.telephone).toBe('01632 960999');
      expect(discardEntry(w.replica, update.entry)).toEqual([update.entry]);
      expect(local(w, 'SELECT telephone, raw FROM clients WHERE id = ?', w.referral.client)).toEqual(before);

      const client = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Dora', surname: 'Discarded' } });
      const referral = queue(w, { method: 'PUT', path: 'referrals', fields: referralFields(w, client.temp_id!, 'discarded with its client') });
      expect(discardEntry(w.replica, client.entry)).toEqual([client.entry, referral.entry]);
      expect(local(w, 'SELECT count(*) AS n FROM clients WHERE id < 0')!.n).toBe(0);
      expect(local(w, 'SELECT count(*) AS n FROM referrals WHERE id < 0')!.n).toBe(0);
      expect(() => queue(w, { method: 'PUT', path: 'referrals', fields: referralFields(w, client.temp_id!, 'x') })).toThrow(/client: .*discarded/);
      expect(await push(w)).toMatchObject({ sent: 0, pending: 0 });
    });

    it('rolls a completion back to a due contact', async () => {
      const w = await fresh();
      const id = w.dueContacts[0]!;
      const before = local(w, 'SELECT state, raw FROM contacts WHERE id = ?', id);
      const entry = queue(w, { method: 'POST', path: `done_contacts/id/${id}`, fields: { start_date: '2024-06-01 09:00:00', end_date: '2024-06-01 09:30:00' } });
      expect(local(w, 'SELECT state FROM contacts WHERE id = ?', id)!.state).toBe('done');
      discardEntry(w.replica, entry.entry);
      expect(local(w, 'SELECT state, raw FROM contacts WHERE id = ?', id)).toEqual(before);
    });
  });

  describe('conflicts', () => {
    it('a field changed on both sides waits for the user; fields only I changed go; resolve per field', async () => {
      const w = await fresh();
      const id = w.referral.client;
      sim.store.bump('clients', id, { address1: '1 Office Row' }); // a colleague, on a field I leave alone
      queue(w, { method: 'POST', path: `clients/id/${id}`, fields: { email: 'mine@example.org' } });
      const both = queue(w, { method: 'POST', path: `clients/id/${id}`, fields: { telephone: '01632 960111', mobile: '07700 900111' } });
      sim.store.bump('clients', id, { telephone: '01632 960222' }); // …and on one I change too
      const summary = await push(w);
      expect(summary).toMatchObject({ conflicts: 1, confirmed: 1 });
      const entry = getEntry(w.replica.sqlite, both.entry)!;
      expect(entry.state).toBe('conflict');
      expect(entry.conflict).toEqual({ telephone: { base: expect.anything(), mine: '01632 960111', theirs: '01632 960222' } });
      expect(serverRow(sim, 'SELECT email, address1, telephone, mobile FROM clients WHERE id = ?', id)).toMatchObject({
        email: 'mine@example.org',
        address1: '1 Office Row',
        telephone: '01632 960222',
      });
      expect(serverRow(sim, 'SELECT mobile FROM clients WHERE id = ?', id)!.mobile).not.toBe('07700 900111'); // nothing of a conflicted entry is sent

      resolveConflict(w.replica, both.entry, { telephone: 'theirs' });
      expect(local(w, 'SELECT telephone FROM clients WHERE id = ?', id)!.telephone).toBe('01632 960222');
      expect(await push(w)).toMatchObject({ confirmed: 1, conflicts: 0 });
      expect(serverRow(sim, 'SELECT telephone, mobile FROM clients WHERE id = ?', id)).toEqual({ telephone: '01632 960222', mobile: '07700 900111' });
    });

    it('mine overwrites theirs only when the user says so', async () => {
      const w = await fresh();
      const id = w.referral.id;
      const entry = queue(w, { method: 'POST', path: `referrals/id/${id}`, fields: { description: 'my wording' } });
      sim.store.bump('referrals', id, { description: 'office wording' });
      expect(await push(w)).toMatchObject({ conflicts: 1 });
      expect(() => resolveConflict(w.replica, entry.entry, { stage: 'mine' })).toThrow(/not in conflict/);
      resolveConflict(w.replica, entry.entry, { description: 'mine' });
      expect(await push(w)).toMatchObject({ confirmed: 1 });
      expect(serverRow(sim, 'SELECT description FROM referrals WHERE id = ?', id)!.description).toBe('my wording');
    });
  });

  describe('lost replies', () => {
    it('a create whose reply was lost is found on the server, not sent twice', async () => {
      const w = await fresh();
      sim.setFaults(`reset-after=#1@${verb('PUT', 'clients')}`);
      const entry = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Lorna', surname: 'Lostreply', dob: '1955-05-05' } });
      const summary = await push(w);
      expect(summary).toMatchObject({ confirmed: 1, reconciled: 1 });
      expect(serverCount(sim, `SELECT count(*) FROM clients WHERE surname = 'Lostreply'`)).toBe(1);
      expect(getEntry(w.replica.sqlite, entry.entry)).toMatchObject({ state: 'confirmed', outcome: 'reconciled' });
      expect(logged().filter((e) => e.method === verb('PUT', 'clients'))).toHaveLength(1);
    });

    it('an entry left "sending" by a crash is checked against the server at the next push', async () => {
      const w = await fresh();
      const entry = queue(w, { method: 'PUT', path: 'referrals', fields: referralFields(w, w.referral.client, 'sent just before the crash') });
      // The process sent the request and died before it could record the reply.
      w.replica.sqlite
        .prepare(`UPDATE outbox_entries SET state = 'sending', attempts = 1, first_sent_at = ? WHERE id = ?`)
        .run(new Date(Date.now() - 1000).toLocaleString('sv-SE', { timeZone: 'Europe/London' }), entry.entry);
      await w.client.createReferral(referralFields(w, w.referral.client, 'sent just before the crash'));
      expect(await push(w)).toMatchObject({ confirmed: 1, reconciled: 1, sent: 0 });
      expect(serverCount(sim, `SELECT count(*) FROM referrals WHERE description = 'sent just before the crash'`)).toBe(1);
    });
  });

  describe('the fingerprint of a lost create', () => {
    it("a colleague's client with the same name is not taken for ours: the entry waits for the user, who sends it again", async () => {
      const w = await fresh();
      await w.client.createClient({ first_name: 'Sam', surname: 'Twinname', dob: '1950-01-01' }); // at the office, just now
      sim.setFaults(`reset-before=#1@${verb('PUT', 'clients')}`);
      const entry = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Sam', surname: 'Twinname', dob: '1990-12-12' } });
      expect(await push(w)).toMatchObject({ in_doubt: 1, confirmed: 0 });
      const stuck = getEntry(w.replica.sqlite, entry.entry)!;
      expect(stuck).toMatchObject({ state: 'in_doubt', error_code: 'ambiguous' });
      expect(stuck.error).toMatch(/No record on the server matches it exactly, but one is close \(id \d+\)/);
      expect(await push(w)).toMatchObject({ sent: 0 }); // never a blind resend
      sendAgain(w.replica, entry.entry);
      expect(await push(w)).toMatchObject({ confirmed: 1 });
      expect(serverCount(sim, `SELECT count(*) FROM clients WHERE surname = 'Twinname'`)).toBe(2);
    });

    it('a create that arrived and was changed at once is settled by the user with its server id; its children follow', async () => {
      const w = await fresh();
      sim.setFaults(`reset-after=#1@${verb('PUT', 'clients')}`);
      const entry = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Rae', surname: 'Changedsoon', dob: '1980-08-08' } });
      queue(w, { method: 'PUT', path: 'referrals', fields: referralFields(w, entry.temp_id!, 'waits for Rae') });
      const landed = await push(w, {
        timings: { ...FAST, settleMs: 300 },
        onChange: (e) => {
          // The office corrects the date of birth before we look.
          if (e.id === entry.entry && e.state === 'in_doubt') {
            const id = serverRow(sim, `SELECT id FROM clients WHERE surname = 'Changedsoon'`)!.id as number;
            sim.store.bump('clients', id, { dob: '1980-08-09' });
          }
        },
      });
      expect(landed).toMatchObject({ in_doubt: 1, pending: 1 });
      expect(getEntry(w.replica.sqlite, entry.entry)).toMatchObject({ error_code: 'ambiguous' });
      expect(() => markDone(w.replica, entry.entry)).toThrow(/give the id it has on the server/);
      const serverId = serverRow(sim, `SELECT id FROM clients WHERE surname = 'Changedsoon'`)!.id as number;
      markDone(w.replica, entry.entry, serverId);
      expect(await push(w)).toMatchObject({ confirmed: 1, in_doubt: 0 });
      expect(serverRow(sim, `SELECT client FROM referrals WHERE description = 'waits for Rae'`)!.client).toBe(serverId);
      expect(serverCount(sim, `SELECT count(*) FROM clients WHERE surname = 'Changedsoon'`)).toBe(1);
    });
  });

  describe('uploads', () => {
    it('the file is held inside the encrypted replica, so the original may vanish; it arrives once', async () => {
      const w = await fresh();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-upload-'));
      const file = path.join(dir, 'care-plan.txt');
      const secret = 'CARE PLAN — plaintext marker 7f3a9c';
      fs.writeFileSync(file, secret);
      const entry = queue(w, { method: 'POST', path: `clients/id/${w.referral.client}/uploads`, fields: { user_visibility: String(w.me.id), group_visibility: '1' }, file });
      fs.rmSync(dir, { recursive: true });
      w.replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      expect(fs.readFileSync(w.replica.file).includes(Buffer.from('plaintext marker'))).toBe(false);

      expect(await push(w)).toMatchObject({ confirmed: 1 });
      const uploads = sim.store.uploads().filter((u) => u.filename === 'care-plan.txt');
      expect(uploads).toHaveLength(1);
      expect(fs.readFileSync(uploads[0]!.path, 'utf8')).toBe(secret);
      expect(uploads[0]).toMatchObject({ group: 'clients', record: w.referral.client, user_visibility: [w.me.id], group_visibility: [1] });
      expect(local(w, 'SELECT data FROM outbox_files WHERE entry_id = ?', entry.entry)!.data).toBeNull();
    });

    it('an upload whose reply was lost stays in doubt with a plain explanation until the user decides', async () => {
      const w = await fresh();
      sim.setFaults('reset-after=#1@POST');
      const entry = queue(w, {
        method: 'POST',
        path: `referrals/id/${w.referral.id}/uploads`,
        fields: { user_visibility: String(w.me.id), group_visibility: '1' },
        file: { filename: 'letter.pdf', data: Buffer.from('%PDF-1.4 letter'), contentType: 'application/pdf' },
      });
      expect(await push(w)).toMatchObject({ in_doubt: 1, confirmed: 0 });
      const stuck = getEntry(w.replica.sqlite, entry.entry)!;
      expect(stuck).toMatchObject({ state: 'in_doubt', error_code: 'unverifiable' });
      expect(stuck.error).toMatch(/no way to list a record's uploads.*send again.*mark as done/);
      expect(await push(w)).toMatchObject({ sent: 0, in_doubt: 1 }); // never a blind resend
      expect(sim.store.uploads().filter((u) => u.filename === 'letter.pdf')).toHaveLength(1);
      markDone(w.replica, entry.entry);
      expect(getEntry(w.replica.sqlite, entry.entry)).toMatchObject({ state: 'confirmed', outcome: 'marked' });

      // The other choice: it did not arrive, send it again.
      sim.setFaults('reset-before=#1@POST');
      const second = queue(w, {
        method: 'POST',
        path: `referrals/id/${w.referral.id}/uploads`,
        fields: { user_visibility: String(w.me.id), group_visibility: '1' },
        file: { filename: 'second.pdf', data: Buffer.from('%PDF-1.4 second') },
      });
      await push(w);
      const afterReset = getEntry(w.replica.sqlite, second.entry)!;
      if (afterReset.state === 'in_doubt') sendAgain(w.replica, second.entry);
      await push(w);
      expect(getEntry(w.replica.sqlite, second.entry)!.state).toBe('confirmed');
      expect(sim.store.uploads().filter((u) => u.filename === 'second.pdf')).toHaveLength(1);
    });
  });

  describe('a 401', () => {
    it('pauses the queue, sends nothing more, and new keys carry on', async () => {
      const w = await fresh();
      const a = queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { telephone: '01632 960401' } });
      queue(w, { method: 'POST', path: `referrals/id/${w.referral.id}`, fields: { description: 'after the new keys' } });
      const login = sim.users[0]!;
      const wrong = createDizionsClient({ baseUrl: sim.url, source: login.source, org: login.org, user: 'revoked-key' });
      try {
        const summary = await pushOutbox(w.replica, wrong, { timings: FAST, concurrency: 1 });
        expect(summary.paused).toMatch(/401.*paused/);
        expect(summary).toMatchObject({ confirmed: 0, pending: 2 });
      } finally {
        await wrong.close();
      }
      expect(logged().filter((e) => e.status === 401)).toHaveLength(1);
      expect(pauseReason(w.replica)).toMatch(/401/);
      expect(getEntry(w.replica.sqlite, a.entry)).toMatchObject({ state: 'pending', error_code: 'unauthorised' });
      expect(await push(w)).toMatchObject({ confirmed: 2, paused: null });
      expect(pauseReason(w.replica)).toBeNull();
    });
  });

  describe('one pusher per replica', () => {
    it("a push finds another pusher's live lease and sends nothing; a lease that ran out (a crash, kill -9) is taken over", async () => {
      const w = await fresh();
      const entry = queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { telephone: '01632 960321' } });
      const lock = (value: Record<string, unknown>) => w.replica.sqlite.prepare(`INSERT OR REPLACE INTO outbox_state (key, value) VALUES ('push_lock', ?)`).run(JSON.stringify(value));
      lock({ token: 'another-caseworker-1', pid: process.ppid, since: new Date().toISOString(), expires: Date.now() + 60_000 });
      const busy = await push(w);
      expect(busy.busy).toMatch(new RegExp(`process ${process.ppid}.*nothing was sent`));
      expect(logged().filter((e) => e.method === 'POST')).toEqual([]);
      lock({ token: 'another-caseworker-1', pid: process.ppid, since: '2024-01-01T00:00:00Z', expires: Date.parse('2024-01-01T00:00:30Z') }); // never refreshed
      expect(await push(w)).toMatchObject({ confirmed: 1 });
      expect(getEntry(w.replica.sqlite, entry.entry)!.state).toBe('confirmed');
      expect(w.replica.sqlite.prepare(`SELECT count(*) FROM outbox_state WHERE key = 'push_lock'`).pluck().get()).toBe(0);
    });
  });

  describe('every documented write', () => {
    it('relationships (also to a client created offline), due and done contact updates, extension records created and updated offline', async () => {
      const w = await fresh();
      const other = w.replica.sqlite.prepare('SELECT id FROM clients WHERE id > 0 AND id <> ? ORDER BY id').pluck().get(w.referral.client) as number;
      const [mother, son] = [2801, 2803]; // dictionary/relationships of the simulated charity
      const relationship = (id_second: number | string) => ({ id_second, relationship_first_to_second: son, relationship_second_to_first: mother });
      queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: relationship(other) });
      const sibling = queue(w, { method: 'PUT', path: 'clients', fields: { first_name: 'Sib', surname: 'Relatedoffline', dob: '2001-01-01' } });
      queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: relationship(sibling.temp_id!) });
      const due = w.dueContacts[0]!;
      const done = w.dueContacts[1]!;
      queue(w, { method: 'POST', path: `due_contacts/id/${due}`, fields: { description: 'rescheduled by phone' } });
      queue(w, { method: 'POST', path: `done_contacts/id/${done}`, fields: { start_date: '2024-06-05 09:00:00', end_date: '2024-06-05 09:40:00' } });
      queue(w, { method: 'POST', path: `done_contacts/id/${done}`, fields: { travel_mileage: '12.5' } });
      const note = queue(w, { method: 'PUT', path: 'extension_database/wellcheck_notes_9', fields: { referral: w.referral.id, date_31: '2024-06-05', notes_33: 'first draft' } });
      queue(w, { method: 'POST', path: `extension_database/wellcheck_notes_9/id/${note.temp_id}`, fields: { notes_33: 'final wording' } });
      expect(await push(w)).toMatchObject({ confirmed: 8, failed: 0, conflicts: 0, pending: 0 });

      const siblingId = serverRow(sim, `SELECT id FROM clients WHERE surname = 'Relatedoffline'`)!.id;
      const relations = sim.store.db.prepare('SELECT second FROM relationships WHERE first = ? ORDER BY second').pluck().all(w.referral.client);
      expect(relations).toEqual(expect.arrayContaining([other, siblingId]));
      expect(serverRow(sim, 'SELECT description, done FROM contacts WHERE id = ?', due)).toEqual({ description: 'rescheduled by phone', done: 0 });
      expect(serverRow(sim, 'SELECT done, end_date, travel_mileage FROM contacts WHERE id = ?', done)).toEqual({ done: 1, end_date: '2024-06-05 09:40:00', travel_mileage: 12.5 });
      expect(serverCount(sim, `SELECT count(*) FROM wellcheck_notes_9 WHERE notes_33 = 'final wording' AND referral = ?`, w.referral.id)).toBe(1);
      expect(serverCount(sim, `SELECT count(*) FROM wellcheck_notes_9 WHERE notes_33 = 'first draft'`)).toBe(0);
    });

    it('a relationship whose reply was lost is found in relationship_details, not added twice', async () => {
      const w = await fresh();
      const other = w.replica.sqlite.prepare('SELECT id FROM clients WHERE id > 0 AND id <> ? ORDER BY id DESC').pluck().get(w.referral.client) as number;
      const relationship = dialect === '2019' ? 'POST' : 'PUT'; // clients/id/A with id_second, or relationship_details/A/B
      sim.setFaults(`reset-after=#1@${relationship}`);
      queue(w, { method: 'POST', path: `clients/id/${w.referral.client}`, fields: { id_second: other, relationship_first_to_second: 2802, relationship_second_to_first: 2804 } });
      expect(await push(w)).toMatchObject({ confirmed: 1, reconciled: 1 });
      expect(logged().filter((e) => e.method === relationship)).toHaveLength(1);
    });
  });
});
