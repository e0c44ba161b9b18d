// The caseload's SQL: filters by the dictionary values the API filters clients and referrals by,
// sorting and paging over `clients`, the soonest due action, and how many unconfirmed outbox
// entries touch each client. main/app/caseload.ts composes these into caseload:list rows.

import type Database from 'better-sqlite3';
import type { CASELOAD_SORTS, CaseloadFilters } from '../../shared/ipc/caseload.js';
import { cached } from './statement-cache.js';

const CLIENT_FILTERS = ['district', 'county', 'gender', 'ethnicity', 'usual_support_worker'] as const;
const REFERRAL_FILTERS = ['project', 'stage', 'priority'] as const;

interface Built {
  where: string[];
  params: Record<string, unknown>;
}

const ids = (values: readonly number[]) => JSON.stringify(values);

/** Client filters on c.*, referral filters (and status) on one referral of the client, pending through the outbox. */
function buildFilters(filters: CaseloadFilters | undefined, built: Built, pending: () => ReadonlyMap<number, number>): void {
  if (!filters) return;
  for (const key of CLIENT_FILTERS) {
    const values = filters[key];
    if (!values) continue;
    built.where.push(`c.${key} IN (SELECT value FROM json_each(@f_${key}))`);
    built.params[`f_${key}`] = ids(values);
  }
  const onReferral: string[] = [];
  for (const key of REFERRAL_FILTERS) {
    const values = filters[key];
    if (!values) continue;
    onReferral.push(`r.${key} IN (SELECT value FROM json_each(@f_${key}))`);
    built.params[`f_${key}`] = ids(values);
  }
  if (filters.status) {
    onReferral.push(`r.stage IN (SELECT id FROM dictionaries WHERE table_ref = 'referrals/stage'
      AND json_extract(extra, '$.status') IN (SELECT value FROM json_each(@f_status)))`);
    built.params.f_status = JSON.stringify(filters.status);
  }
  // Not correlated: one pass over the matching referrals, whatever the size of the caseload.
  if (onReferral.length > 0) built.where.push(`c.id IN (SELECT r.client FROM referrals r WHERE ${onReferral.join(' AND ')})`);
  if (filters.pending !== undefined) {
    built.where.push(`c.id ${filters.pending ? '' : 'NOT '}IN (SELECT value FROM json_each(@pending_ids))`);
    built.params.pending_ids = ids([...pending().keys()]);
  }
}

/**
 * Clients touched by unconfirmed outbox entries — directly, through one of their referrals, or
 * through a contact, as target or reference (an upload names its client or referral) — with the
 * number of entries. The outbox is small: this is computed once per call.
 */
const PENDING_CLIENTS = `
  WITH pending_entries(entry, family, record_id) AS (
    SELECT r.entry_id, r.family, r.record_id FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id WHERE e.state <> 'confirmed'
  ),
  pending_touches(entry, client) AS (
    SELECT entry, record_id FROM pending_entries WHERE family = 'clients'
    UNION SELECT p.entry, rf.client FROM pending_entries p JOIN referrals rf ON rf.id = p.record_id WHERE p.family = 'referrals'
    UNION SELECT p.entry, ct.client FROM pending_entries p JOIN contacts ct ON ct.id = p.record_id WHERE p.family = 'contacts'
  )
  SELECT client, count(DISTINCT entry) AS entries FROM pending_touches WHERE client IS NOT NULL GROUP BY client`;

/** Client id → how many unconfirmed outbox entries touch the client. */
export function pendingEntriesByClient(sqlite: Database.Database): Map<number, number> {
  return new Map((cached(sqlite, PENDING_CLIENTS).all() as Array<{ client: number; entries: number }>).map((r) => [r.client, r.entries]));
}

/**
 * The soonest due action of every client, only for sorting by it: one pass over the due contacts'
 * own partial index, each to its referral's client, as NEXT_ACTIONS_OF below does for a page. (By
 * the contacts' `client` column SQLite walked the client index and read every contact from the
 * table: 3.2–4.6 s at 100,000 clients against 1.5–2.0 s.)
 */
const NEXT_ACTIONS = `WITH next_actions(client, start_date) AS (
    SELECT r.client, min(ct.start_date) FROM contacts ct JOIN referrals r ON r.id = ct.referral
    WHERE ct.state = 'due' AND ct.start_date IS NOT NULL AND r.client IS NOT NULL GROUP BY r.client
  )`;

/**
 * The soonest due action of each of a page's clients, through their referrals (both indexed; every
 * contact has a referral): one query for the page, not one per row.
 */
const NEXT_ACTIONS_OF = `SELECT r.client AS client, min(ct.start_date) AS start_date FROM referrals r JOIN contacts ct ON ct.referral = r.id
  WHERE r.client IN (SELECT value FROM json_each(?)) AND ct.state = 'due' AND ct.start_date IS NOT NULL GROUP BY r.client`;

/** Client id → the start of its soonest due action, as stored (absent when none is due). */
export function soonestDueActions(sqlite: Database.Database, clientIds: readonly number[]): Map<number, unknown> {
  const rows = cached(sqlite, NEXT_ACTIONS_OF).raw(true).all(ids(clientIds)) as Array<[number, unknown]>;
  return new Map(rows);
}

