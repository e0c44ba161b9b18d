// Each committed migration, tested as an upgrade: migrate to N-1, insert, migrate to N, assert that
// the data is intact and the new schema works on it. Also: the journal and the SQL files agree.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, migrateReplica, openReplicaWithKey, type Replica } from '../main/db/open.js';
import { answerPath } from '../main/db/answer-path.js';
import { getRecord, upsertRecords } from '../main/db/records.js';
import { searchClients } from '../main/db/search.js';
import { TEST_KEY, clientRecord, journalEntries, migrateFirst, tempDir } from './db-fixtures.js';

const opened: Array<{ replica: Replica; dir: string }> = [];
function unmigrated(): Replica {
  const dir = tempDir();
  const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: TEST_KEY, migrate: false });
  opened.push({ replica, dir });
  return replica;
}
afterEach(() => {
  for (const { replica, dir } of opened.splice(0)) {
    replica.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const plan = (replica: Replica, sql: string) =>
  (replica.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');

const tables = (replica: Replica) =>
  (replica.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);

describe('the committed migrations', () => {
  it('lists every SQL file in the journal, in order', () => {
    const tags = journalEntries().map((e) => e.tag);
    const files = fs.readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();
    expect(tags).toEqual(files);
    expect(tags.slice(0, 2)).toEqual(['0000_replica_tables', '0001_client_search']);
  });

  it('0000 creates the replica tables on an empty database', () => {
    const replica = unmigrated();
    migrateFirst(replica, 1);
    expect(tables(replica)).toEqual(expect.arrayContaining([
      'clients', 'contacts', 'dictionaries', 'extension_records', 'referrals', 'schedules', 'selectable_fields', 'sync_state', 'workers',
    ]));
    upsertRecords(replica, 'clients', [clientRecord(1)]);
    expect(getRecord(replica, 'clients', 1)).toEqual(clientRecord(1));
  });

  it('0001 indexes the clients and referrals already stored for search, and keeps them', () => {
    const replica = unmigrated();
    migrateFirst(replica, 1);
    upsertRecords(replica, 'clients', [clientRecord(1, { first_name: 'Ada', surname: 'Lovelace', postcode: 'LS6 2AB' }), clientRecord(2, { surname: 'Baker' })]);
    upsertRecords(replica, 'referrals', [{ id: 10, client: 2, description: 'Befriending after bereavement', updated: '2024-01-01 00:00:00' }]);
    expect(searchClientsOrError(replica, 'lovelace')).toMatch(/no such table/);

    migrateFirst(replica, 2);
    expect(searchClients(replica, 'lovelace').map((c) => c.id)).toEqual([1]);
    expect(searchClients(replica, 'LS62AB').map((c) => c.id)).toEqual([1]);
    expect(searchClients(replica, 'bereavement').map((c) => c.id)).toEqual([2]);
    expect(getRecord(replica, 'clients', 2)?.surname).toBe('Baker');
  });

  it('0006 indexes the contacts already stored by client, and the planner then starts client_* filters from the clients', () => {
    const replica = unmigrated();
    const at = journalEntries().findIndex((e) => e.tag === '0006_contacts_client_index');
    expect(at).toBeGreaterThan(0);
    migrateFirst(replica, at);
    upsertRecords(replica, 'clients', Array.from({ length: 200 }, (_, i) => clientRecord(i + 1, { district: (i % 20) + 1 })));
    upsertRecords(replica, 'done_contacts', Array.from({ length: 4000 }, (_, i) => ({ id: i + 1, client: (i % 200) + 1, user: i % 5, updated: '2024-01-01 00:00:00' })));

    migrateFirst(replica, at + 1);
    const index = replica.sqlite.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'contacts_client'`).get() as { sql: string } | undefined;
    expect(index?.sql).toMatch(/ON `contacts` \(`client`\)/);
    expect(replica.sqlite.prepare('SELECT count(*) AS n FROM contacts INDEXED BY contacts_client WHERE client = 7').get()).toEqual({ n: 20 });
    expect(getRecord(replica, 'done_contacts', 4000)?.client).toBe(200);
  });

  it('0008 orders the caseload by name without case from an index, and answers month reports from one', () => {
    const replica = unmigrated();
    const at = journalEntries().findIndex((e) => e.tag === '0008_report_and_caseload_indexes');
    expect(at).toBeGreaterThan(0);
    migrateFirst(replica, at);
    upsertRecords(replica, 'clients', [clientRecord(1, { surname: 'baker', first_name: 'Zoe' }), clientRecord(2, { surname: 'Adams' }), clientRecord(3, { surname: 'Baker', first_name: 'amy' })]);
    upsertRecords(replica, 'done_contacts', Array.from({ length: 300 }, (_, i) => ({ id: i + 1, user: (i % 3) + 1, start_date: `2025-0${(i % 4) + 1}-15 10:00:00`, updated: '2025-05-01 00:00:00' })));
    const monthly = () => answerPath(replica, 'done_contacts/dimension/month/metric/user');
    const before = monthly();

    migrateFirst(replica, at + 1);
    expect(monthly()).toEqual(before);
    expect(before).toContainEqual({ month: '2025-02', user: 2, count: 25 });
    const byName = `SELECT id FROM clients c ORDER BY c.surname COLLATE NOCASE, c.first_name COLLATE NOCASE, c.id LIMIT 2`;
    expect(replica.sqlite.prepare(byName).pluck().all()).toEqual([2, 3]);
    expect(plan(replica, byName)).toMatch(/USING COVERING INDEX clients_surname/);
    expect(plan(replica, byName)).not.toMatch(/TEMP B-TREE/);
    const report = `SELECT substr(t.start_date, 1, 7), t.user, count(*) FROM contacts t WHERE t.state = 'done' GROUP BY 1, 2 ORDER BY 1, 2`;
    expect(plan(replica, report)).toMatch(/USING INDEX contacts_state_month_user/);
    expect(plan(replica, report)).not.toMatch(/TEMP B-TREE/);
  });

  it('applying all migrations twice changes nothing the second time', () => {
    const replica = unmigrated();
    migrateReplica(replica);
    upsertRecords(replica, 'clients', [clientRecord(1)]);
    const count = (replica.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    migrateReplica(replica);
    expect((replica.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(count);
    expect(count).toBe(journalEntries().length);
    expect(searchClients(replica, 'first1').map((c) => c.id)).toEqual([1]);
  });
});

function searchClientsOrError(replica: Replica, text: string): string {
  try {
    return JSON.stringify(searchClients(replica, text));
  } catch (error) {
    return (error as Error).message;
  }
}
