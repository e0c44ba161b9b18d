// `caseworker queue`, `caseworker outbox` and the push inside `caseworker sync`, as a field worker
// runs them: real processes against a running simulator, one JSON line on stdout, one clear line on
// stderr when something is refused, a non-zero exit when the server refuses the keys.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaWithKey } from '../../main/db/open.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { serverCount } from '../support/outbox-support.js';
import { syncAs, type Login } from '../support/sync-support.js';
import { runCaseworker, type Run } from '../support/cli-process.js';
import { saveDialect } from '../../main/db/replica-dialect.js';

let sim: RunningSimulator;
let login: Login;
let dir: string;
let connection: Record<string, string>;

const caseworker = runCaseworker;

const line = (run: Run) => {
  expect(run.stdout.endsWith('\n') && run.stdout.split('\n').length === 2, `one JSON line, got: ${run.stdout}${run.stderr}`).toBe(true);
  return JSON.parse(run.stdout) as Record<string, any>;
};

/** A replica with my caseload, synced in-process (the CLI tests below start from there), its dialect saved as `sync --dialect` would. */
async function syncedReplica(name: string, dialect: '2019' | '2025' | null = '2019'): Promise<{ db: string; client: number; referral: { id: number; template: number; project: number } }> {
  const db = path.join(dir, `${name}.db`);
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY });
  try {
    await syncAs(sim, login, replica, { me: login.id });
    if (dialect) saveDialect(replica, dialect);
    const referral = replica.sqlite.prepare(`SELECT id, client, template, project FROM referrals WHERE id > 0 ORDER BY id LIMIT 1`).get() as {
      id: number;
      client: number;
      template: number;
      project: number;
    };
    return { db, client: referral.client, referral };
  } finally {
    replica.close();
  }
}

