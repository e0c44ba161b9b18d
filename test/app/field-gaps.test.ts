// The app core's answers to issue 16 through the real dispatcher, on a real encrypted replica and the
// demo's simulator on loopback: an admin adds the extension databases the charity uses (each checked
// with the server, read-only), sync brings their rows for the referrals in scope, a worker adds and
// edits rows offline and they reach the server once; files can be shown to groups, named by an admin
// when the server has no groups dictionary, and each person's choice is remembered.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient } from '../../main/api/client.js';
import type { AppCore } from '../../main/app/core.js';
import { lookUpGroupDictionary } from '../../main/app/upload-groups.js';
import type { RunningSimulator } from '../../main/sim/server.js';
import { startDemoCore, type DemoCore } from '../support/demo-core.js';

const KEY = 'b4'.repeat(32);
let demo: DemoCore;
let core: AppCore;
let sim: RunningSimulator;

const call: DemoCore['call'] = (channel, input) => demo.call(channel, input);
const failure: DemoCore['failure'] = (channel, input) => demo.failure(channel, input);

/** What the simulator holds for a database, for the referrals the worker sees. */
function serverRows(database: string, referrals: number[]): Array<Record<string, unknown>> {
  return sim.store.db.prepare(`SELECT * FROM ${database} WHERE referral IN (SELECT value FROM json_each(?)) ORDER BY id`).all(JSON.stringify(referrals)) as Array<Record<string, unknown>>;
}

function localReferrals(): number[] {
  return core.replica().sqlite.prepare('SELECT id FROM referrals WHERE id > 0 ORDER BY id').pluck().all() as number[];
}

beforeAll(async () => {
  demo = await startDemoCore('field-gaps', {
    key: KEY,
    demoOptions: { clients: 200, seed: 5 },
    pushTimings: { baseMs: 5, maxMs: 2_000, waitLimitMs: 50, settleMs: 10 },
  });
  ({ core, sim } = demo);
}, 120_000);

afterAll(async () => {
  await demo?.stop();
});

describe('extension databases in the app', () => {
  it('keeps none until an admin adds one, and the client record shows none', async () => {
    expect((await call('extensions:list', {})).databases).toEqual([]);
    expect(core.replica().sqlite.prepare('SELECT count(*) FROM extension_records').pluck().get()).toBe(0);
  });

  it('refuses a name the server does not know, with the reason, and keeps nothing', async () => {
    const error = await failure('extensions:add', { name: 'no_such_notes_77' });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/no extension database called "no_such_notes_77"/);
    expect((await call('extensions:list', {})).databases).toEqual([]);
  });

  it('takes a current-manual name without a suffix, and refuses a name the server does not answer for', async () => {
    // The current manual names extension databases without `_<id>`: the grammar and the server take it.
    const { databases } = await call('extensions:add', { name: 'wellcheck_notes' });
    expect(databases.map((d) => d.name)).toEqual(['wellcheck_notes']);
    expect(databases[0]!.fields).toContain('wellbeing_score_32');
    await call('extensions:remove', { name: 'wellcheck_notes' });
    // A name the server does not know: told why, nothing kept.
    const error = await failure('extensions:add', { name: 'no_such_notes' });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/no_such_notes/);
    expect((await call('extensions:list', {})).databases).toEqual([]);
  });

  it('checks a name with one read-only GET and keeps it with its fields from selectable_fields', async () => {
    const before = sim.store.db.prepare('SELECT count(*) FROM wellcheck_notes_9').pluck().get();
    const { databases } = await call('extensions:add', { name: 'wellcheck_notes_9' });
    expect(databases).toHaveLength(1);
    expect(databases[0]).toMatchObject({ name: 'wellcheck_notes_9', rows: 0 });
    expect(databases[0]!.fields).toEqual(['id', 'referral', 'client', 'date_31', 'wellbeing_score_32', 'notes_33', 'updated']);
    expect(databases[0]!.checkedAt).not.toBeNull();
    expect(sim.store.db.prepare('SELECT count(*) FROM wellcheck_notes_9').pluck().get()).toBe(before);
  });

  it('syncs the rows of the referrals in scope, and the client record and the referral show them', async () => {
    await call('sync:run', {});
    const expected = serverRows('wellcheck_notes_9', localReferrals());
    expect(expected.length).toBeGreaterThan(0);
    const local = core.replica().sqlite.prepare("SELECT id FROM extension_records WHERE database = 'wellcheck_notes_9' ORDER BY id").pluck().all();
    expect(local).toEqual(expected.map((r) => r.id));

    const row = expected[0]!;
    const clientView = await call('clients:get', { id: row.client as number });
    const db = clientView.extension_records.find((d) => d.database === 'wellcheck_notes_9');
    expect(db?.rows.map((r) => r.id)).toContain(row.id);
    const referralView = await call('extensions:for-referral', { referral: row.referral as number });
    expect(referralView.extension_records[0]!.rows.find((r) => r.id === row.id)).toMatchObject({ notes_33: row.notes_33, wellbeing_score_32: row.wellbeing_score_32 });
  }, 60_000);

  it('adds and edits rows offline, queued in the dialect, and the server gets each once', async () => {
    const referral = localReferrals()[0]!;
    sim.setFaults('reset-before=1');
    const created = await call('extensions:create-record', { database: 'wellcheck_notes_9', referral, fields: { date_31: '2026-11-02', wellbeing_score_32: 6, notes_33: 'Dŵr — offline note' } });
    expect(created.id).toBeLessThan(0);
    const existing = serverRows('wellcheck_notes_9', [referral])[0] ?? serverRows('wellcheck_notes_9', localReferrals())[0]!;
    await call('extensions:update-record', { database: 'wellcheck_notes_9', id: existing.id as number, fields: { notes_33: 'Edited offline' } });
    await call('extensions:update-record', { database: 'wellcheck_notes_9', id: created.id, fields: { wellbeing_score_32: 7 } });
    const entries = (await call('outbox:list', {})).entries.filter((e) => e.path.startsWith('extension_database'));
    expect(entries.map((e) => e.method).sort()).toEqual(['POST', 'POST', 'PUT']); // create PUT, update POST (both dialects)

    sim.setFaults('');
    await call('sync:run', {});
    const mine = sim.store.db.prepare('SELECT * FROM wellcheck_notes_9 WHERE notes_33 = ?').all('Dŵr — offline note') as Array<Record<string, unknown>>;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ referral, date_31: '2026-11-02', wellbeing_score_32: 7 });
    expect(sim.store.db.prepare('SELECT notes_33 FROM wellcheck_notes_9 WHERE id = ?').pluck().get(existing.id)).toBe('Edited offline');
    expect((await call('outbox:list', {})).entries.filter((e) => e.path.startsWith('extension_database'))).toEqual([]); // confirmed entries leave the list
  }, 60_000);

  it('refuses a row for a database not kept, and a field value of the wrong kind, naming the field', async () => {
    expect((await failure('extensions:create-record', { database: 'staff_disciplinary_13', referral: localReferrals()[0]!, fields: { notes_45: 'x' } })).message).toMatch(
      /not one of the extension databases kept/,
    );
    const bad = await failure('extensions:create-record', { database: 'wellcheck_notes_9', referral: localReferrals()[0]!, fields: { date_31: '31/02/2026' } });
    expect(bad.code).toBe('VALIDATION');
    expect((bad.details as { issues?: Array<{ path: string }> } | undefined)?.issues?.[0]?.path).toBe('fields.date_31');
  });

  it('stops keeping a database on request; its rows leave the device', async () => {
    const { databases } = await call('extensions:remove', { name: 'wellcheck_notes_9' });
    expect(databases).toEqual([]);
    expect(core.replica().sqlite.prepare("SELECT count(*) FROM extension_records WHERE database = 'wellcheck_notes_9'").pluck().get()).toBe(0);
  });
});

