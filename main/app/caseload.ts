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
function buildFilters(filters: CaseloadFilters | undefined, built: Built): void {
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
  if (onReferral.length > 0) built.where.push(`EXISTS (SELECT 1 FROM referrals r WHERE r.client = c.id AND ${onReferral.join(' AND ')})`);
  if (filters.pending === true) built.where.push(`c.id IN (SELECT client FROM pending_clients)`);
  if (filters.pending === false) built.where.push(`c.id NOT IN (SELECT client FROM pending_clients)`);
}

/**
 * Clients touched by unconfirmed outbox entries: directly, through one of their referrals, or
 * through a contact — as target or reference (an upload names its client or referral).
 */
const PENDING_CLIENTS = `
  pending_entries(entry, family, record_id) AS (
    SELECT r.entry_id, r.family, r.record_id FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id WHERE e.state <> 'confirmed'
  ),
  pending_touches(entry, client) AS (
    SELECT entry, record_id FROM pending_entries WHERE family = 'clients'
    UNION SELECT p.entry, rf.client FROM pending_entries p JOIN referrals rf ON rf.id = p.record_id WHERE p.family = 'referrals'
    UNION SELECT p.entry, ct.client FROM pending_entries p JOIN contacts ct ON ct.id = p.record_id WHERE p.family = 'contacts'
  ),
  pending_clients(client, entries) AS (
    SELECT client, count(DISTINCT entry) FROM pending_touches WHERE client IS NOT NULL GROUP BY client
  )`;

/** The soonest due action per client (one pass over due contacts, not a subquery per client). */
const NEXT_ACTIONS = `next_actions(client, start_date) AS (
    SELECT client, min(start_date) FROM contacts WHERE state = 'due' AND client IS NOT NULL AND start_date IS NOT NULL GROUP BY client
  )`;

export function listCaseload(replica: Handle, input: ChannelInput<'caseload:list'>): ChannelOutput<'caseload:list'> {
  const sqlite = replica.sqlite;
  const built: Built = { where: [], params: {} };
  let rank: Map<number, number> | undefined;
  if (input.search !== undefined && input.search.trim() !== '') {
    const hits = searchClients(replica, input.search, SEARCH_LIMIT);
    rank = new Map(hits.map((hit, i) => [hit.id, i]));
    built.where.push('c.id IN (SELECT value FROM json_each(@search_ids))');
    built.params.search_ids = ids([...rank.keys()]);
  }
  buildFilters(input.filters, built);
  const where = built.where.length > 0 ? `WHERE ${built.where.join(' AND ')}` : '';
  const offset = input.offset ?? 0;
  const limit = input.limit ?? DEFAULT_LIMIT;
  const direction = input.descending ? 'DESC' : 'ASC';
  // Without an explicit sort, a search keeps its relevance order; otherwise surname.
  const bySearch = rank !== undefined && input.sort === undefined;
  const order = bySearch ? 'search_rank'
    : input.sort === 'next_action' ? `n.start_date IS NULL, n.start_date ${direction}, c.surname COLLATE NOCASE, c.id`
    : input.sort === 'updated' ? `c.updated IS NULL, c.updated ${direction}, c.id`
    : `c.surname COLLATE NOCASE ${direction}, c.first_name COLLATE NOCASE ${direction}, c.id ${direction}`;
  if (bySearch) built.params.ranks = JSON.stringify(Object.fromEntries(rank!));

  const withClause = `WITH ${PENDING_CLIENTS}, ${NEXT_ACTIONS}`;
  const total = sqlite.prepare(`${withClause} SELECT count(*) FROM clients c ${where}`).pluck().get(built.params) as number;
  const rows = sqlite.prepare(
    `${withClause}
     SELECT c.id, c.raw, n.start_date AS next_action, coalesce(p.entries, 0) AS pending
       ${bySearch ? `, json_extract(@ranks, '$."' || c.id || '"') AS search_rank` : ''}
     FROM clients c LEFT JOIN next_actions n ON n.client = c.id LEFT JOIN pending_clients p ON p.client = c.id
     ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
  ).all({ ...built.params, limit, offset }) as Array<{ id: number; raw: string; next_action: string | null; pending: number }>;

  const statuses = stageStatuses(sqlite);
  const referralsOf = sqlite.prepare('SELECT raw FROM referrals WHERE client = ? ORDER BY date DESC, id DESC');
  const out: CaseloadRow[] = rows.map((row) => {
    const raw = JSON.parse(row.raw) as Record<string, unknown>;
    const referrals = (referralsOf.all(row.id) as Array<{ raw: string }>)
      .map((r) => referralView(JSON.parse(r.raw) as Record<string, unknown>, statuses))
      // Open and pending referrals; one whose stage has no known status is shown rather than hidden.
      .filter((r) => r.status !== 'Closed');
    return {
      client: { id: row.id, first_name: stringOrNull(raw.first_name), surname: stringOrNull(raw.surname), postcode: stringOrNull(raw.postcode) },
      referrals: referrals.map((r) => ({ id: r.id, project: numberOrNull(r.project), stage: numberOrNull(r.stage), status: r.status, priority: r.priority ?? null, date: r.date ?? null })),
      next_action: row.next_action !== null && TIMESTAMP_PATTERN.test(row.next_action) ? row.next_action : null,
      pending: row.pending,
    };
  });
  return { rows: out, total, offset };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