// ---- a page's rows: only the fields a row shows ------------------------------------------------------
// A caseload row shows a few fields of the client and of each referral: json_extract picks them out
// of the stored raw JSON in SQL (one call per row, several paths), which spares parsing every whole
// record in JavaScript (most of a page's cost). The values are the server's own (the raw JSON is the
// truth); the typed columns would not do, since they hold '' as null and coerce '5' to 5.

/** The fields' values as the server sent them, in order (JSON text of an array; a missing field is null). */
const picked = (fields: readonly string[]) => `json_extract(raw, ${fields.map((f) => `'$.${f}'`).join(', ')})`;

const PAGE_CLIENTS = `SELECT id, ${picked(['first_name', 'surname', 'postcode'])} FROM clients WHERE id IN (SELECT value FROM json_each(?))`;

/** Client id → [first_name, surname, postcode] as sent, for the clients of one page. */
export function caseloadClients(sqlite: Database.Database, clientIds: readonly number[]): Map<number, unknown[]> {
  const rows = cached(sqlite, PAGE_CLIENTS).raw(true).all(ids(clientIds)) as Array<[number, string]>;
  return new Map(rows.map(([id, values]) => [id, JSON.parse(values) as unknown[]]));
}

/** In each client's order of the record screens (record-queries.ts referralsOfClient: newest first). */
const PAGE_REFERRALS = `SELECT client, id, ${picked(['project', 'stage', 'priority', 'date'])}
  FROM referrals WHERE client IN (SELECT value FROM json_each(?)) ORDER BY date DESC, id DESC`;

/** Client id → its referrals, newest first, each as its id and [project, stage, priority, date] as sent, for the clients of one page. */
export function caseloadReferrals(sqlite: Database.Database, clientIds: readonly number[]): Map<number, Array<{ id: number; values: unknown[] }>> {
  const rows = cached(sqlite, PAGE_REFERRALS).raw(true).all(ids(clientIds)) as Array<[number, number, string]>;
  const out = new Map<number, Array<{ id: number; values: unknown[] }>>();
  for (const [client, id, values] of rows) {
    let list = out.get(client);
    if (!list) out.set(client, (list = []));
    list.push({ id, values: JSON.parse(values) as unknown[] });
  }
  return out;
}

export interface CaseloadQuery {
  filters?: CaseloadFilters | undefined;
  /** Search hits by rank (best first): only these clients, in this order unless `sort` is given. */
  searchRank?: ReadonlyMap<number, number> | undefined;
  sort?: (typeof CASELOAD_SORTS)[number] | undefined;
  descending?: boolean | undefined;
  offset: number;
  limit: number;
  /** Client id → unconfirmed entries, read only when the `pending` filter asks. */
  pending: () => ReadonlyMap<number, number>;
}

/**
 * The clients of a page ordered by next action with no filter: their ids and surnames from the name
 * index alone (it covers both). Left to itself SQLite scanned a smaller index and read each client's
 * row for its surname — 1.6 s for the first page at 100,000 clients, 0.65 s this way (the due
 * actions' pass is the rest). With a filter the rows are read anyway, and in row order that is
 * cheaper (1.0 s against 1.6). Not while a first fill has the index set aside (deferred-indexes.ts).
 */
function clientsForNames(sqlite: Database.Database): string {
  const present = cached(sqlite, `SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'clients_surname'`).pluck().get() !== undefined;
  return present ? 'clients c INDEXED BY clients_surname' : 'clients c';
}

/** The clients matching the query: how many in all, and the ids of one page in order. */
export function caseloadPage(sqlite: Database.Database, query: CaseloadQuery): { total: number; ids: number[] } {
  const built: Built = { where: [], params: {} };
  const rank = query.searchRank;
  if (rank !== undefined) {
    built.where.push('c.id IN (SELECT value FROM json_each(@search_ids))');
    built.params.search_ids = ids([...rank.keys()]);
  }
  buildFilters(query.filters, built, query.pending);
  const where = built.where.length > 0 ? `WHERE ${built.where.join(' AND ')}` : '';
  const { offset, limit } = query;
  const direction = query.descending ? 'DESC' : 'ASC';

  const total = sqlite.prepare(`SELECT count(*) FROM clients c ${where}`).pluck().get(built.params) as number;
  let page: number[];
  if (rank !== undefined && query.sort === undefined) {
    // A search without an explicit sort keeps its relevance order.
    const matching = sqlite.prepare(`SELECT c.id FROM clients c ${where}`).pluck().all(built.params) as number[];
    page = matching.sort((a, b) => rank.get(a)! - rank.get(b)!).slice(offset, offset + limit);
  } else if (query.sort === 'next_action') {
    page = sqlite
      .prepare(
        `${NEXT_ACTIONS} SELECT c.id FROM ${where === '' ? clientsForNames(sqlite) : 'clients c'} LEFT JOIN next_actions n ON n.client = c.id ${where}
      ORDER BY n.start_date IS NULL, n.start_date ${direction}, c.surname COLLATE NOCASE, c.id LIMIT @limit OFFSET @offset`,
      )
      .pluck()
      .all({ ...built.params, limit, offset }) as number[];
  } else {
    const order = query.sort === 'updated' ? `c.updated IS NULL, c.updated ${direction}, c.id` : `c.surname COLLATE NOCASE ${direction}, c.first_name COLLATE NOCASE ${direction}, c.id ${direction}`;
    page = sqlite
      .prepare(`SELECT c.id FROM clients c ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .pluck()
      .all({ ...built.params, limit, offset }) as number[];
  }
  return { total, ids: page };
}
