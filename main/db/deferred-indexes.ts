// Secondary indexes and search triggers set aside while an empty table is filled in bulk, and built
// once afterwards: building an index from a full table is one sort, while keeping it row by row
// rewrites (and re-encrypts) its pages at every commit; the search tables are filled in one pass.
// Invariant: what was dropped is remembered in sync_state in the same transaction as the drop, so
// a process killed mid-fill leaves the recipe behind and the next sync restores it (restore is
// idempotent: IF NOT EXISTS, and the search tables are rebuilt from the rows as they are).

import { quoteIdent } from './groups.js';
import { openIndexBuilder, withIndexBuilder, type BuildSource } from './index-builder.js';
import type { Replica } from './open.js';
import { deleteSyncState, getSyncState, setSyncState } from './records.js';

type Handle = Pick<Replica, 'sqlite'>;

const KEY = 'deferred_schema';

interface SchemaObject {
  type: 'index' | 'trigger';
  name: string;
  table: string;
  sql: string;
}

/**
 * The search tables filled by triggers on a table, rebuilt whole from it (the same statements as
 * migration 0013_contentless_search, which fills them for rows already present). 'delete-all'
 * empties a contentless table at once: a rebuild is idempotent.
 */
const SEARCH_REBUILDS: Record<string, string[]> = {
  clients: [
    `INSERT INTO client_search(client_search) VALUES('delete-all')`,
    `INSERT INTO client_search(rowid, name, postcode, nhs_number, external_id)
     SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(surname, '')),
       coalesce(postcode, '') || ' ' || replace(coalesce(postcode, ''), ' ', ''),
       coalesce(nhs_number, '') || ' ' || replace(coalesce(nhs_number, ''), ' ', ''),
       coalesce(external_id, '')
     FROM clients`,
  ],
  referrals: [
    `INSERT INTO referral_search(referral_search) VALUES('delete-all')`,
    'INSERT INTO referral_search(rowid, description) SELECT id, description FROM referrals WHERE description IS NOT NULL',
  ],
};

/** Drops the secondary indexes and triggers of `tables`, remembering them; returns how many. */
export function deferIndexes(replica: Handle, tables: readonly string[]): number {
  if (tables.length === 0) return 0;
  return replica.sqlite.transaction(() => {
    const already = getSyncState<SchemaObject[]>(replica, KEY) ?? [];
    const marks = tables.map(() => '?').join(', ');
    const objects = replica.sqlite
      .prepare(
        `SELECT type, name, tbl_name AS "table", sql FROM sqlite_master
       WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (${marks}) ORDER BY type, name`,
      )
      .all(...tables) as SchemaObject[];
    // A UNIQUE index is a rule, not a speed-up: it stays.
    const deferred = objects.filter((o) => !(o.type === 'index' && /^\s*CREATE\s+UNIQUE\b/i.test(o.sql)));
    for (const object of deferred) replica.sqlite.exec(`DROP ${object.type === 'index' ? 'INDEX' : 'TRIGGER'} ${quoteIdent(object.name)}`);
    setSyncState(replica, KEY, [...already, ...deferred]);
    return deferred.length;
  })();
}

/**
 * Builds everything deferIndexes set aside, rebuilds the search tables whose triggers were set
 * aside, and forgets the recipe. Returns how many objects it restored. In short steps, each its own
 * transaction and each safe to run again (IF NOT EXISTS; a search table rebuilt whole): one per
 * index, one per search table with its triggers, the recipe forgotten last — so a build cut short
 * is finished by the next sync. Call it outside any open transaction of the caller's.
 */
export function restoreDeferredIndexes(replica: BuildSource): number {
  const objects = getSyncState<SchemaObject[]>(replica, KEY);
  if (!objects || objects.length === 0) return 0;
  // Built on a connection that skips the HMAC check on read (index-builder.ts): half the build's CPU.
  withIndexBuilder(replica, (builder) => {
    for (const step of buildSteps(builder, objects)) step();
  });
  return objects.length;
}

/**
 * restoreDeferredIndexes, awaiting `giveWay` between two steps: in the app a person's edit waits
 * for the step in hand (about 2 s at most at 100,000 clients), not for the whole build (~11 s).
 */
export async function restoreDeferredIndexesGivingWay(replica: BuildSource, giveWay: () => Promise<void>): Promise<number> {
  const objects = getSyncState<SchemaObject[]>(replica, KEY);
  if (!objects || objects.length === 0) return 0;
  const builder = openIndexBuilder(replica);
  try {
    for (const step of buildSteps(builder, objects)) {
      await giveWay();
      step();
    }
  } finally {
    builder.close();
  }
  return objects.length;
}

function buildSteps(replica: Handle, objects: SchemaObject[]): Array<() => void> {
  const sqlite = replica.sqlite;
  const step = (work: () => void) => () => sqlite.transaction(work)();
  const steps: Array<() => void> = [];
  // A search table and its triggers in one step: no row is written between the rebuild and the
  // triggers that keep the table current from then on.
  for (const table of new Set(objects.filter((o) => o.type === 'trigger').map((o) => o.table))) {
    steps.push(
      step(() => {
        for (const statement of SEARCH_REBUILDS[table] ?? []) sqlite.exec(statement);
        for (const object of objects.filter((o) => o.type === 'trigger' && o.table === table)) sqlite.exec(ifNotExists(object.sql, 'TRIGGER'));
      }),
    );
  }
  for (const object of objects.filter((o) => o.type === 'index')) steps.push(step(() => sqlite.exec(ifNotExists(object.sql, 'INDEX'))));
  // Statistics for the new indexes, now: PRAGMA optimize will not run ANALYZE again until a table
  // grows ~25×, and without them a connection's planner reads a client's due actions through the
  // `state` index — 45 s for one caseload page of 200 clients at 20,000 clients. One pass per index,
  // ~10% of building them.
  for (const table of new Set(objects.filter((o) => o.type === 'index').map((o) => o.table))) steps.push(step(() => sqlite.exec(`ANALYZE ${quoteIdent(table)}`)));
  steps.push(step(() => deleteSyncState(replica, KEY)));
  return steps;
}

function ifNotExists(sql: string, kind: 'INDEX' | 'TRIGGER'): string {
  const pattern = new RegExp(`^\\s*CREATE\\s+${kind}\\s+(?!IF\\s+NOT\\s+EXISTS)`, 'i');
  return sql.replace(pattern, `CREATE ${kind} IF NOT EXISTS `);
}
