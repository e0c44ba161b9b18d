// The replica's `drafts` table (schema-drafts.ts): one row per form and record, replaced on every
// save. Rows come back as stored; the app checks a draft's fields before it shows them.

import { count, eq } from 'drizzle-orm';
import type { Replica } from './open.js';
import { drafts } from './schema-drafts.js';

type Handle = Pick<Replica, 'db'>;

export function readDraftRow(replica: Handle, key: string): { fields: string; saved_at: string } | undefined {
  return replica.db.select().from(drafts).where(eq(drafts.key, key)).get();
}

/** Inserts the draft, or replaces the one saved under the same key. */
export function writeDraftRow(replica: Handle, row: { key: string; fields: string; saved_at: string }): void {
  replica.db
    .insert(drafts)
    .values(row)
    .onConflictDoUpdate({ target: drafts.key, set: { fields: row.fields, saved_at: row.saved_at } })
    .run();
}

/** True when there was a row to delete. */
export function deleteDraftRow(replica: Handle, key: string): boolean {
  return replica.db.delete(drafts).where(eq(drafts.key, key)).run().changes === 1;
}

export function countDraftRows(replica: Handle): number {
  return replica.db.select({ n: count() }).from(drafts).get()?.n ?? 0;
}

/** Deletes every draft; returns how many there were. */
export function deleteAllDraftRows(replica: Handle): number {
  return replica.db.delete(drafts).run().changes;
}
