// The report engine answers a report path from a fully synced replica exactly as the server does:
// the same rows (ids, counts, the null row) for the issue's examples, every time dimension, metrics
// with empty values, and every filter key of clients, referrals and contacts — compared with the
// simulator's own answer for the same user. Then: names, filters in words, freshness, and sums
// checked against totals computed straight from the simulator's store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Replica } from '../../main/db/open.js';
import { ReportError, runReport } from '../../main/reports/engine.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { CLIENT_FILTERS, CONTACT_FILTERS, REFERRAL_FILTERS, TIME_DIMENSIONS, isRangeKey } from '../../shared/dizions/model.js';
import { freshReplica } from '../support/db-fixtures.js';
import { serverRows, syncAs, type Login } from '../support/sync-support.js';

let sim: RunningSimulator;
let priya: Login;
/** Every group synced whole (what Priya can see), so the replica holds all the server would count. */
let full: Replica;

const WHOLE = (['clients', 'referrals', 'due_contacts', 'done_contacts', 'schedules'] as const).map((group) => ({ group, path: group }));

beforeAll(async () => {
  sim = await startSimulator({ clients: 250, seed: 11 });
  priya = sim.users[0]!;
  full = freshReplica();
  await syncAs(sim, priya, full, { scopes: WHOLE });
}, 30_000);
afterAll(async () => {
  full?.close();
  await sim?.close();
});

type Row = Record<string, unknown>;
const sorted = (rows: Row[]) => rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();

/** The most common non-null value of a replica column (so the filter selects real records); `fallback` when it is always empty. */
function commonValue(sql: string, fallback?: string): string {
  const value = full.sqlite.prepare(`SELECT v FROM (${sql}) WHERE v IS NOT NULL GROUP BY v ORDER BY count(*) DESC, v LIMIT 1`).pluck().get();
  if (value === undefined && fallback === undefined) throw new Error(`no value for ${sql}`);
  return String(value ?? fallback);
}

const common = (sql: string) => commonValue(sql);

async function expectParity(path: string): Promise<Row[]> {
  const server = await serverRows(sim, priya, path);
  const offline = runReport(full, path).rows;
  expect(sorted(offline), path).toEqual(sorted(server));
  return server;
}