beforeAll(async () => {
  sim = await startSimulator({ clients: 40, seed: 5 });
  login = sim.users[0]!;
  connection = { CASEWORKER_SERVER: sim.url, CASEWORKER_SOURCE: login.source, CASEWORKER_ORG: login.org, CASEWORKER_USER: login.user };
  dir = tempDir('outbox-cli-');
});
afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Each process start costs a second or more on a busy machine: generous timeouts, cases run side by side.
describe.concurrent('caseworker queue, outbox and sync', { timeout: 180_000 }, () => {
  it('queues a client, a referral for it and an upload; refuses a bad edit naming the field; sync pushes them and says so', async () => {
    const { db } = await syncedReplica('queue');
    const file = path.join(dir, 'consent form.txt');
    fs.writeFileSync(file, 'signed consent');
    const client = line(await caseworker(['queue', '--db', db, 'PUT', 'clients', 'first_name=Ann', 'surname=Queuecli', 'dob=1980-02-29']));
    expect(client).toEqual({ temp_id: expect.any(Number), entry: 1 });
    expect(client.temp_id).toBeLessThan(0);

    const me = sim.store.users().find((u) => u.id === login.id)!;
    const project = me.projects[0]!;
    const stageRow = sim.store.db
      .prepare(
        `SELECT d.id AS stage, p.template FROM (SELECT json_extract(extra, '$.template') AS template FROM dictionaries WHERE table_ref = 'referrals/project' AND id = ?) p
      JOIN dictionaries d ON d.table_ref = 'referrals/stage' AND json_extract(d.extra, '$.template') = p.template ORDER BY d.id LIMIT 1`,
      )
      .get(project) as { stage: number; template: number };
    const [referral, upload, refused] = await Promise.all([
      caseworker([
        'queue',
        '--db',
        db,
        'PUT',
        'referrals',
        `client=${client.temp_id}`,
        'client_type=1',
        'date=2024-07-01',
        `project=${project}`,
        `template=${stageRow.template}`,
        `stage=${stageRow.stage}`,
        'description=queued from the command line',
      ]),
      caseworker(['queue', '--db', db, 'POST', `clients/id/${client.temp_id}/uploads`, `user_visibility=${login.id}`, 'group_visibility=1', '--file', file]),
      caseworker(['queue', '--db', db, 'PUT', 'clients', 'first_name=Nosurname', 'dob=1980-02-30']),
    ]);
    expect(line(referral)).toEqual({ temp_id: expect.any(Number), entry: expect.any(Number) });
    expect(line(upload)).toEqual({ temp_id: null, entry: expect.any(Number) });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/refused, nothing was queued: .*dob: expected a date.*surname: is mandatory when creating a client/);

    const listed = line(await caseworker(['outbox', '--db', db, 'list', '--json']));
    expect(listed.entries.map((e: any) => `${e.state} ${e.method} ${e.path}`).sort()).toEqual([`pending POST clients/id/${client.temp_id}/uploads`, 'pending PUT clients', 'pending PUT referrals']);

    const synced = await caseworker(['sync', '--db', db, '--json'], connection);
    expect(synced.code, synced.stderr).toBe(0);
    expect(line(synced)).toMatchObject({ sent: 3, confirmed: 3, reconciled: 0, failed: 0, in_doubt: 0, conflicts: 0 });
    expect(line(await caseworker(['outbox', '--db', db, 'list', '--json']))).toEqual({ entries: [] });
    const serverClient = sim.store.db.prepare(`SELECT id FROM clients WHERE surname = 'Queuecli'`).pluck().get() as number;
    expect(serverCount(sim, `SELECT count(*) FROM referrals WHERE client = ? AND description = 'queued from the command line'`, serverClient)).toBe(1);
    expect(sim.store.uploads().filter((u) => u.record === serverClient && u.filename === 'consent form.txt')).toHaveLength(1);
  });

  it('a 401 during sync pauses the outbox, says so and exits non-zero; the edit waits', async () => {
    const { db, client } = await syncedReplica('paused');
    line(await caseworker(['queue', '--db', db, 'POST', `clients/id/${client}`, 'telephone=01632 960777']));
    const refused = await caseworker(['sync', '--db', db, '--json'], { ...connection, CASEWORKER_USER: 'a-revoked-key' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/401.*paused/);
    const listed = line(await caseworker(['outbox', '--db', db, 'list', '--json']));
    expect(listed.paused).toMatch(/401/);
    expect(listed.entries).toEqual([expect.objectContaining({ state: 'pending', method: 'POST', path: `clients/id/${client}`, error: expect.stringMatching(/401/) })]);
  });

  it('a conflict is listed with both values and resolved per field; discard rolls an edit back', async () => {
    const { db, client, referral } = await syncedReplica('conflict');
    const update = line(await caseworker(['queue', '--db', db, 'POST', `clients/id/${client}`, 'telephone=01632 960100', 'email=me@example.org']));
    const regret = line(await caseworker(['queue', '--db', db, 'POST', `referrals/id/${referral.id}`, 'description=a change I regret']));
    sim.store.bump('clients', client, { telephone: '01632 960200' });
    const discarded = line(await caseworker(['outbox', '--db', db, 'discard', String(regret.entry), '--json']));
    expect(discarded).toEqual({ discarded: [regret.entry] });

    const first = line(await caseworker(['sync', '--db', db, '--json'], connection));
    expect(first).toMatchObject({ sent: 0, conflicts: 1 });
    const human = await caseworker(['outbox', '--db', db, 'list']);
    expect(human.stdout).toMatch(/conflict .*\n.*\n\s+telephone: mine "01632 960100", theirs "01632 960200"/);
    const bad = await caseworker(['outbox', '--db', db, 'resolve', String(update.entry), 'telephone=both']);
    expect(bad.code).toBe(2);
    const resolved = line(await caseworker(['outbox', '--db', db, 'resolve', String(update.entry), 'telephone=mine', '--json']));
    expect(resolved.entry).toMatchObject({ state: 'pending' });
    expect(line(await caseworker(['sync', '--db', db, '--json'], connection))).toMatchObject({ sent: 1, confirmed: 1, conflicts: 0 });
    expect(sim.store.db.prepare('SELECT telephone, email FROM clients WHERE id = ?').get(client)).toEqual({ telephone: '01632 960100', email: 'me@example.org' });
    expect(sim.store.db.prepare('SELECT description FROM referrals WHERE id = ?').pluck().get(referral.id)).not.toBe('a change I regret');
  });
});

