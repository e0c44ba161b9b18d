// Incremental sync by the `updated` filter (main/sync/changes.ts, updated-filter.ts): over a whole
// scope (one fixed path per group, as the bench syncs), a second sync lands exactly what changed on
// the server — edits, new records, deletions, records that came into or went out of sight without a
// change of their own — whether the server filters every group by `updated` or referrals only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECT_MATRIX } from '../support/outbox-support.js';
import { createClient, createDueContact, updateDoneContact } from '../../main/sim/data-writes.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { UPDATED_FILTER_GROUPS, type SimUser } from '../../main/sim/types.js';
import { savedUpdatedFilter } from '../../main/sync/updated-filter.js';
import { parsePath, type RecordsPath } from '../../shared/url-grammar.js';
import { RECORD_GROUPS, type RecordGroup } from '../../shared/dizions/model.js';
import { freshReplica } from '../support/db-fixtures.js';
import { getsSince, replicaContents, replicaIds, serverIds, syncAs, type Login } from '../support/sync-support.js';
import type { Replica } from '../../main/db/open.js';

/** Everything the login sees, one fixed path per group. */
const WHOLE_SCOPE = RECORD_GROUPS.map((group) => ({ group, path: group }));

const MATRIX = DIALECT_MATRIX.flatMap((dialect) => UPDATED_FILTER_GROUPS.map((filter) => [dialect, filter] as const));

