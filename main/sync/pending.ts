// Which records carry pending local edits, so that a download never overwrites or drops them
// (the outbox's `pendingRecordIds`; due and done contacts are one family there, sharing ids).
// Records created offline carry negative ids and are never touched by sync at all (stamps.ts).

import type { RecordGroup } from '../../shared/dizions/model.js';
import type { Replica } from '../db/open.js';
import { pendingRecordIds } from '../outbox/pending.js';

/** Ids of `group` with unconfirmed local edits. */
export function pendingIds(replica: Pick<Replica, 'sqlite'>, group: RecordGroup): Set<number> {
  return pendingRecordIds(replica, group);
}
