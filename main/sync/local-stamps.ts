// Reads the replica's (id, updated) pairs for one group into a compact StampList, a few thousand
// rows per query with a yield in between: a million-row table neither blocks the event loop nor
// builds a Map of strings. (main/db's getIdsAndUpdated answers the same question in one Map.)

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { RecordGroup } from '../../shared/dizions/model.js';
import { GROUP_TABLES, quoteIdent } from '../db/groups.js';
import type { Replica } from '../db/open.js';
import { countRecords } from '../db/records.js';
import { StampList, packStamp } from './stamps.js';

/** Rows per query: each read decrypts the rows' pages (whole records), so keep it to a few ms of work. */
const ROWS_PER_READ = 1_000;

/** Every record of `group` in the replica, sorted by id (negative ids of offline creations included). */
export async function localStamps(replica: Pick<Replica, 'sqlite'>, group: RecordGroup): Promise<StampList> {
  const spec = GROUP_TABLES[group];
  // `+state`: walk the table in id order instead of letting the (state, user, start) index be
  // chosen and every chunk sort the whole group again.
  const where = spec.state ? '+state = ? AND id > ?' : 'id > ?';
  const select = replica.sqlite.prepare(`SELECT id, updated FROM ${quoteIdent(spec.table)} WHERE ${where} ORDER BY id LIMIT ${ROWS_PER_READ}`).raw(true);
  const list = new StampList();
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = (spec.state ? select.all(spec.state, after) : select.all(after)) as Array<[number, string | null]>;
    for (const [id, updated] of rows) list.push(id, packStamp(updated));
    if (rows.length < ROWS_PER_READ) break;
    after = rows[rows.length - 1]![0];
    await yieldToLoop();
  }
  return list;
}

/** Ids per `IN (…)` query: well under SQLite's bound-parameter limit. */
const IDS_PER_QUERY = 500;

function stateClause(group: RecordGroup): { sql: string; params: string[] } {
  const state = GROUP_TABLES[group].state;
  return state ? { sql: ' AND state = ?', params: [state] } : { sql: '', params: [] };
}

/** The replica's (id, updated) of just these ids (those it holds), sorted by id: what a listing of changes is compared with. */
export function localStampsFor(replica: Pick<Replica, 'sqlite'>, group: RecordGroup, ids: Float64Array): StampList {
  const { sql, params } = stateClause(group);
  const table = quoteIdent(GROUP_TABLES[group].table);
  const list = new StampList(ids.length);
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = Array.from(ids.subarray(i, i + IDS_PER_QUERY));
    const rows = replica.sqlite
      .prepare(`SELECT id, updated FROM ${table} WHERE id IN (${chunk.map(() => '?').join(', ')})${sql} ORDER BY id`)
      .raw(true)
      .all(...chunk, ...params) as Array<[number, string | null]>;
    for (const [id, updated] of rows) list.push(id, packStamp(updated));
  }
  return list;
}

/** How many of the group's records in the replica came from the server (negative ids: created offline, not yet sent). */
export function localServerCount(replica: Pick<Replica, 'sqlite'>, group: RecordGroup): number {
  const { sql, params } = stateClause(group);
  const table = quoteIdent(GROUP_TABLES[group].table);
  // All rows counted as countRecords does (done contacts as all − due: from the narrowest indexes,
  // not the wide covering one `state = 'done'` would read), minus the few offline ones (a rowid
  // range): `WHERE id > 0` alone would walk, and decrypt, the whole table.
  const all = countRecords(replica, group);
  const offline = replica.sqlite
    .prepare(`SELECT count(*) FROM ${table} WHERE id <= 0${sql}`)
    .pluck()
    .get(...params) as number;
  return all - offline;
}

/** The given id columns of every server record of the group (NaN where null), e.g. a due contact's referral and client. */
export function localColumns(replica: Pick<Replica, 'sqlite'>, group: RecordGroup, columns: readonly string[]): { ids: number[]; values: Record<string, number[]> } {
  const { sql, params } = stateClause(group);
  const select = ['id', ...columns].map(quoteIdent).join(', ');
  const rows = replica.sqlite
    .prepare(`SELECT ${select} FROM ${quoteIdent(GROUP_TABLES[group].table)} WHERE id > 0${sql}`)
    .raw(true)
    .all(...params) as Array<Array<number | null>>;
  const values: Record<string, number[]> = Object.fromEntries(columns.map((c) => [c, new Array<number>(rows.length)]));
  const ids = new Array<number>(rows.length);
  rows.forEach((row, r) => {
    ids[r] = row[0]!;
    columns.forEach((column, c) => {
      const value = row[c + 1];
      values[column]![r] = typeof value === 'number' ? value : Number.NaN;
    });
  });
  return { ids, values };
}

/**
 * The replica's stamps for the groups planned in one run. Due and done contacts share one table:
 * they are read in one pass over it (the pass decrypts every page of the table, the bulk of the
 * cost), not one pass each. Only valid before the run writes: planning comes before any download.
 */
export class LocalStampReader {
  private contacts: Promise<Record<string, StampList>> | undefined;
  private readonly reads = new Map<RecordGroup, Promise<StampList>>();

  constructor(private readonly replica: Pick<Replica, 'sqlite'>) {}

  /** The group's stamps, read once (a read started early, while the listing waits on the network, is reused). */
  read(group: RecordGroup): Promise<StampList> {
    let read = this.reads.get(group);
    if (!read) {
      const state = GROUP_TABLES[group].state;
      if (GROUP_TABLES[group].table !== 'contacts' || !state) read = localStamps(this.replica, group);
      else read = (this.contacts ??= this.readContacts()).then((byState) => byState[state] ?? new StampList());
      read.catch(() => undefined); // a read started early and never awaited must not end the process; awaiting it still throws
      this.reads.set(group, read);
    }
    return read;
  }

  private async readContacts(): Promise<Record<string, StampList>> {
    const select = this.replica.sqlite.prepare(`SELECT id, state, updated FROM contacts WHERE id > ? ORDER BY id LIMIT ${ROWS_PER_READ}`).raw(true);
    const byState: Record<string, StampList> = {};
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = select.all(after) as Array<[number, string, string | null]>;
      for (const [id, state, updated] of rows) (byState[state] ??= new StampList()).push(id, packStamp(updated));
      if (rows.length < ROWS_PER_READ) break;
      after = rows[rows.length - 1]![0];
      await yieldToLoop();
    }
    return byState;
  }
}