describe.concurrent('caseworker queue reads paths in a dialect', { timeout: 180_000 }, () => {
  it('refuses with one line (exit 2) when no dialect is given or saved', async () => {
    const { db, client } = await syncedReplica('no-dialect', null);
    const refused = await caseworker(['queue', '--db', db, 'POST', `clients/id/${client}`, 'telephone=1']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/which dialect is this path written in\? give --dialect 2019\|2025/);
    expect(line(await caseworker(['outbox', '--db', db, 'list', '--json']))).toEqual({ entries: [] });
  });

  it('2025: record a contact, single records with or without /id/, relationships with temp ids on either side; listed in the dialect asked for', async () => {
    const { db, client, referral } = await syncedReplica('dialect-2025', null);
    const stage = sim.store.db
      .prepare(`SELECT id FROM dictionaries WHERE table_ref = 'referrals/stage' AND json_extract(extra, '$.template') = ? ORDER BY id`)
      .pluck()
      .get(referral.template) as number;
    const q = (...args: string[]) => caseworker(['queue', '--db', db, '--dialect', '2025', ...args]);
    const recorded = line(
      await q(
        'POST',
        `done_contacts/referral/${referral.id}`,
        `user=${login.id}`,
        `stage=${stage}`,
        'start_date=2026-11-04 14:00:00',
        'end_date=2026-11-04 14:15:00',
        'description=Extra info from the CLI',
      ),
    );
    expect(recorded.temp_id).toBeLessThan(0);
    // One after another: the listing below is in queue order.
    const bare = await q('PUT', `clients/${client}`, 'telephone=01632 960401');
    const withId = await q('PUT', `clients/id/${client}`, 'mobile=07700 900401');
    const created = await q('POST', 'clients', 'first_name=Temp', 'surname=Related');
    expect(line(bare).temp_id).toBeNull();
    expect(line(withId).temp_id).toBeNull();
    const temp = line(created).temp_id as number;
    const forward = await q('PUT', `relationship_details/${temp}/${client}`, 'relation_first_to_second=2801', 'relation_second_to_first=2803');
    const backward = await q('PUT', `relationship_details/${client}/${temp}`, 'relation_first_to_second=2803', 'relation_second_to_first=2801', 'major=Y');
    const seedWords = await caseworker([
      'queue',
      '--db',
      db,
      '--dialect',
      '2019',
      'POST',
      `clients/id/${client}`,
      `id_second=${temp}`,
      'relationship_first_to_second=2801',
      'relationship_second_to_first=2803',
      'major=Y',
    ]);
    expect(line(forward).temp_id).toBeNull();
    expect(line(backward).temp_id).toBeNull();
    expect(seedWords.code).toBe(1);
    expect(seedWords.stderr).toMatch(/refused, nothing was queued: major: cannot be sent .* 2019 dialect/);

    const listed = (dialect: string) => caseworker(['outbox', '--db', db, 'list', '--json', '--dialect', dialect]).then(line);
    const [current, seed] = await Promise.all([listed('2025'), listed('2019')]);
    const shown = (list: any) => list.entries.map((e: any) => `${e.operation} ${e.method} ${e.path}`);
    expect(shown(current)).toEqual([
      `record-contact POST done_contacts/referral/${referral.id}`,
      expect.stringMatching(new RegExp(`^update-client PUT clients/${client}$`)),
      expect.stringMatching(new RegExp(`^update-client PUT clients/${client}$`)),
      'create-client POST clients',
      `set-relationship PUT relationship_details/${temp}/${client}`,
      `set-relationship PUT relationship_details/${client}/${temp}`,
    ]);
    expect(shown(seed)).toEqual([
      `record-contact PUT due_contacts/referral/${referral.id}`,
      `update-client POST clients/id/${client}`,
      `update-client POST clients/id/${client}`,
      'create-client PUT clients',
      `set-relationship POST clients/id/${temp}`,
      `set-relationship POST clients/id/${client}`,
    ]);
  });
});
