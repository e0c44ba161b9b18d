// caseload:list — every client the replica holds (the sync scope is "my caseload"; clients created
// here included), filtered by the dictionary values the API filters clients and referrals by,
// searched through the FTS index (main/db/search.ts), sorted and paged in SQL (main/db/caseload-queries.ts). Each row carries the
// client's open referrals, the soonest due action and how many outbox entries still touch them.

import { TIMESTAMP_PATTERN } from '../../shared/dizions/assumptions.js';
import type { CaseloadRow } from '../../shared/ipc/caseload.js';
import type { ChannelInput, ChannelOutput } from '../../shared/ipc/contract.js';
import { caseloadPage, pendingEntriesByClient, soonestDueAction } from '../db/caseload-queries.js';
import type { Replica } from '../db/open.js';
import type { Services } from '../ipc/services.js';
import { clientRecord, referralsOfClient, stageStatuses } from '../db/record-queries.js';
import { searchClients } from '../db/search.js';
import { referralView } from './record-views.js';

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

  const statuses = stageStatuses(sqlite);
  const rows: CaseloadRow[] = page.map((id) => {
    const raw = clientRecord(sqlite, id)!;
    const referrals = referralsOfClient(sqlite, id)
      .map((record) => referralView(record, statuses))
      // Open and pending referrals; one whose stage has no known status is shown rather than hidden.
      .filter((r) => r.status !== 'Closed');
    const soonest = soonestDueAction(sqlite, id);
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

/** `replica` is read on each call: the core swaps the open replica on demo reset and server changes. */
export function createCaseloadServices(replica: () => Handle): Pick<Services, 'caseload:list'> {
  return {
    'caseload:list': async (input) => listCaseload(replica(), input),
  };
}