describe('group visibility for files', () => {
  it('looks for a groups dictionary on the server and says when there is none', async () => {
    const result = await call('groups:look-up', {});
    expect(result.found).toBe(false);
    expect(result.message).toMatch(/no groups dictionary/);
    expect(result.view.source).toBe('none');
  });

  it('lets an admin name groups, and a file sent to a group carries its id to the server once', async () => {
    const view = await call('groups:set', {
      groups: [
        { id: 4, name: 'Befriending team' },
        { id: 9, name: 'Safeguarding leads' },
      ],
    });
    expect(view).toMatchObject({
      source: 'settings',
      groups: [
        { id: 4, name: 'Befriending team' },
        { id: 9, name: 'Safeguarding leads' },
      ],
    });
    expect(
      (
        await failure('groups:set', {
          groups: [
            { id: 4, name: 'A' },
            { id: 4, name: 'B' },
          ],
        })
      ).code,
    ).toBe('VALIDATION');

    const referral = localReferrals()[0]!;
    await call('contacts:attach', {
      group: 'referrals',
      id: referral,
      user_visibility: [],
      group_visibility: [9],
      files: [{ filename: 'safeguarding.txt', contentType: 'text/plain', dataBase64: Buffer.from('note').toString('base64') }],
    });
    await call('groups:remember', { user_visibility: [], group_visibility: [9] });
    await call('sync:run', {});
    const uploads = sim.store.uploads().filter((u) => u.filename === 'safeguarding.txt');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ group: 'referrals', record: referral, group_visibility: [9] });
    expect((await call('groups:list', {})).remembered).toEqual({ user_visibility: [], group_visibility: [9] });
  }, 60_000);
});

describe('a server that has a groups dictionary', () => {
  it('is asked in the assumed order, read-only, and its [{id, name}] become the groups offered', async () => {
    // Nothing documents such a dictionary, so no simulator has one: a one-route server stands in.
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/v2/dictionary/users/user_groups') {
        res.end(
          JSON.stringify([
            { id: 12, name: 'Safeguarding leads' },
            { id: 0, name: 'not an id' },
            { id: 14, name: ' Volunteers ' },
          ]),
        );
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: 'unknown dictionary' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createDizionsClient({ baseUrl: `http://127.0.0.1:${port}/v2`, source: 's', org: 'o', user: 'u' });
    try {
      expect(await lookUpGroupDictionary(client)).toEqual({
        dictionary: 'dictionary/users/user_groups',
        groups: [
          { id: 12, name: 'Safeguarding leads' },
          { id: 14, name: 'Volunteers' },
        ],
      });
      expect(seen).toEqual(['GET /v2/dictionary/users/groups', 'GET /v2/dictionary/users/user_groups']);
    } finally {
      await client.close();
      server.close();
    }
  });
});