describe.each(MATRIX)('in the %s dialect, a server filtering %s by updated', (dialect, updatedFilter) => {
  let sim: RunningSimulator;
  let priya: Login;
  let priyaUser: SimUser;

  beforeAll(async () => {
    sim = await startSimulator({ dialect, clients: 160, seed: 33, updatedFilter });
    priya = sim.users[0]!;
    priyaUser = sim.store.allUsers().find((u) => u.id === priya.id)!;
  });
  afterAll(async () => {
    await sim?.close();
  });

  const sync = (replica: Replica) => syncAs(sim, priya, replica, { scopes: WHOLE_SCOPE });

  /** What a clean first sync of the same scope holds now. */
  async function cleanSync(): Promise<Record<string, string[]>> {
    const clean = freshReplica();
    try {
      await sync(clean);
      return replicaContents(clean);
    } finally {
      clean.close();
    }
  }

  /** Listing GETs that ask for a whole group's stamps (`<group>/field/id;updated[;…]`, no updated filter). */
  function wholeStampListings(paths: string[]): RecordGroup[] {
    const out: RecordGroup[] = [];
    for (const printed of paths) {
      const path = parsePath(printed) as RecordsPath;
      if (path.kind !== 'records' || path.fields?.slice(0, 2).join(';') !== 'id;updated') continue;
      if (path.pairs.some((pair) => pair.key === 'updated')) continue;
      out.push(path.group as RecordGroup);
    }
    return out;
  }

  it('lands exactly the edits, new records and deletions made on the server (the replica equals a clean sync)', async () => {
    const replica = freshReplica();
    try {
      await sync(replica);
      // Edits everywhere, a new client, a new action, an action completed, a done contact and an action deleted.
      for (const group of ['clients', 'referrals', 'due_contacts', 'done_contacts'] as const) expect(sim.store.touchRecords(group, 0.2, 5).length).toBeGreaterThan(0);
      const newClient = createClient(sim.store, priyaUser, { first_name: 'Ada', surname: 'Incremental' });
      const referral = replicaIds(replica, 'referrals')[0]!;
      const newDue = createDueContact(sim.store, priyaUser, referral, { user: String(priya.id), start_date: '2026-12-20 10:00:00', end_date: '2026-12-20 11:00:00', description: 'Visit' });
      const dueIds = replicaIds(replica, 'due_contacts');
      const completed = dueIds[0]!;
      const stage = sim.store.db.prepare('SELECT r.stage FROM contacts c JOIN referrals r ON r.id = c.referral WHERE c.id = ?').pluck().get(completed) as number;
      updateDoneContact(
        sim.store,
        priyaUser,
        completed,
        { user: String(priya.id), stage: String(stage), start_date: '2026-12-01 09:00:00', end_date: '2026-12-01 10:00:00', description: 'Done' },
        'complete',
      );
      const deletedDone = replicaIds(replica, 'done_contacts').at(-1)!;
      const deletedDue = dueIds.at(-1)!;
      expect(sim.store.deleteRecord('done_contacts', deletedDone)).toBe(true);
      expect(sim.store.deleteRecord('due_contacts', deletedDue)).toBe(true);

      const summary = await sync(replica);
      expect(replicaContents(replica)).toEqual(await cleanSync());
      expect(replicaIds(replica, 'clients')).toContain(newClient);
      expect(replicaIds(replica, 'due_contacts')).toContain(newDue);
      expect(replicaIds(replica, 'due_contacts')).not.toContain(completed);
      expect(replicaIds(replica, 'done_contacts')).toContain(completed);
      expect(replicaIds(replica, 'done_contacts')).not.toContain(deletedDone);
      expect(summary.groups.done_contacts.deleted).toBeGreaterThan(0);
    } finally {
      replica.close();
    }
  });

  it('with nothing deleted, lists only the changes of every group its server filters by updated, and every stamp of the others', async () => {
    const replica = freshReplica();
    try {
      await sync(replica);
      const touched = sim.store.touchRecords('clients', 0.1, 12);
      sim.store.touchRecords('done_contacts', 0.1, 12);
      expect(touched.length).toBeGreaterThan(0);
      const from = sim.requestLog.length;
      const summary = await sync(replica);
      const whole = wholeStampListings(getsSince(sim, from));
      // Referrals take the filter on every server (the assumptions table).
      expect(whole).not.toContain('referrals');
      if (updatedFilter === 'all') expect(whole).toEqual([]);
      else expect([...whole].sort()).toEqual(RECORD_GROUPS.filter((g) => g !== 'referrals').sort());
      expect(summary.groups.clients.updated).toBe(touched.filter((id) => replicaIds(replica, 'clients').includes(id)).length);
      expect(replicaContents(replica)).toEqual(await cleanSync());
      // The verdicts are kept: the next sync does not probe again.
      expect(savedUpdatedFilter(replica)?.groups.clients).toBe(updatedFilter === 'all');
      const again = sim.requestLog.length;
      await sync(replica);
      const probes = getsSince(sim, again).filter((p) => /\/updated\/[^/]+\/field\/id$/.test(p));
      expect(probes).toEqual([]);
    } finally {
      replica.close();
    }
  });

  it('finds records that came into or went out of sight without a change of their own (the count does not add up)', async () => {
    const replica = freshReplica();
    try {
      await sync(replica);
      // Priya leaves one of her projects and joins another: whole referrals and their contacts
      // vanish and appear, none of them with a new `updated`.
      const mine = sim.store.db.prepare('SELECT project_id FROM user_projects WHERE user_id = ? ORDER BY project_id').pluck().all(priya.id) as number[];
      const other = sim.store.db
        .prepare("SELECT id FROM dictionaries WHERE table_ref = 'referrals/project' AND id NOT IN (SELECT project_id FROM user_projects WHERE user_id = ?) ORDER BY id")
        .pluck()
        .get(priya.id) as number;
      expect(mine.length).toBeGreaterThan(1);
      sim.store.db.prepare('DELETE FROM user_projects WHERE user_id = ? AND project_id = ?').run(priya.id, mine[0]);
      sim.store.db.prepare('INSERT INTO user_projects (user_id, project_id) VALUES (?, ?)').run(priya.id, other);
      try {
        const before = replicaIds(replica, 'referrals');
        await sync(replica);
        const after = await serverIds(sim, priya, 'referrals');
        expect(replicaIds(replica, 'referrals')).toEqual(after);
        expect(after).not.toEqual(before);
        expect(replicaContents(replica)).toEqual(await cleanSync());
      } finally {
        sim.store.db.prepare('DELETE FROM user_projects WHERE user_id = ? AND project_id = ?').run(priya.id, other);
        sim.store.db.prepare('INSERT INTO user_projects (user_id, project_id) VALUES (?, ?)').run(priya.id, mine[0]);
      }
    } finally {
      replica.close();
    }
  });

  it('follows a server that loses (or gains) the filter on a group between two syncs: every change still lands', async () => {
    const replica = freshReplica();
    const other = updatedFilter === 'all' ? 'referrals' : 'all';
    try {
      await sync(replica);
      sim.store.touchRecords('clients', 0.1, 31);
      await sync(replica); // cursors and verdicts in place
      sim.store.updatedFilter = other;
      const touched = sim.store.touchRecords('clients', 0.1, 32);
      expect(touched.length).toBeGreaterThan(0);
      await sync(replica);
      expect(replicaContents(replica)).toEqual(await cleanSync());
      // A refused listing of changes is remembered: the group is listed in full until the next probe.
      if (other === 'referrals') expect(savedUpdatedFilter(replica)?.groups.clients).toBe(false);
    } finally {
      sim.store.updatedFilter = updatedFilter;
      replica.close();
    }
  });

  it('a sync that fails part-way keeps the cursor, so the next one still brings every change in', async () => {
    const replica = freshReplica();
    try {
      await sync(replica);
      const touched = sim.store.touchRecords('done_contacts', 0.2, 21);
      expect(touched.length).toBeGreaterThan(0);
      sim.setFaults('500=1@GET:done_contacts/id');
      try {
        await expect(sync(replica)).rejects.toThrow();
      } finally {
        sim.setFaults('');
      }
      await sync(replica);
      expect(replicaContents(replica)).toEqual(await cleanSync());
    } finally {
      replica.close();
    }
  });
});
