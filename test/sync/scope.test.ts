// Sync brings down exactly "my caseload" by default, and exactly what an explicit --scope path
// says for that group — compared with the simulator's own answers to the same questions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { replicaStatus } from '../../main/sync/status.js';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import { RECORD_GROUPS } from '../../shared/dizions/model.js';
import { freshReplica } from '../support/db-fixtures.js';
import { expectedCaseload, replicaIds, serverIds, serverRows, syncAs, type Login } from '../support/sync-support.js';

// Every test here runs in both dialects: the simulator and the connection speak `dialect`.
describe.each(DIALECT_MATRIX)('in the %s dialect', (dialect) => {
  let sim: RunningSimulator;
  let priya: Login;

  beforeAll(async () => {
    sim = await startSimulator({ dialect, clients: 250, seed: 11 });
    priya = sim.users[0]!;
  });
  afterAll(async () => {
    await sim?.close();
  });

  describe('the default scope: my caseload', () => {
    it('holds exactly my due contacts, their referrals and clients, my clients, 12 months of done contacts, my schedules and every worker', async () => {
      const replica = freshReplica();
      try {
        const summary = await syncAs(sim, priya, replica);
        const expected = await expectedCaseload(sim, priya);
        for (const group of RECORD_GROUPS) expect(replicaIds(replica, group), group).toEqual(expected[group]);
        expect(expected.due_contacts.length).toBeGreaterThan(0);
        expect(expected.done_contacts.length).toBeGreaterThan(0);
        expect(summary.me).toBe(priya.id);
        expect(summary.my_worker).toBe(priya.worker);
        expect(summary.groups.clients.inserted).toBe(expected.clients.length);
        // Clients of my referrals that are someone else's usual client are in; my own usual clients are in too.
        const mine = await serverIds(sim, priya, `clients/usual_support_worker/${priya.worker}`);
        expect(replicaIds(replica, 'clients')).toEqual(expect.arrayContaining(mine));
      } finally {
        replica.close();
      }
    });

    it('keeps every dictionary the records reference and the selectable fields, so extension fields arrive too', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica);
        const tables = replica.sqlite.prepare('SELECT DISTINCT table_ref FROM dictionaries').pluck().all() as string[];
        expect(tables).toEqual(expect.arrayContaining(['organisations/district', 'referrals/project', 'referrals/stage', 'relationships', 'carer_relationships']));
        const raw = replica.sqlite.prepare('SELECT raw FROM clients LIMIT 1').pluck().get() as string;
        expect(Object.keys(JSON.parse(raw))).toEqual(expect.arrayContaining(['surname', 'updated', 'website_photo_consent']));
      } finally {
        replica.close();
      }
    });

    it('shrinks the done-contacts window when asked, and remembers it', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica, { doneWindowMonths: 1 });
        const expected = await expectedCaseload(sim, priya, 1);
        expect(replicaIds(replica, 'done_contacts')).toEqual(expected.done_contacts);
        expect(expected.done_contacts.length).toBeLessThan((await expectedCaseload(sim, priya, 12)).done_contacts.length);
        expect(replicaStatus(replica).done_window_months).toBe(1);
      } finally {
        replica.close();
      }
    });

    it('for a login without a /workers record: no usual-support-worker clients and no schedules', async () => {
      const manager = sim.store.allUsers().find((u) => u.worker === null)!;
      const login: Login = { id: manager.id, worker: null, source: manager.source, org: manager.org, user: manager.user };
      const replica = freshReplica();
      try {
        const summary = await syncAs(sim, login, replica);
        expect(summary.my_worker).toBeNull();
        const expected = await expectedCaseload(sim, login);
        for (const group of RECORD_GROUPS) expect(replicaIds(replica, group), group).toEqual(expected[group]);
        expect(replicaIds(replica, 'schedules')).toEqual([]);
      } finally {
        replica.close();
      }
    });
  });

  describe('multiple-record extension databases', () => {
    it('keeps the rows of the referrals in scope, incrementally, and removes rows deleted on the server', async () => {
      const replica = freshReplica();
      try {
        const first = await syncAs(sim, priya, replica, { extensionDatabases: ['wellcheck_notes_9'] });
        const referrals = replicaIds(replica, 'referrals');
        const expected = await serverIds(sim, priya, `extension_database/wellcheck_notes_9/referral/${referrals.join(';')}`);
        const held = () => replica.sqlite.prepare(`SELECT id FROM extension_records WHERE database = 'wellcheck_notes_9' ORDER BY id`).pluck().all() as number[];
        expect(expected.length).toBeGreaterThan(0);
        expect(held()).toEqual(expected);
        expect(first.extension_databases.wellcheck_notes_9).toMatchObject({ inserted: expected.length });
        expect(replicaStatus(replica).extension_databases).toEqual({ wellcheck_notes_9: expected.length });

        expect(sim.store.deleteRecord('wellcheck_notes_9', expected[0]!)).toBe(true);
        const second = await syncAs(sim, priya, replica); // the list of databases is remembered
        expect(second.extension_databases.wellcheck_notes_9).toEqual({ fetched: 0, inserted: 0, updated: 0, deleted: 1 });
        expect(held()).toEqual(expected.slice(1));
      } finally {
        replica.close();
      }
    });
  });

  describe('explicit scopes in the API grammar', () => {
    it('an explicit referrals scope replaces the default; done contacts and clients follow those referrals', async () => {
      const project = (await visibleProjects())[0]!;
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica, { scopes: [{ group: 'referrals', path: `referrals/project/${project}` }] });
        const referrals = await serverIds(sim, priya, `referrals/project/${project}`);
        expect(replicaIds(replica, 'referrals')).toEqual(referrals);
        const referralClients = await serverIds(sim, priya, `clients/id/${(await clientsOf(referrals)).join(';')}`);
        const mine = await serverIds(sim, priya, `clients/usual_support_worker/${priya.worker}`);
        expect(replicaIds(replica, 'clients')).toEqual([...new Set([...referralClients, ...mine, ...(await dueClients())])].sort((a, b) => a - b));
        const done = await serverIds(sim, priya, `done_contacts/referral/${referrals.join(';')}/date_active/${windowOf(12)}`);
        expect(replicaIds(replica, 'done_contacts')).toEqual(done);
        expect(done.length).toBeGreaterThan(0);
        const status = replicaStatus(replica);
        expect(status.scope?.referrals).toBe(`referrals/project/${project}`);
        expect(status.scope?.due_contacts).toBe(`due_contacts/user/${priya.id}`);
      } finally {
        replica.close();
      }
    });

    it('an explicit clients scope gets exactly that; the scope is remembered, and "default" puts it back', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica, { scopes: [{ group: 'clients', path: 'clients/district/3;4/active/Y' }] });
        expect(replicaIds(replica, 'clients')).toEqual(await serverIds(sim, priya, 'clients/district/3;4/active/Y'));
        await syncAs(sim, priya, replica); // no --scope: the stored one applies
        expect(replicaIds(replica, 'clients')).toEqual(await serverIds(sim, priya, 'clients/district/3;4/active/Y'));
        await syncAs(sim, priya, replica, { scopes: [{ group: 'clients', path: 'default' }] });
        expect(replicaIds(replica, 'clients')).toEqual((await expectedCaseload(sim, priya)).clients);
      } finally {
        replica.close();
      }
    });

    it('refuses a scope path of another group, or one that selects fields', async () => {
      const replica = freshReplica();
      try {
        await expect(syncAs(sim, priya, replica, { scopes: [{ group: 'clients', path: 'referrals/project/5' }] })).rejects.toThrow(/scope for clients must be a clients path/);
        await expect(syncAs(sim, priya, replica, { scopes: [{ group: 'clients', path: 'clients/field/id' }] })).rejects.toThrow(/filters only/);
      } finally {
        replica.close();
      }
    });
  });

  function windowOf(months: number): string {
    const now = new Date();
    const from = new Date(now);
    from.setMonth(from.getMonth() - months);
    return `${formatServerTimestamp(from).slice(0, 10)},${formatServerTimestamp(now).slice(0, 10)}`;
  }

  async function visibleProjects(): Promise<number[]> {
    const rows = await serverRows(sim, priya, 'referrals/field/project');
    return [...new Set(rows.map((r) => Number(r.project)))].sort((a, b) => a - b);
  }

  async function clientsOf(referralIds: number[]): Promise<number[]> {
    const rows = await serverRows(sim, priya, `referrals/id/${referralIds.join(';')}/field/client`);
    return [...new Set(rows.map((r) => Number(r.client)))];
  }

  async function dueClients(): Promise<number[]> {
    return (await serverRows(sim, priya, `due_contacts/user/${priya.id}/field/client`)).map((r) => Number(r.client));
  }
});
