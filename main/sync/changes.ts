// What an incremental listing by the `updated` filter needs besides the filter: a cursor per group
// (the newest stamp a complete run brought in, for the scope path it was listed with) and a count of
// the group's records on the server (a report), which tells whether anything left the scope without
// changing — deleted, moved out of sight — since the updated filter cannot list what is gone.
// Invariant: a cursor is saved only after its group's download completed, and never past a change
// held back by a pending edit, so nothing changed is skipped; a full listing runs at least once a day.

import type { RecordGroup } from '../../shared/dizions/model.js';
import type { RecordsPath } from '../../shared/url-grammar.js';
import { DizionsError } from '../api/errors.js';
import type { Replica } from '../db/open.js';
import { SYNC_KEYS, deleteSyncState, getSyncState, setSyncState } from '../db/records.js';
import { ReplyShapeError, getArray, type FetchContext } from './fetch.js';

type Handle = Pick<Replica, 'sqlite'>;

/** A full listing (ids and stamps of the whole scope) at least this often: what a count cannot see is settled within a day. */
export const FULL_LISTING_EVERY_MS = 24 * 60 * 60 * 1000;

export interface GroupCursor {
  /** The printed scope path the cursor belongs to: another scope starts again from a full listing. */
  path: string;
  /** The newest `updated` brought in (server time); the next listing asks for `updated/<since>,<tomorrow>`. */
  since: string;
  /** When the last full listing was made (ISO). */
  listed_at: string;
}

/**
 * The end of a range of changes: a day no record can have been stamped in yet, whatever the server's
 * zone (UK time is UTC or UTC+1, so two days on in UTC is always tomorrow or later there).
 */
export function changesRangeEnd(now: Date): string {
  return new Date(now.getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
}

const cursorKey = (group: RecordGroup) => SYNC_KEYS.cursor(`updated:${group}`);

export function loadCursor(replica: Handle, group: RecordGroup): GroupCursor | undefined {
  const value = getSyncState<GroupCursor>(replica, cursorKey(group));
  return value && typeof value.path === 'string' && typeof value.since === 'string' && typeof value.listed_at === 'string' ? value : undefined;
}

export function saveCursor(replica: Handle, group: RecordGroup, cursor: GroupCursor | undefined): void {
  if (cursor) setSyncState(replica, cursorKey(group), cursor);
  else deleteSyncState(replica, cursorKey(group));
}

/**
 * The report dimension a count asks for, per group: any field works (the assumptions table: records
 * without a value count under null, so the rows add up to the records matched); a field with few
 * values keeps the reply a few rows long.
 */
const COUNT_DIMENSION: Record<RecordGroup, string> = {
  clients: 'active',
  referrals: 'project',
  due_contacts: 'project',
  done_contacts: 'project',
  workers: 'active',
  schedules: 'frequency',
};

/** How many records the scope path matches on the server (the report's counts summed); undefined when the server refuses the report. */
export async function serverCount(context: FetchContext, group: RecordGroup, path: RecordsPath): Promise<number | undefined> {
  const report: RecordsPath = { kind: 'records', group: path.group, pairs: path.pairs, report: { dimension: COUNT_DIMENSION[group] } };
  if (path.extensionDatabase !== undefined) report.extensionDatabase = path.extensionDatabase;
  try {
    return await getArray(context, report, () => {
      let total = 0;
      return {
        add(items) {
          for (const item of items) {
            const count = (item as { count?: unknown } | null)?.count;
            const n = typeof count === 'string' && /^\d+$/.test(count) ? Number(count) : count;
            if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ReplyShapeError(`a ${group} report row has no count (${JSON.stringify(item)?.slice(0, 80)})`);
            total += n;
          }
        },
        finish: () => total,
      };
    });
  } catch (error) {
    // Refused or unreadable: this server cannot count for us, so the group is listed in full.
    if (error instanceof DizionsError && error.kind === 'rejected') return undefined;
    throw error;
  }
}
