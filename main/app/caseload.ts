// caseload:list — every client the replica holds (the sync scope is "my caseload"; clients created
// here included), filtered by the dictionary values the API filters clients and referrals by,
// searched through the FTS index (main/db/search.ts), sorted and paged in SQL (main/db/caseload-queries.ts). Each row carries the
// client's open referrals, the soonest due action and how many outbox entries still touch them.

import { TIMESTAMP_PATTERN } from '../../shared/dizions/assumptions.js';
import type { CaseloadRow } from '../../shared/ipc/caseload.js';
import type { ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import { caseloadClients, caseloadPage, caseloadReferrals, pendingEntriesByClient, soonestDueActions } from '../db/caseload-queries.js';
import type { Replica } from '../db/open.js';
import type { Services } from '../ipc/services.js';
import { stageStatuses } from '../db/record-queries.js';
import { searchClients } from '../db/search.js';
import { scalarValue, stageStatusOf } from './record-views.js';

type Handle = Pick<Replica, 'sqlite'>;

const DEFAULT_LIMIT = 100;
/** Search hits considered before filters and paging (the FTS ranking window is 400 per index). */
const SEARCH_LIMIT = 2_000;

export function listCaseload(replica: Handle, input: ChannelInput<'caseload:list'>): ChannelOutput<'caseload:list'> {
  const sqlite = replica.sqlite;
  let pendingByClient: Map<number, number> | undefined;
  const pending = () => {
    pendingByClient ??= pendingEntriesByClient(sqlite);
    return pendingByClient;
  };
  let searchRank: Map<number, number> | undefined;
  if (input.search !== undefined && input.search.trim() !== '') {
    const hits = searchClients(replica, input.search, SEARCH_LIMIT);
    searchRank = new Map(hits.map((hit, i) => [hit.id, i]));
  }
  const offset = input.offset ?? 0;
  const { total, ids: page } = caseloadPage(sqlite, {
    filters: input.filters,
    searchRank,
    sort: input.sort,
    descending: input.descending,
    offset,
    limit: input.limit ?? DEFAULT_LIMIT,
    pending,
  });

  // The page's clients, referrals and due actions in three queries (not three per row), reading only
  // the fields a row shows.
  const statuses = stageStatuses(sqlite);
  const clients = caseloadClients(sqlite, page);
  const referralsByClient = caseloadReferrals(sqlite, page);
  const soonest = soonestDueActions(sqlite, page);
  const rows: CaseloadRow[] = [];
  for (const id of page) {
    const client = clients.get(id);
    if (!client) continue; // removed since the page was read (no snapshot around this call)
    const [first_name, surname, postcode] = client;
    const referrals: CaseloadRow['referrals'] = [];
    for (const r of referralsByClient.get(id) ?? []) {
      const [project, stage, priority, date] = r.values;
      const stageId = numberOrNull(stage);
      const status = stageStatusOf(stageId, statuses);
      // Open and pending referrals; one whose stage has no known status is shown rather than hidden.
      if (status === 'Closed') continue;
      referrals.push({ id: r.id, project: numberOrNull(project), stage: stageId, status, priority: scalarValue(priority) ?? null, date: scalarValue(date) ?? null });
    }
    const next = soonest.get(id);
    rows.push({
      client: { id, first_name: stringOrNull(first_name), surname: stringOrNull(surname), postcode: stringOrNull(postcode) },
      referrals,
      next_action: typeof next === 'string' && TIMESTAMP_PATTERN.test(next) ? next : null,
      pending: pending().get(id) ?? 0,
    });
  }
  return { rows, total, offset };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A finite number as sent (record-views.ts referralView reads a stage so), else null. */
function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `replica` is read on each call: the core swaps the open replica on demo reset and server changes. */
export function createCaseloadServices(replica: () => Handle): Pick<Services, 'caseload:list'> {
  return {
    'caseload:list': async (input) => listCaseload(replica(), input),
  };
}
