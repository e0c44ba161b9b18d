// Which groups this connection's server filters by `updated/<from>,<to>`: referrals by the
// assumptions table; any other group only once a probe (sync's own, or `caseworker doctor --db`) has
// seen it work. The verdicts are kept in sync_state and asked again once a day (the API changes
// roughly monthly), so a server that gains or loses the filter is followed without a setting.

import { RECORD_GROUPS, type RecordGroup } from '../../shared/dizions/model.js';
import { DizionsError } from '../api/errors.js';
import type { Replica } from '../db/open.js';
import { getSyncState, setSyncState } from '../db/records.js';
import { changesRangeEnd } from './changes.js';
import { getArray, type FetchContext } from './fetch.js';
import { runLimited } from './pool.js';

type Handle = Pick<Replica, 'sqlite'>;

const KEY = 'updated_filter';
/** Verdicts older than this are probed again. */
export const UPDATED_FILTER_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface UpdatedFilterVerdicts {
  /** Per group: whether `<group>/updated/<from>,<to>` filters (true) or is refused or ignored (false). */
  groups: Partial<Record<RecordGroup, boolean>>;
  checked_at: string;
}

export function savedUpdatedFilter(replica: Handle): UpdatedFilterVerdicts | undefined {
  const value = getSyncState<UpdatedFilterVerdicts>(replica, KEY);
  return value && typeof value === 'object' && typeof value.checked_at === 'string' && value.groups && typeof value.groups === 'object' ? value : undefined;
}

export function saveUpdatedFilter(replica: Handle, groups: Partial<Record<RecordGroup, boolean>>, now: Date): void {
  setSyncState(replica, KEY, { groups, checked_at: now.toISOString() } satisfies UpdatedFilterVerdicts);
}

/** A listing of changes was refused: this group no longer takes the filter (until the next day's probe). */
export function refuseUpdatedFilter(replica: Handle, group: RecordGroup, now: Date): void {
  const saved = savedUpdatedFilter(replica);
  saveUpdatedFilter(replica, { ...saved?.groups, [group]: false }, saved ? new Date(saved.checked_at) : now);
}

/**
 * One probe: the group's records changed on a day still to come (`<group>/updated/<day>,<day>/field/id`).
 * A server that has the filter answers an empty list; one that refuses it answers 400 (or 404); one
 * that ignores an unknown filter answers records — then it does not filter. Other failures (the
 * network, 5xx after retries) leave the verdict open: undefined.
 */
export async function probeUpdatedFilter(context: FetchContext, group: RecordGroup, now: Date): Promise<boolean | undefined> {
  const future = changesRangeEnd(now);
  try {
    const rows = await getArray(context, { kind: 'records', group, pairs: [{ key: 'updated', range: [future, future] }], fields: ['id'] }, () => {
      let n = 0;
      return { add: (items) => void (n += items.length), finish: () => n };
    });
    return rows === 0;
  } catch (error) {
    if (error instanceof DizionsError && error.kind === 'rejected') return false;
    if (error instanceof DizionsError && error.kind === 'retryable' && !context.signal?.aborted) return undefined;
    throw error;
  }
}

/**
 * The groups whose listing may use the `updated` filter now: referrals always (the assumptions table;
 * `caseworker doctor` checks it), the others as the saved verdicts say, probed again when none is
 * saved or they are older than a day.
 */
export async function updatedFilterGroups(context: FetchContext, replica: Handle, now: Date, maxAgeMs = UPDATED_FILTER_MAX_AGE_MS): Promise<Set<RecordGroup>> {
  const saved = savedUpdatedFilter(replica);
  const fresh = saved !== undefined && now.getTime() - Date.parse(saved.checked_at) < maxAgeMs;
  const groups: Partial<Record<RecordGroup, boolean>> = fresh ? { ...saved.groups } : {};
  if (!fresh) {
    let open = false;
    await runLimited(
      RECORD_GROUPS.filter((g) => g !== 'referrals'),
      4,
      async (group) => {
        const verdict = await probeUpdatedFilter(context, group, now);
        if (verdict === undefined) open = true;
        else groups[group] = verdict;
      },
      context.signal,
    );
    // A probe that could not tell is asked again next run; the others are kept for a day.
    if (!open) saveUpdatedFilter(replica, groups, now);
  }
  const out = new Set<RecordGroup>(['referrals']);
  for (const group of RECORD_GROUPS) if (groups[group] === true) out.add(group);
  return out;
}
