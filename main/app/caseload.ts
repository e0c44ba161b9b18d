// caseload:list — every client the replica holds (the sync scope is "my caseload"; clients created
// here included), filtered by the dictionary values the API filters clients and referrals by,
// searched through the FTS index (main/db/search.ts), sorted and paged in SQL. Each row carries the
// client's open referrals, the soonest due action and how many outbox entries still touch them.

import { TIMESTAMP_PATTERN } from '../../shared/dizions/assumptions.js';
import type { CaseloadFilters, CaseloadRow } from '../../shared/ipc/caseload.js';
import type { ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import type { Replica } from '../db/open.js';
import { searchClients } from '../db/search.js';
import { referralView, stageStatuses } from './record-views.js';

type Handle = Pick<Replica, 'sqlite'>;

const DEFAULT_LIMIT = 100;
/** Search hits considered before filters and paging (the FTS ranking window is 400 per index). */
const SEARCH_LIMIT = 2_000;
const CLIENT_FILTERS = ['district', 'county', 'gender', 'ethnicity', 'usual_support_worker'] as const;
const REFERRAL_FILTERS = ['project', 'stage', 'priority'] as const;

interface Built {
  where: string[];
  params: Record<string, unknown>;
}

const ids = (values: readonly number[]) => JSON.stringify(values);

/** Client filters on c.*, referral filters (and status) on one referral of the client, pending through the outbox. */
function buildFilters(filters: CaseloadFilters | undefined, built: Built, pending: () => Map<number, number>): void {
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

/** The soonest due action of every client (one pass over due contacts): only for sorting by it. */
const NEXT_ACTIONS = `WITH next_actions(client, start_date) AS (
    SELECT client, min(start_date) FROM contacts WHERE state = 'due' AND client IS NOT NULL AND start_date IS NOT NULL GROUP BY client
  )`;

/** One client's soonest due action, through its referrals (both indexed; every contact has a referral): for a page of rows. */
const NEXT_ACTION_OF = `SELECT min(ct.start_date) FROM referrals r JOIN contacts ct ON ct.referral = r.id
  WHERE r.client = ? AND ct.state = 'due' AND ct.start_date IS NOT NULL`;

export function listCaseload(replica: Handle, input: ChannelInput<'caseload:list'>): ChannelOutput<'caseload:list'> {
  const sqlite = replica.sqlite;
  let pendingByClient: Map<number, number> | undefined;
  const pending = () => {
    pendingByClient ??= new Map((sqlite.prepare(PENDING_CLIENTS).all() as Array<{ client: number; entries: number }>).map((r) => [r.client, r.entries]));
    return pendingByClient;
  };
  const built: Built = { where: [], params: {} };
  let rank: Map<number, number> | undefined;
  if (input.search !== undefined && input.search.trim() !== '') {
    const hits = searchClients(replica, input.search, SEARCH_LIMIT);
    rank = new Map(hits.map((hit, i) => [hit.id, i]));
    built.where.push('c.id IN (SELECT value FROM json_each(@search_ids))');
    built.params.search_ids = ids([...rank.keys()]);
  }
  buildFilters(input.filters, built, pending);
  const where = built.where.length > 0 ? `WHERE ${built.where.join(' AND ')}` : '';
  const offset = input.offset ?? 0;
  const limit = input.limit ?? DEFAULT_LIMIT;
  const direction = input.descending ? 'DESC' : 'ASC';

  const total = sqlite.prepare(`SELECT count(*) FROM clients c ${where}`).pluck().get(built.params) as number;
  let page: number[];
  if (rank !== undefined && input.sort === undefined) {
    // A search without an explicit sort keeps its relevance order.
    const matching = sqlite.prepare(`SELECT c.id FROM clients c ${where}`).pluck().all(built.params) as number[];
    page = matching.sort((a, b) => rank!.get(a)! - rank!.get(b)!).slice(offset, offset + limit);
  } else if (input.sort === 'next_action') {
    page = sqlite
      .prepare(
        `${NEXT_ACTIONS} SELECT c.id FROM clients c LEFT JOIN next_actions n ON n.client = c.id ${where}
      ORDER BY n.start_date IS NULL, n.start_date ${direction}, c.surname COLLATE NOCASE, c.id LIMIT @limit OFFSET @offset`,
      )
      .pluck()
      .all({ ...built.params, limit, offset }) as number[];
  } else {
    const order = input.sort === 'updated' ? `c.updated IS NULL, c.updated ${direction}, c.id` : `c.surname COLLATE NOCASE ${direction}, c.first_name COLLATE NOCASE ${direction}, c.id ${direction}`;
    page = sqlite
      .prepare(`SELECT c.id FROM clients c ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .pluck()
      .all({ ...built.params, limit, offset }) as number[];
  }

  const statuses = stageStatuses(sqlite);
  const rawOf = sqlite.prepare('SELECT raw FROM clients WHERE id = ?').pluck();
  const referralsOf = sqlite.prepare('SELECT raw FROM referrals WHERE client = ? ORDER BY date DESC, id DESC').pluck();
  const nextOf = sqlite.prepare(NEXT_ACTION_OF).pluck();
  const rows: CaseloadRow[] = page.map((id) => {
    const raw = JSON.parse(rawOf.get(id) as string) as Record<string, unknown>;
    const referrals = (referralsOf.all(id) as string[])
      .map((text) => referralView(JSON.parse(text) as Record<string, unknown>, statuses))
      // Open and pending referrals; one whose stage has no known status is shown rather than hidden.
      .filter((r) => r.status !== 'Closed');
    const soonest = nextOf.get(id);
    const next = typeof soonest === 'string' && TIMESTAMP_PATTERN.test(soonest) ? soonest : null;
    return {
      client: { id, first_name: stringOrNull(raw.first_name), surname: stringOrNull(raw.surname), postcode: stringOrNull(raw.postcode) },
      referrals: referrals.map((r) => ({ id: r.id, project: numberOrNull(r.project), stage: numberOrNull(r.stage), status: r.status, priority: r.priority ?? null, date: r.date ?? null })),
      next_action: next,
      pending: pending().get(id) ?? 0,
    };
  });
  return { rows, total, offset };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