describe('parity with the server over a fully synced replica', () => {
  it("answers the issue's three examples exactly as the server does", async () => {
    const disabilities = full.sqlite
      .prepare(`SELECT main_disability FROM clients WHERE blue_badge_holder = 'Y' AND main_disability IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 2`)
      .pluck()
      .all() as number[];
    const month = common(`SELECT substr(start_date, 1, 7) AS v FROM contacts WHERE state = 'done' AND user = ${priya.id}`);
    const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();

    const byDistrict = await expectParity('clients/dimension/district');
    const crossed = await expectParity(`clients/dimension/district/metric/gender/main_disability/${disabilities.join(';')}/blue_badge_holder/Y`);
    const byDay = await expectParity(`done_contacts/dimension/day/date_active/${month}-01,${month}-${last}/user/${priya.id}`);

    expect(byDistrict.reduce((n, r) => n + Number(r.count), 0)).toBe(full.sqlite.prepare('SELECT count(*) FROM clients').pluck().get());
    expect(crossed.length).toBeGreaterThan(1);
    expect(byDay.length).toBeGreaterThan(1);
    expect(byDay.every((r) => String(r.day).startsWith(month))).toBe(true);
  });

  it('answers every time dimension (day, week, month, year) of every dated group', async () => {
    for (const group of ['referrals', 'due_contacts', 'done_contacts', 'schedules']) {
      for (const dimension of TIME_DIMENSIONS) {
        const rows = await expectParity(`${group}/dimension/${dimension}`);
        expect(rows.length, `${group} by ${dimension}`).toBeGreaterThan(0);
      }
    }
    await expectParity('done_contacts/dimension/week/metric/user');
    await expectParity('referrals/dimension/month/metric/stage');
  });

  it('keeps records without a value in a null row, as a dimension and as a metric', async () => {
    const transport = await expectParity('done_contacts/dimension/project/metric/transport_method');
    expect(transport.some((r) => r.transport_method === null)).toBe(true);
    const sponsor = await expectParity('referrals/dimension/stage/metric/funding_sponsor');
    expect(sponsor.some((r) => r.funding_sponsor === null)).toBe(true);
    const orientation = await expectParity('clients/dimension/sexual_orientation');
    expect(orientation.some((r) => r.sexual_orientation === null)).toBe(true);
    await expectParity('done_contacts/dimension/priority');
  });

  it('applies every filter key of clients, referrals and done and due contacts as the server does (client_* and referral-level keys joined)', async () => {
    const referralOwn = new Set(full.sqlite.prepare(`SELECT name FROM pragma_table_info('referrals')`).pluck().all() as string[]);
    const contactOwn = new Set(full.sqlite.prepare(`SELECT name FROM pragma_table_info('contacts')`).pluck().all() as string[]);
    // A field the simulator never fills (a referral's additional_org_person, a due contact's stage)
    // takes the id 1: it matches nothing, on both sides alike.
    const common = (sql: string) => commonValue(sql, '1');
    const valueFor = (group: string, key: string): string => {
      if (key === 'project_active') return 'Y';
      if (key === 'project_name') return common(`SELECT d.name AS v FROM referrals r JOIN dictionaries d ON d.table_ref = 'referrals/project' AND d.id = r.project`);
      if (key.startsWith('client_')) return common(`SELECT "${key === 'client_type' ? 'type' : key.slice(7)}" AS v FROM clients`);
      if (group === 'clients') return common(`SELECT "${key}" AS v FROM clients`);
      if (group === 'referrals') return common(`SELECT "${key}" AS v FROM referrals`);
      const state = group === 'done_contacts' ? 'done' : 'due';
      if (contactOwn.has(key)) {
        const column = key === 'start_date' || key === 'end_date' ? `substr("${key}", 1, 10)` : `"${key}"`;
        return common(`SELECT ${column} AS v FROM contacts WHERE state = '${state}'`);
      }
      if (referralOwn.has(key)) return common(`SELECT r."${key}" AS v FROM contacts c JOIN referrals r ON r.id = c.referral WHERE c.state = '${state}'`);
      throw new Error(`no value source for ${group}/${key}`);
    };
    const keys: Record<string, readonly string[]> = {
      clients: CLIENT_FILTERS,
      referrals: REFERRAL_FILTERS.filter((k) => !isRangeKey(k)),
      done_contacts: CONTACT_FILTERS,
      due_contacts: CONTACT_FILTERS,
    };
    let checked = 0;
    let nonEmpty = 0;
    const empty: string[] = [];
    for (const [group, list] of Object.entries(keys)) {
      const dimension = group === 'clients' ? 'gender' : 'month';
      for (const key of list) {
        const rows = await expectParity(`${group}/dimension/${dimension}/${key}/${encodeURIComponent(valueFor(group, key))}`);
        checked++;
        if (rows.length > 0) nonEmpty++;
        else empty.push(`${group}/${key}`);
      }
    }
    expect(checked).toBe(CLIENT_FILTERS.length + keys.referrals!.length + 2 * CONTACT_FILTERS.length);
    // A value taken from the replica finds records on the server too (a few joined keys may legitimately find none).
    expect(nonEmpty / checked, `empty: ${empty.join(', ')}`).toBeGreaterThan(0.9);
  });

  it('applies date ranges: date_active for contacts and referrals, date and updated for referrals', async () => {
    const month = common(`SELECT substr(start_date, 1, 7) AS v FROM contacts WHERE state = 'done'`);
    const range = `${month}-01,${month}-28`;
    expect((await expectParity(`done_contacts/dimension/day/date_active/${range}`)).length).toBeGreaterThan(0);
    await expectParity(`due_contacts/dimension/user/date_active/${range}`);
    expect((await expectParity(`referrals/dimension/stage/date_active/${range}`)).length).toBeGreaterThan(0);
    await expectParity(`referrals/dimension/project/date/${range}`);
    const updated = common(`SELECT substr(updated, 1, 10) AS v FROM referrals`);
    await expectParity(`referrals/dimension/stage/updated/${updated},${updated}`);
  });
});

