// A first sync into an empty replica: written through a rollback journal while it fills (no WAL to
// checkpoint), and left as a replica opened fresh would be: WAL, every index and search trigger of
// the schema, the indexes in the plans of the app's queries, search finding every client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { searchClients } from '../../main/db/search.js';
import { getSyncState } from '../../main/db/records.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { TEST_KEY, freshReplica } from '../support/db-fixtures.js';
import { type Login, syncAs } from '../support/sync-support.js';

const SCOPES = [
  { group: 'clients', path: 'clients' },
  { group: 'referrals', path: 'referrals' },
  { group: 'due_contacts', path: 'due_contacts' },
  { group: 'done_contacts', path: 'done_contacts' },
] as const;

const schemaObjects = (replica: Replica) =>
  replica.sqlite.prepare(`SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY 1`).pluck().all() as string[];
const plan = (replica: Replica, sql: string, ...params: unknown[]) =>
  (replica.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');

describe('a first sync into an empty replica', () => {
  let sim: RunningSimulator;
  let everyone: Login;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 300, seed: 23 });
    everyone = sim.users[0]!;
    sim.store.joinEveryProject(everyone.id);
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it('fills through a rollback journal and ends in WAL with every index, used, and search complete', async () => {
    const replica = freshReplica();
    const untouched = freshReplica();
    try {
      const modes = new Set<string>();
      const summary = await syncAs(sim, everyone, replica, {
        scopes: SCOPES.map((s) => ({ ...s })),
        onProgress: (event) => {
          // The fill's own progress (no total known while a reply streams).
          if (event.phase === 'downloading' && event.total === null) modes.add(String(replica.sqlite.pragma('journal_mode', { simple: true })));
        },
      });
      expect(summary.groups.done_contacts.fetched).toBeGreaterThan(0);
      expect([...modes]).toEqual(['delete']);
      expect(replica.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');

      // Everything the fill set aside is back, and nothing is left to restore.
      expect(schemaObjects(replica)).toEqual(schemaObjects(untouched));
      expect(getSyncState(replica, 'deferred_schema')).toBeUndefined();
      expect(plan(replica, 'SELECT id FROM contacts WHERE referral = ? ORDER BY start_date', 1)).toContain('contacts_referral_start');
      expect(plan(replica, 'SELECT id FROM contacts WHERE client = ?', 1)).toContain('contacts_client');
      expect(plan(replica, `SELECT substr(start_date, 1, 7), user, count(*) FROM contacts WHERE state = 'done' GROUP BY 1, 2 ORDER BY 1, 2`)).toContain('contacts_state_month_user_start');

      const clients = replica.sqlite.prepare('SELECT id, surname FROM clients WHERE length(surname) >= 4').all() as Array<{ id: number; surname: string }>;
      expect(clients.length).toBeGreaterThan(0);
      for (const client of clients.slice(0, 20)) expect(searchClients(replica, client.surname, 500).map((hit) => hit.id)).toContain(client.id);
    } finally {
      replica.close();
      untouched.close();
    }
  }, 60_000);

  it("stays in WAL when a reader works beside it (the app's reader thread), and that reader is never locked out", async () => {
    const replica = freshReplica();
    // The reader thread opens the replica at its first read: here, once the fill has begun.
    let reader: Replica | undefined;
    try {
      const modes = new Set<string>();
      let reads = 0;
      await syncAs(sim, everyone, replica, {
        scopes: SCOPES.map((s) => ({ ...s })),
        readersBeside: true,
        onProgress: () => {
          modes.add(String(replica.sqlite.pragma('journal_mode', { simple: true })));
          reader ??= openReplicaWithKey({ file: replica.file, key: TEST_KEY });
          // A read from the other connection mid-fill answers at once (with busy_timeout 0 it would throw if locked).
          reader.sqlite.pragma('busy_timeout = 0');
          reader.sqlite.prepare('SELECT count(*) FROM clients').get();
          reads++;
        },
      });
      expect([...modes]).toEqual(['wal']);
      expect(reads).toBeGreaterThan(0);
    } finally {
      reader?.close();
      replica.close();
    }
  }, 60_000);
});
