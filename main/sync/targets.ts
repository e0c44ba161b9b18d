// Where a download writes: a record group's table, or the rows of one multiple-record extension
// database. Planning, fetching and ingesting work on a Target, so both kinds follow the same path
// (diff, id batches, slices, pending edits kept) and differ only here.

import type { RecordGroup } from '../../shared/dizions/model.js';
import type { RecordsPath } from '../../shared/url-grammar.js';
import type { Replica } from '../db/open.js';
import { changedRecords, deleteExtensionRecords, deleteRecords, getExtensionIdsAndUpdated, upsertExtensionRecords, upsertRecords, type ApiRecord, type UpsertResult } from '../db/records.js';
import { pendingRecordIds } from '../outbox/pending.js';
import type { DictionaryWatch } from './dictionaries.js';
import { localStamps, localStampsFor, type LocalStampReader } from './local-stamps.js';
import { pendingIds } from './pending.js';
import { StampList, packStamp } from './stamps.js';

export interface Target {
  /** `clients`, `done_contacts`, `extension_database/wellcheck_notes_9`. */
  label: string;
  /** The path records are fetched by id from (`/id/…` is added), fields included. */
  base: RecordsPath;
  /** Ids with pending local edits: never overwritten, never removed. */
  pending(): Set<number>;
  /** The records that would change the replica (compared without the write lock). */
  changed(records: readonly ApiRecord[]): readonly ApiRecord[];
  write(records: readonly ApiRecord[]): UpsertResult;
  remove(ids: readonly number[]): number;
  /** The replica's (id, updated) pairs, sorted by id. */
  localStamps(): Promise<StampList>;
  /** The same for just these ids (a listing of changes is compared with them alone). */
  localStampsFor(ids: Float64Array): StampList;
  /** Told about every record written (dictionary ids the replica lacks). */
  note(records: readonly ApiRecord[]): void;
}

/**
 * `stamps`: the run's reader, so due and done contacts are read in one pass over their table.
 * `fresh`: the target of a fill (the replica held none of the group's server records): each record
 * is inserted without first reading its id.
 */
export function groupTarget(replica: Replica, group: RecordGroup, fields: string[] | undefined, watch: DictionaryWatch, options: { stamps?: LocalStampReader; fresh?: boolean } = {}): Target {
  const { stamps, fresh = false } = options;
  return {
    label: group,
    base: { kind: 'records', group, pairs: [], ...(fields ? { fields } : {}) },
    pending: () => pendingIds(replica, group),
    changed: (records) => changedRecords(replica, group, records),
    write: (records) => upsertRecords(replica, group, records, { fresh }),
    remove: (ids) => deleteRecords(replica, group, ids),
    localStamps: () => (stamps ? stamps.read(group) : localStamps(replica, group)),
    localStampsFor: (ids) => localStampsFor(replica, group, ids),
    note: (records) => watch.note(group, records),
  };
}

export function extensionTarget(replica: Replica, database: string): Target {
  const label = `extension_database/${database}`;
  return {
    label,
    base: { kind: 'records', group: 'extension_database', extensionDatabase: database, pairs: [] },
    pending: () => pendingRecordIds(replica, label),
    changed: (records) => records, // small: written whole
    write: (records) => upsertExtensionRecords(replica, database, records),
    remove: (ids) => deleteExtensionRecords(replica, database, ids),
    // Extension databases are small beside contacts: one read is fine.
    localStamps: async () => {
      const list = new StampList();
      for (const [id, updated] of getExtensionIdsAndUpdated(replica, database)) list.push(id, packStamp(updated));
      return list.sortUnique();
    },
    localStampsFor(ids) {
      const wanted = new Set(ids);
      const list = new StampList();
      for (const [id, updated] of getExtensionIdsAndUpdated(replica, database)) if (wanted.has(id)) list.push(id, packStamp(updated));
      return list;
    },
    note: () => undefined,
  };
}
