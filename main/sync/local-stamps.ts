// Reads the replica's (id, updated) pairs for one group into a compact StampList, a few thousand
// rows per query with a yield in between: a million-row table neither blocks the event loop nor
// builds a Map of strings. (main/db's getIdsAndUpdated answers the same question in one Map.)

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { RecordGroup } from '../../shared/dizions/model.js';
import { GROUP_TABLES, quoteIdent } from '../db/groups.js';
import type { Replica } from '../db/open.js';
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
