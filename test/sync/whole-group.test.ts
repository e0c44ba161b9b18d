// When most of a group listed by one path is to fetch — a scope made wider, a --full sync — the
// download streams that path whole in one GET instead of asking for it 1,000 ids at a time, and
// ends where a clean sync of the scope ends: same rows, nothing current rewritten, pending edits kept.
// A table about to grow many times over has its indexes set aside for the download, as a fill does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Replica } from '../../main/db/open.js';
import { getRecord } from '../../main/db/records.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import type { RecordGroup } from '../../shared/dizions/model.js';
import { parsePath, type RecordsPath } from '../../shared/url-grammar.js';
import { freshReplica } from '../support/db-fixtures.js';
import { getsSince, type Login, markPending, replicaContents, syncAs } from '../support/sync-support.js';

const WHOLE: Array<{ group: RecordGroup; path: string }> = [
  { group: 'clients', path: 'clients' },
  { group: 'referrals', path: 'referrals' },
  { group: 'due_contacts', path: 'due_contacts' },
  { group: 'done_contacts', path: 'done_contacts' },
];

const contactIndexes = (replica: Replica) =>
  replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL ORDER BY name`).pluck().all() as string[];

/** The GETs of `group` that ask for whole records (a listing asks for a handful of fields). */
function recordGets(paths: string[], group: string): RecordsPath[] {
  return paths.map((p) => parsePath(p) as RecordsPath).filter((p) => p.kind === 'records' && p.group === group && (p.fields?.length ?? 99) > 5);
}

describe('a download of most of a group', () => {
  let sim: RunningSimulator;
  let everyone: Login;
  beforeAll(async () => {
    sim = await startSimulator({ clients: 300, seed: 29 });
    everyone = sim.users[0]!;
    sim.store.joinEveryProject(everyone.id);
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it('a scope made wider streams the group whole, keeps a pending edit, and ends as a clean sync of the wider scope', async () => {
    const widened = freshReplica();
    const clean = freshReplica();
    try {
      // One project's done contacts first, then the whole organisation's.
      const project = (sim.store.db.prepare(`SELECT project FROM contacts WHERE project IS NOT NULL GROUP BY project ORDER BY count(*) LIMIT 1`).get() as { project: number }).project;
      const narrow = WHOLE.map((s) => (s.group === 'done_contacts' ? { ...s, path: `done_contacts/project/${project}` } : { ...s }));
      const first = await syncAs(sim, everyone, widened, { scopes: narrow });
      const kept = (widened.sqlite.prepare(`SELECT id FROM contacts WHERE state = 'done' ORDER BY id LIMIT 1`).get() as { id: number }).id;
      markPending(widened, 'contacts', [kept]);
      widened.sqlite.prepare(`UPDATE contacts SET raw = json_set(raw, '$.description', 'my edit, not yet sent') WHERE id = ?`).run(kept);

      const from = sim.requestLog.length;
      const indexesWhileDownloading = new Set<number>();
      const second = await syncAs(sim, everyone, widened, {
        scopes: WHOLE.map((s) => ({ ...s })),
        onProgress: (event) => {
          if (event.phase === 'downloading' && event.group === 'done_contacts') indexesWhileDownloading.add(contactIndexes(widened).length);
        },
      });
      // The contacts table grew many times over: its indexes were set aside for the download, then built.
      expect([...indexesWhileDownloading]).toEqual([0]);
      expect(contactIndexes(widened)).toEqual(contactIndexes(clean));
      expect(widened.sqlite.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger'`).pluck().get()).toBe(
        clean.sqlite.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger'`).pluck().get(),
      );
      const gets = recordGets(getsSince(sim, from), 'done_contacts');
      expect(gets.map((p) => p.pairs.map((pair) => pair.key))).toEqual([[]]); // one GET of the scope, no id batch
      expect(second.groups.done_contacts.inserted).toBeGreaterThan(first.groups.done_contacts.inserted * 2);
      expect(getRecord(widened, 'done_contacts', kept)?.description).toBe('my edit, not yet sent');

      await syncAs(sim, everyone, clean, { scopes: WHOLE.map((s) => ({ ...s })) });
      const rows = (replica: Replica) => replicaContents(replica).contacts!.filter((row) => !row.startsWith(`${kept} `));
      expect(rows(widened)).toEqual(rows(clean));
    } finally {
      widened.close();
      clean.close();
    }
  });

  it('a --full sync streams a group larger than one id batch whole and rewrites no row that is current', async () => {
    const replica = freshReplica();
    try {
      await syncAs(sim, everyone, replica, { scopes: WHOLE.map((s) => ({ ...s })) });
      const before = replicaContents(replica);
      replica.sqlite.exec('CREATE TEMP TABLE rewrites (id); CREATE TEMP TRIGGER note_rewrite AFTER UPDATE ON contacts BEGIN INSERT INTO rewrites VALUES (new.id); END;');
      const from = sim.requestLog.length;
      const full = await syncAs(sim, everyone, replica, { scopes: WHOLE.map((s) => ({ ...s })), full: true });
      const gets = getsSince(sim, from);
      // Done contacts (thousands here) in one GET of the scope; referrals (fewer than one batch holds) by id.
      expect(recordGets(gets, 'done_contacts').map((p) => p.pairs.length)).toEqual([0]);
      expect(recordGets(gets, 'referrals').map((p) => p.pairs.map((pair) => pair.key))).toEqual([['id']]);
      expect(full.groups.done_contacts.fetched).toBe(before.contacts!.filter((row) => row.includes(' done ')).length);
      expect(full.groups.done_contacts.updated + full.groups.done_contacts.inserted).toBe(0);
      expect(replica.sqlite.prepare('SELECT count(*) FROM rewrites').pluck().get()).toBe(0);
      expect(replicaContents(replica)).toEqual(before);
    } finally {
      replica.close();
    }
  });
});
