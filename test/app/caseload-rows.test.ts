// What each caseload row shows — the client's name and postcode as the server sent them, its open and
// pending referrals newest first, the soonest due action through its referrals, the unsent count —
// now that a page's rows are read in a few queries for the whole page rather than a few per row: on a
// real encrypted replica, first with records written to catch a due action or a referral landing on
// the wrong row, then on a replica synced from the simulator, every row against its client read alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCaseload } from '../../main/app/caseload.js';
import { deferIndexes, restoreDeferredIndexes } from '../../main/db/deferred-indexes.js';
import type { Replica } from '../../main/db/open.js';
import { upsertDictionary, upsertRecords } from '../../main/db/records.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { TIMESTAMP_PATTERN } from '../../shared/dizions/assumptions.js';
import type { CaseloadRow } from '../../shared/ipc/caseload.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';
import { markPending, syncAs } from '../support/sync-support.js';

const OPEN = 11;
const CLOSED = 12;
const PENDING = 13;
const UNKNOWN_STAGE = 99; // not in the stage dictionary

function referral(id: number, client: number, stage: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, client, project: 3, stage, priority: 2, date: `2025-0${(id % 9) + 1}-01`, description: `Referral ${id}`, ...fields };
}

function due(id: number, referralId: number, client: number, start: string | null): Record<string, unknown> {
  return { id, referral: referralId, client, user: 7, project: 3, start_date: start, end_date: start, description: `Due ${id}` };
}

describe('caseload rows, page by page, on written records', () => {
  let replica: Replica;

  beforeAll(() => {
    replica = freshReplica();
    upsertDictionary(replica, 'referrals/stage', [
      { id: OPEN, name: 'Assessment', template: 1, status: 'Open' },
      { id: CLOSED, name: 'Closed', template: 1, status: 'Closed' },
      { id: PENDING, name: 'Waiting', template: 1, status: 'Pending' },
    ]);
    upsertRecords(replica, 'clients', [
      clientRecord(1, { first_name: 'Ada', surname: 'Adams', postcode: 'LS1 1AA' }),
      clientRecord(2, { first_name: 'Bo', surname: 'Baker', postcode: 'LS2 2BB' }),
      clientRecord(3, { first_name: '', surname: 'Cole', postcode: 12345 }), // as sent: '' stays '', a number is no postcode
      clientRecord(4, { first_name: 'Di', surname: 'Dunn', postcode: null }),
      clientRecord(5, { first_name: 'Ed', surname: 'Evans', postcode: 'LS5 5EE' }),
    ]);
    upsertRecords(replica, 'referrals', [
      referral(101, 1, OPEN, { date: '2025-03-01' }),
      referral(102, 1, CLOSED, { date: '2025-05-01' }),
      referral(103, 1, UNKNOWN_STAGE, { date: '2025-04-01', priority: true }),
      referral(104, 1, PENDING, { date: '2025-02-01', project: '5' }), // a project sent as text is no project id
      referral(301, 3, OPEN, { date: '' }),
      referral(401, 4, OPEN),
      referral(402, 4, CLOSED),
      referral(501, 5, OPEN, { priority: { nested: 1 } }),
    ]);
    upsertRecords(replica, 'due_contacts', [
      due(1001, 101, 1, '2026-03-01 10:00:00'),
      due(1002, 101, 1, '2026-01-05 09:00:00'),
      due(1003, 102, 1, '2025-12-01 08:30:00'), // on a closed referral: still the client's soonest
      due(3001, 301, 3, null), // no start: not an action date
      due(4001, 401, 4, '2026-02-02 14:00:00'),
      due(4002, 402, 4, '2026-07-07 07:07:00'),
      due(5001, 501, 5, '2026-02-03 15:00:00'),
    ]);
    upsertRecords(replica, 'done_contacts', [
      { ...due(1009, 101, 1, '2024-01-01 09:00:00'), description: 'Done long ago' }, // earlier, but done
      { ...due(5009, 501, 5, '2025-01-01 09:00:00'), description: 'Done' },
    ]);
    markPending(replica, 'referrals', [401]);
  });

  afterAll(() => replica?.close());

  const byId = (rows: CaseloadRow[]) => new Map(rows.map((r) => [r.client.id, r]));

  it("shows each client's own open and pending referrals, newest first, with the values the server sent", () => {
    const rows = byId(listCaseload(replica, { sort: 'surname', limit: 200 }).rows);
    expect(rows.get(1)!.referrals).toEqual([
      { id: 103, project: 3, stage: UNKNOWN_STAGE, status: null, priority: 'Y', date: '2025-04-01' },
      { id: 101, project: 3, stage: OPEN, status: 'Open', priority: 2, date: '2025-03-01' },
      { id: 104, project: null, stage: PENDING, status: 'Pending', priority: 2, date: '2025-02-01' },
    ]);
    expect(rows.get(2)!.referrals).toEqual([]);
    expect(rows.get(3)!.referrals).toEqual([{ id: 301, project: 3, stage: OPEN, status: 'Open', priority: 2, date: '' }]);
    expect(rows.get(4)!.referrals.map((r) => r.id)).toEqual([401]);
    expect(rows.get(5)!.referrals).toEqual([{ id: 501, project: 3, stage: OPEN, status: 'Open', priority: null, date: '2025-07-01' }]);
    expect(rows.get(3)!.client).toEqual({ id: 3, first_name: '', surname: 'Cole', postcode: null });
    expect(rows.get(4)!.client).toEqual({ id: 4, first_name: 'Di', surname: 'Dunn', postcode: null });
  });

  it("gives each client the soonest of its own due actions, through any of its referrals, and no done contact's date", () => {
    const rows = byId(listCaseload(replica, { sort: 'surname', limit: 200 }).rows);
    expect(rows.get(1)!.next_action).toBe('2025-12-01 08:30:00');
    expect(rows.get(2)!.next_action).toBeNull();
    expect(rows.get(3)!.next_action).toBeNull();
    expect(rows.get(4)!.next_action).toBe('2026-02-02 14:00:00');
    expect(rows.get(5)!.next_action).toBe('2026-02-03 15:00:00');
    expect(rows.get(4)!.pending).toBe(1);
    expect(rows.get(5)!.pending).toBe(0);
  });

  it('keeps every row with its own client on every page, in every order', () => {
    const whole = byId(listCaseload(replica, { sort: 'surname', limit: 200 }).rows);
    for (const sort of ['surname', 'next_action', 'updated'] as const) {
      for (const descending of [false, true]) {
        const all = listCaseload(replica, { sort, descending, limit: 200 }).rows;
        const paged: CaseloadRow[] = [];
        for (let offset = 0; offset < all.length; offset += 2) paged.push(...listCaseload(replica, { sort, descending, offset, limit: 2 }).rows);
        expect(paged).toEqual(all);
        for (const row of paged) expect(row).toEqual(whole.get(row.client.id));
      }
    }
    const soonestFirst = listCaseload(replica, { sort: 'next_action', limit: 200 }).rows.map((r) => r.client.id);
    expect(soonestFirst.slice(0, 3)).toEqual([1, 4, 5]);
  });

  it('orders by next action the same while a first fill has the name index set aside', () => {
    const order = () => listCaseload(replica, { sort: 'next_action', limit: 200 }).rows.map((r) => r.client.id);
    const withIndex = order();
    deferIndexes(replica, ['clients']);
    try {
      expect(order()).toEqual(withIndex);
    } finally {
      restoreDeferredIndexes(replica);
    }
  });
});

