// What the replica holds, for `caseworker status` and the app's settings page: per-table counts,
// last sync, me and my worker, the scope in words, and whether a sync was interrupted (it resumes
// on the next run). Reads only.

import { RECORD_GROUPS, type RecordGroup } from '../../shared/dizions/model.js';
import type { Replica } from '../db/open.js';
import { SYNC_KEYS, countRecords, getSyncState } from '../db/records.js';
import { pendingEntryCount } from '../outbox/pending.js';
import { RUN_KEY } from './run-sync.js';
import { describeScope, loadScopeSettings } from './scope.js';

export interface ReplicaStatus {
  me: number | null;
  my_worker: number | null;
  last_sync: string | null;
  dictionaries_fetched_at: string | null;
  counts: Record<RecordGroup | 'dictionaries' | 'dictionary_tables' | 'extension_records', number>;
  /** Per group: the explicit path, or the default in words. */
  scope: Record<RecordGroup, string> | null;
  done_window_months: number;
  /** Multiple-record extension databases kept, with their row counts. */
  extension_databases: Record<string, number>;
  /** Outbox entries not yet confirmed by the server. */
  pending: number;
  /** Set when a sync stopped part-way (killed or failed): where it was. */
  interrupted: { started_at: string; phase: string; group?: string } | null;
}

export function replicaStatus(replica: Pick<Replica, 'sqlite'>): ReplicaStatus {
  const settings = loadScopeSettings(replica);
  const myWorker = getSyncState<number | null>(replica, SYNC_KEYS.myWorker) ?? null;
  const count = (sql: string) => replica.sqlite.prepare(sql).pluck().get() as number;
  const counts = {} as ReplicaStatus['counts'];
  for (const group of RECORD_GROUPS) counts[group] = countRecords(replica, group);
  counts.dictionaries = count('SELECT count(*) FROM dictionaries');
  counts.dictionary_tables = count('SELECT count(DISTINCT table_ref) FROM dictionaries');
  counts.extension_records = count('SELECT count(*) FROM extension_records');
  return {
    me: settings.me ?? null,
    my_worker: myWorker,
    last_sync: getSyncState<string>(replica, SYNC_KEYS.lastSync) ?? null,
    dictionaries_fetched_at: getSyncState<string>(replica, SYNC_KEYS.dictionariesFetchedAt) ?? null,
    counts,
    scope: settings.me === undefined ? null : describeScope({ ...settings, me: settings.me }, myWorker),
    done_window_months: settings.doneWindowMonths,
    extension_databases: Object.fromEntries(
      settings.extensionDatabases.map((database) => [database, replica.sqlite.prepare('SELECT count(*) FROM extension_records WHERE database = ?').pluck().get(database) as number]),
    ),
    pending: pendingEntryCount(replica),
    interrupted: getSyncState<ReplicaStatus['interrupted']>(replica, RUN_KEY) ?? null,
  };
}