describe('what the report shows besides the rows', () => {
  it('names dictionary ids, users and flags, never changing the server-shaped rows', async () => {
    const table = runReport(full, 'clients/dimension/district/metric/gender');
    const districts = new Map((sim.store.dictionaries().get('organisations/district') ?? []).map((d) => [String(d.id), d.name]));
    const genders = new Map((sim.store.dictionaries().get('organisations/gender') ?? []).map((d) => [String(d.id), d.name]));
    for (const row of table.rows) {
      expect(table.names.district?.[String(row.district)]).toBe(districts.get(String(row.district)));
      expect(table.names.gender?.[String(row.gender)]).toBe(genders.get(String(row.gender)));
    }
    expect(sorted(table.rows)).toEqual(sorted(await serverRows(sim, priya, 'clients/dimension/district/metric/gender')));

    const byUser = runReport(full, 'done_contacts/dimension/user/metric/contact_type');
    expect(byUser.names.user?.[String(priya.id)]).toBe('Priya Shah');
    expect(Object.keys(byUser.names.contact_type ?? {}).length).toBeGreaterThan(0);
    expect(runReport(full, 'clients/dimension/blue_badge_holder').names.blue_badge_holder).toEqual({ Y: 'Yes', N: 'No' });
    expect(runReport(full, 'done_contacts/dimension/month').names).toEqual({});
  });

  it('describes the filters in words and says how fresh and complete the replica is', () => {
    const project = common(`SELECT project AS v FROM contacts WHERE state = 'done'`);
    const projectName = full.sqlite.prepare(`SELECT name FROM dictionaries WHERE table_ref = 'referrals/project' AND id = ?`).pluck().get(project);
    const table = runReport(full, `done_contacts/dimension/day/date_active/2025-10-01,2025-10-31/user/${priya.id}/project/${project}`, { title: 'October visits' });
    expect(table.definition).toMatchObject({ title: 'October visits', group: 'done_contacts', dimension: 'day' });
    expect(table.definition.filters).toEqual([
      { key: 'date_active', label: 'Date active', values: ['01/10/2025 to 31/10/2025'] },
      { key: 'user', label: 'User', values: ['Priya Shah'] },
      { key: 'project', label: 'Project', values: [projectName] },
    ]);
    expect(table.replicaFreshness.scoped).toBe(false);
    expect(table.replicaFreshness.lastSyncedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(table.replicaFreshness.note).toMatch(/everything Priya Shah \(user 1\) can see/);
  });

  it('over a default-scope replica, says the figures cover only what was synced', async () => {
    const mine = freshReplica();
    try {
      await syncAs(sim, priya, mine);
      const table = runReport(mine, 'done_contacts/dimension/project');
      expect(table.replicaFreshness.scoped).toBe(true);
      expect(table.replicaFreshness.note).toMatch(/^Covers what was synced to this device for Priya Shah \(user 1\) \(done contacts: .*within the last 12 months\), not the whole organisation/);
      // A whole-group scope elsewhere does not make a joined group complete.
      await syncAs(sim, priya, mine, { scopes: [{ group: 'done_contacts', path: 'done_contacts' }] });
      expect(runReport(mine, 'done_contacts/dimension/project').replicaFreshness.scoped).toBe(false);
      expect(runReport(mine, 'done_contacts/dimension/project/client_gender/1').replicaFreshness.scoped).toBe(true);
    } finally {
      mine.close();
    }
  });
});

describe('sums: travel time and mileage beside the counts', () => {
  /** Totals straight from the simulator's store for what Priya can see, keyed like the report rows. */
  function storeTotals(groupBy: string, where = '1'): Map<string, { count: number; travel_time: number; travel_mileage: number }> {
    const rows = sim.store.db
      .prepare(
        `SELECT ${groupBy} AS k, count(*) AS count, total(travel_time) AS travel_time, total(travel_mileage) AS travel_mileage FROM contacts
        WHERE done = 1 AND project IN (SELECT project_id FROM user_projects WHERE user_id = ?) AND ${where} GROUP BY k`,
      )
      .all(priya.id) as Array<{ k: unknown; count: number; travel_time: number; travel_mileage: number }>;
    return new Map(rows.map(({ k, ...rest }) => [JSON.stringify(k), rest]));
  }

  it("totals travel time and mileage per row, aligned with the rows, equal to the store's own totals", () => {
    const table = runReport(full, 'done_contacts/dimension/project', { sums: true });
    const expected = storeTotals('project');
    expect(table.sums).toHaveLength(table.rows.length);
    expect(table.rows.length).toBe(expected.size);
    table.rows.forEach((row, i) => {
      const want = expected.get(JSON.stringify(row.project))!;
      expect(row.count).toBe(want.count);
      expect(table.sums![i]!.travel_time).toBeCloseTo(want.travel_time, 6);
      expect(table.sums![i]!.travel_mileage).toBeCloseTo(want.travel_mileage, 6);
    });
    expect(table.sums!.some((s) => (s.travel_time ?? 0) > 0)).toBe(true);
  });

  it("with a metric and filters too, and the rows stay exactly the server's", async () => {
    const path = `done_contacts/dimension/month/metric/user/project/${common(`SELECT project AS v FROM contacts WHERE state = 'done'`)}`;
    const table = runReport(full, path, { sums: true });
    const project = Number(path.split('/').pop());
    const expected = storeTotals(`json_array(substr(start_date, 1, 7), user)`, `project = ${project}`);
    table.rows.forEach((row, i) => {
      const want = expected.get(JSON.stringify(JSON.stringify([row.month, row.user])))!;
      expect(want, `${row.month} ${row.user}`).toBeDefined();
      expect(table.sums![i]!.travel_time).toBeCloseTo(want.travel_time, 6);
      expect(table.sums![i]!.travel_mileage).toBeCloseTo(want.travel_mileage, 6);
    });
    expect(sorted(table.rows)).toEqual(sorted(await serverRows(sim, priya, path)));
    expect(table.rows.every((row) => !('travel_time' in row))).toBe(true);
  });

  it('refuses sums where there are no travel figures, and leaves them out unless asked', () => {
    expect(() => runReport(full, 'clients/dimension/district', { sums: true })).toThrow(ReportError);
    expect(() => runReport(full, 'referrals/dimension/stage', { sums: true })).toThrow(/only due and done contacts carry; referrals has none/);
    expect(runReport(full, 'due_contacts/dimension/week', { sums: true }).sums).toBeDefined();
    expect(runReport(full, 'done_contacts/dimension/project').sums).toBeUndefined();
  });

  it('refuses what is not a report, or what the server would refuse, in words', () => {
    expect(() => runReport(full, 'clients/district/3')).toThrow(/is not a report: a report path is <group>\/dimension/);
    expect(() => runReport(full, 'clients/dimension/nope')).toThrow(/unknown dimension "nope"/);
    expect(() => runReport(full, 'clients//dimension')).toThrow(/not a valid path/);
  });
});