describe('caseload rows on a replica synced from the simulator', () => {
  let sim: RunningSimulator;
  let replica: Replica;

  beforeAll(async () => {
    sim = await startSimulator({ clients: 250, seed: 23 });
    replica = freshReplica();
    await syncAs(sim, sim.users[0]!, replica, {
      scopes: (['clients', 'referrals', 'due_contacts', 'done_contacts'] as const).map((group) => ({ group, path: group })),
    });
  });

  afterAll(async () => {
    replica?.close();
    await sim?.close();
  });

  /** One client's row read alone, from its whole stored records (the per-row reading the page replaced). */
  function rowReadAlone(id: number): Omit<CaseloadRow, 'pending'> {
    const sqlite = replica.sqlite;
    const client = JSON.parse(sqlite.prepare('SELECT raw FROM clients WHERE id = ?').pluck().get(id) as string) as Record<string, unknown>;
    const statuses = new Map(
      (sqlite.prepare(`SELECT id, json_extract(extra, '$.status') AS status FROM dictionaries WHERE table_ref = 'referrals/stage'`).all() as Array<{ id: number; status: string }>).map((s) => [
        s.id,
        s.status,
      ]),
    );
    const referrals = (sqlite.prepare('SELECT raw FROM referrals WHERE client = ? ORDER BY date DESC, id DESC').pluck().all(id) as string[])
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .map((r) => ({ r, status: typeof r.stage === 'number' ? (statuses.get(r.stage) ?? null) : null }))
      .filter(({ status }) => status !== 'Closed')
      .map(({ r, status }) => ({
        id: r.id as number,
        project: typeof r.project === 'number' ? r.project : null,
        stage: typeof r.stage === 'number' ? r.stage : null,
        status: status as CaseloadRow['referrals'][number]['status'],
        priority: (r.priority ?? null) as number | null,
        date: (r.date ?? null) as string | null,
      }));
    const dueStarts = sqlite
      .prepare(`SELECT c.start_date FROM contacts c JOIN referrals r ON r.id = c.referral WHERE r.client = ? AND c.state = 'due' AND c.start_date IS NOT NULL`)
      .pluck()
      .all(id) as string[];
    const soonest = dueStarts.sort()[0];
    return {
      client: { id, first_name: client.first_name as string, surname: client.surname as string, postcode: (client.postcode ?? null) as string | null },
      referrals,
      next_action: soonest !== undefined && TIMESTAMP_PATTERN.test(soonest) ? soonest : null,
    };
  }

  it('shows on every row what that client alone would show, on every page of every order', () => {
    const total = listCaseload(replica, {}).total;
    expect(total).toBeGreaterThan(60); // the clients this login sees: several pages
    let withActions = 0;
    let withReferrals = 0;
    for (const sort of ['surname', 'next_action'] as const) {
      for (let offset = 0; offset < total; offset += 60) {
        for (const { pending, ...row } of listCaseload(replica, { sort, offset, limit: 60 }).rows) {
          expect(row).toEqual(rowReadAlone(row.client.id));
          expect(pending).toBe(0);
          if (row.next_action !== null) withActions++;
          if (row.referrals.length > 1) withReferrals++;
        }
      }
    }
    // The simulator's charity gives the comparison something to catch.
    expect(withActions).toBeGreaterThan(20);
    expect(withReferrals).toBeGreaterThan(20);
  });
});
