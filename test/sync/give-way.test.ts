// A sync that gives way to a writer on another connection (the app's editor thread): when the writer
// says it waits, the sync commits its open transaction before its next piece, so the writer gets the
// lock at once (busy_timeout 0: no sleeping in SQLite), and the record it edited is kept — the sync
// reads pending edits inside its own write transaction, so the server's copy never overwrites it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEditServices } from '../../main/app/edits.js';
import { openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import type { WriteWaiters } from '../../main/sync/turns.js';
import { TEST_KEY, freshReplica } from '../support/db-fixtures.js';
import { syncAs, type Login } from '../support/sync-support.js';

const SCOPES = [{ group: 'clients', path: 'clients' }] as const;

describe('a sync beside a writer on another connection', () => {
  let sim: RunningSimulator;
  let everyone: Login;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 300, seed: 29 });
    everyone = sim.users[0]!;
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  /**
   * The replica synced once, then every client changed on the server (so the next sync rewrites
   * each of them), and an editor's connection to it that never waits for the lock (as the app's).
   */
  async function syncedThenChanged(replica: Replica, surname: (id: number) => string) {
    await syncAs(sim, everyone, replica, { scopes: SCOPES.map((s) => ({ ...s })), readersBeside: true });
    const ids = replica.sqlite.prepare('SELECT id FROM clients ORDER BY id').pluck().all() as number[];
    for (const id of ids) sim.store.bump('clients', id, { surname: surname(id) });
    const editor = openReplicaWithKey({ file: replica.file, key: TEST_KEY, migrate: false });
    editor.sqlite.pragma('busy_timeout = 0');
    const edits = createEditServices({ replica: () => editor, dialect: () => '2019', written: () => undefined });
    return { ids, editor, edits };
  }

  it("commits and gives way when the writer waits, and keeps the writer's edit over the server's copy", async () => {
    const replica = freshReplica();
    try {
      const { ids, editor, edits } = await syncedThenChanged(replica, (id) => `Server${id}`);
      const last = ids.at(-1)!; // written late in the sync: after the edit below
      let gaveWay = 0;
      let edited = false;
      const waiters: WriteWaiters = {
        // The writer arrives once the sync has begun writing (its transaction open between pieces).
        waiting: () => !edited && replica.sqlite.inTransaction,
        released: async () => {
          gaveWay++;
          await edits['clients:update']({ id: last, fields: { surname: 'Edited during the sync' } });
          edited = true;
        },
      };
      try {
        const summary = await syncAs(sim, everyone, replica, { scopes: SCOPES.map((s) => ({ ...s })), readersBeside: true, stepMs: 3, writeWaiters: waiters });
        expect(gaveWay).toBe(1);
        expect(summary.groups.clients.updated).toBe(ids.length - 1);
      } finally {
        editor.close();
      }
      const surname = replica.sqlite.prepare('SELECT surname FROM clients WHERE id = ?').pluck();
      expect(surname.get(last)).toBe('Edited during the sync');
      expect(surname.get(ids[0])).toBe(`Server${ids[0]}`);
      expect(replica.sqlite.prepare(`SELECT count(*) FROM outbox_entries WHERE state = 'pending'`).pluck().get()).toBe(1);
    } finally {
      replica.close();
    }
  }, 60_000);

  it('without a give-way, a writer that will not wait is refused while the sync holds its transaction', async () => {
    const replica = freshReplica();
    try {
      const { ids, editor, edits } = await syncedThenChanged(replica, (id) => `Again${id}`);
      const refusals: string[] = [];
      try {
        await syncAs(sim, everyone, replica, {
          scopes: SCOPES.map((s) => ({ ...s })),
          readersBeside: true,
          stepMs: 3,
          onProgress: () => {
            if (!replica.sqlite.inTransaction || refusals.length > 0) return;
            // The same edit, tried while the sync's transaction is open: SQLite says the lock is taken.
            edits['clients:update']({ id: ids[0]!, fields: { surname: 'Too soon' } }).catch((error: { code?: string }) => refusals.push(String(error.code)));
          },
        });
      } finally {
        editor.close();
      }
      expect(refusals[0]).toMatch(/^SQLITE_BUSY/);
    } finally {
      replica.close();
    }
  }, 60_000);
});
