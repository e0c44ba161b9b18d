// After the first sync, a sync fetches in full only what changed on the server, removes what was
// deleted or left the scope, and never overwrites or drops records with pending local edits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { getRecord } from '../../main/db/records.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { UPDATED_FILTER_GROUPS } from '../../main/sim/types.js';
import { parsePath, type RecordsPath } from '../../shared/url-grammar.js';
import { RECORD_GROUPS } from '../../shared/dizions/model.js';
import { freshReplica } from '../support/db-fixtures.js';
import { expectedCaseload, getsSince, markPending, replicaIds, serverIds, serverRows, syncAs, type Login } from '../support/sync-support.js';

// Every test here runs in both dialects (the simulator and the connection speak `dialect`), against a
// server that filters referrals by `updated` (the published manual) and one that filters every group.
const MATRIX = DIALECT_MATRIX.flatMap((dialect) => UPDATED_FILTER_GROUPS.map((filter) => [dialect, filter] as const));

describe.each(MATRIX)('in the %s dialect, updated filter on %s', (dialect, updatedFilter) => {
  let sim: RunningSimulator;
  let priya: Login;

  beforeAll(async () => {
    sim = await startSimulator({ dialect, clients: 220, seed: 21, updatedFilter });
    priya = sim.users[0]!;
  });
  afterAll(async () => {
    await sim?.close();
  });

  /** Fetch batches are `<group>/id/…` with the full field list; listings ask for a handful of fields. */
  function fetchBatches(paths: string[], group: string): number[][] {
    return paths
      .map((p) => parsePath(p) as RecordsPath)
      .filter((p) => p.group === group && (p.fields?.length ?? 99) > 5)
      .map((p) => p.pairs.find((pair) => pair.key === 'id' && 'values' in pair) as { values: string[] })
      .map((pair) => pair.values.map(Number));
  }

  const LISTING_FIELDS = new Set(['id', 'updated', 'user', 'referral', 'client']);

  describe('incremental sync', () => {
    it('a second sync with nothing changed asks for ids only, and far fewer bytes', async () => {
      const replica = freshReplica();
      try {
        const first = await syncAs(sim, priya, replica);
        const from = sim.requestLog.length;
        const second = await syncAs(sim, priya, replica);
        for (const group of RECORD_GROUPS) expect(second.groups[group], group).toEqual({ fetched: 0, inserted: 0, updated: 0, deleted: 0 });
        const gets = getsSince(sim, from);
        expect(gets.length).toBeGreaterThan(0);
        for (const path of gets) {
          const parsed = parsePath(path);
          expect(parsed.kind, path).toBe('records'); // no dictionary refresh: it has its own cadence
          const fields = (parsed as RecordsPath).fields ?? [];
          expect(
            fields.every((f) => LISTING_FIELDS.has(f)),
            path,
          ).toBe(true);
        }
        expect(second.bytes_received).toBeLessThan(first.bytes_received / 4);
      } finally {
        replica.close();
      }
    });

    it('after clients change on the server, only the changed ones in scope are fetched again', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica);
        const local = new Set(replicaIds(replica, 'clients'));
        const touched = sim.store.touchRecords('clients', 0.3, 7).filter((id) => local.has(id));
        expect(touched.length).toBeGreaterThan(2);
        const from = sim.requestLog.length;
        const summary = await syncAs(sim, priya, replica);
        expect(summary.groups.clients).toEqual({ fetched: touched.length, inserted: 0, updated: touched.length, deleted: 0 });
        expect(
          fetchBatches(getsSince(sim, from), 'clients')
            .flat()
            .sort((a, b) => a - b),
        ).toEqual([...touched].sort((a, b) => a - b));
        for (const group of ['referrals', 'due_contacts', 'done_contacts', 'workers', 'schedules'] as const) expect(summary.groups[group].fetched, group).toBe(0);
        const [changed] = await serverRows(sim, priya, `clients/id/${touched[0]}/field/telephone;updated`);
        expect(getRecord(replica, 'clients', touched[0]!)).toMatchObject({ telephone: changed!.telephone, updated: changed!.updated });
      } finally {
        replica.close();
      }
    });

    it('changed referrals are found through the updated/<since>,<to> filter', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica);
        const local = new Set(replicaIds(replica, 'referrals'));
        const touched = sim.store.touchRecords('referrals', 0.5, 3).filter((id) => local.has(id));
        expect(touched.length).toBeGreaterThan(0);
        const from = sim.requestLog.length;
        const summary = await syncAs(sim, priya, replica);
        expect(summary.groups.referrals.updated).toBe(touched.length);
        expect(getsSince(sim, from).some((p) => p.startsWith('referrals/') && p.includes('/updated/'))).toBe(true);
        // …and a sync right after sees nothing new.
        const again = await syncAs(sim, priya, replica);
        expect(again.groups.referrals.fetched).toBe(0);
      } finally {
        replica.close();
      }
    });
  });

  describe('dictionaries and full syncs', () => {
    it('a record naming a dictionary entry the replica lacks brings that dictionary (only that one) down again', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica);
        replica.sqlite.prepare(`DELETE FROM dictionaries WHERE table_ref = 'organisations/district'`).run();
        const local = new Set(replicaIds(replica, 'clients'));
        expect(sim.store.touchRecords('clients', 0.3, 11).filter((id) => local.has(id)).length).toBeGreaterThan(0);
        const from = sim.requestLog.length;
        const summary = await syncAs(sim, priya, replica);
        const dictionaryGets = getsSince(sim, from).filter((p) => p.startsWith('dictionary/'));
        expect(dictionaryGets).toEqual(['dictionary/organisations/district']);
        expect(summary.dictionaries).toBe(1);
        expect(replica.sqlite.prepare(`SELECT count(*) FROM dictionaries WHERE table_ref = 'organisations/district'`).pluck().get()).toBeGreaterThan(0);
      } finally {
        replica.close();
      }
    });

    it('--full fetches every record in scope again, and every dictionary', async () => {
      const replica = freshReplica();
      try {
        const first = await syncAs(sim, priya, replica);
        const full = await syncAs(sim, priya, replica, { full: true });
        for (const group of RECORD_GROUPS) expect(full.groups[group].fetched, group).toBe(first.groups[group].fetched);
        expect(full.dictionaries).toBe(first.dictionaries);
        expect(full.groups.clients.inserted).toBe(0);
      } finally {
        replica.close();
      }
    });
  });

  describe('deletions and records leaving the scope', () => {
    it('removes what the server deleted or moved out of my caseload', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica);
        const before = await expectedCaseload(sim, priya);
        // A client kept only because I am their usual support worker moves to another worker.
        const viaReferrals = new Set((await expectedCaseloadWithoutWorker()).clients);
        const usual = (await serverIds(sim, priya, `clients/usual_support_worker/${priya.worker}`)).filter((id) => !viaReferrals.has(id));
        expect(usual.length).toBeGreaterThan(0);
        const otherWorker = sim.users[1]!.worker!;
        expect(sim.store.moveClientToWorker(usual[0]!, otherWorker)).toBe(true);
        // One of my referrals moves to a project I do not belong to: it and its contacts leave my sight.
        const myProjects = new Set(sim.store.allUsers().find((u) => u.id === priya.id)!.projects);
        const foreign = sim.store
          .allUsers()
          .flatMap((u) => u.projects)
          .find((p) => !myProjects.has(p))!;
        const movedReferral = before.referrals[0]!;
        expect(sim.store.moveReferralToProject(movedReferral, foreign)).toBe(true);
        // A due contact and a done contact are deleted outright.
        const deletedDue = before.due_contacts.at(-1)!;
        const deletedDone = before.done_contacts.at(-1)!;
        expect(sim.store.deleteRecord('due_contacts', deletedDue)).toBe(true);
        expect(sim.store.deleteRecord('done_contacts', deletedDone)).toBe(true);

        const summary = await syncAs(sim, priya, replica);
        const after = await expectedCaseload(sim, priya);
        for (const group of RECORD_GROUPS) expect(replicaIds(replica, group), group).toEqual(after[group]);
        expect(replicaIds(replica, 'clients')).not.toContain(usual[0]);
        expect(replicaIds(replica, 'referrals')).not.toContain(movedReferral);
        expect(replicaIds(replica, 'due_contacts')).not.toContain(deletedDue);
        expect(replicaIds(replica, 'done_contacts')).not.toContain(deletedDone);
        expect(summary.groups.clients.deleted).toBeGreaterThan(0);
        expect(summary.groups.referrals.deleted).toBeGreaterThan(0);
        expect(summary.groups.due_contacts.deleted).toBeGreaterThan(0);
      } finally {
        replica.close();
      }
    });

    it('never overwrites or removes records with pending local edits, nor records created offline (negative ids)', async () => {
      const replica = freshReplica();
      try {
        await syncAs(sim, priya, replica);
        const clients = replicaIds(replica, 'clients');
        const [editedHere, deletedThere] = [clients[0]!, clients[1]!];
        const dueHere = replica.sqlite.prepare(`SELECT id FROM contacts WHERE state = 'due' AND client <> ? ORDER BY id LIMIT 1`).pluck().get(deletedThere) as number;
        const editedRecord = getRecord(replica, 'clients', editedHere);
        markPending(replica, 'clients', [editedHere, deletedThere]);
        markPending(replica, 'contacts', [dueHere]);
        replica.sqlite.prepare(`INSERT INTO clients (id, first_name, surname, raw) VALUES (-1, 'New', 'Offline', '{"id":-1,"first_name":"New","surname":"Offline"}')`).run();
        replica.sqlite.prepare(`INSERT INTO contacts (id, state, referral, description, raw) VALUES (-2, 'due', ?, 'Planned offline', '{"id":-2}')`).run(replicaIds(replica, 'referrals')[0]);

        sim.store.touchRecords('clients', 1, 9); // every client changes on the server
        expect(sim.store.deleteRecord('clients', deletedThere)).toBe(true);
        expect(sim.store.deleteRecord('due_contacts', dueHere)).toBe(true);

        const summary = await syncAs(sim, priya, replica);
        expect(getRecord(replica, 'clients', editedHere)).toEqual(editedRecord);
        expect(replicaIds(replica, 'clients')).toEqual(expect.arrayContaining([-1, editedHere, deletedThere]));
        expect(replicaIds(replica, 'due_contacts')).toEqual(expect.arrayContaining([-2, dueHere]));
        expect(summary.held_back).toBeGreaterThanOrEqual(1);
        // A client without a pending edit did take the server's change.
        const other = replicaIds(replica, 'clients').find((id) => id > 0 && id !== editedHere && id !== deletedThere)!;
        const [server] = await serverRows(sim, priya, `clients/id/${other}/field/telephone;updated`);
        expect(getRecord(replica, 'clients', other)).toMatchObject({ telephone: server!.telephone, updated: server!.updated });
        expect(summary.groups.clients.updated).toBeGreaterThan(0);
      } finally {
        replica.close();
      }
    });
  });

  /** My caseload's clients reached through due contacts and referrals only (not usual support worker). */
  async function expectedCaseloadWithoutWorker() {
    return expectedCaseload(sim, { ...priya, worker: null });
  }
});
