// The draft channels over the replica's `drafts` table (main/db/schema-drafts.ts): one row per form
// and record, replaced on every save, removed on clear. The contract has already bounded key and
// fields; a row that no longer parses (written by a future version, say) reads as no draft.

import { count, eq } from 'drizzle-orm';
import { draftFields, type DraftFields } from '../../shared/ipc/drafts.js';
import type { Replica } from '../db/open.js';
import { drafts } from '../db/schema-drafts.js';
import type { Services } from '../ipc/services.js';

type Handle = Pick<Replica, 'db'>;

export function getDraft(replica: Handle, key: string): { draft: DraftFields | null; savedAt: string | null } {
  const row = replica.db.select().from(drafts).where(eq(drafts.key, key)).get();
  if (!row) return { draft: null, savedAt: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.fields);
  } catch {
    return { draft: null, savedAt: null };
  }
  const checked = draftFields.safeParse(parsed);
  return checked.success ? { draft: checked.data, savedAt: row.saved_at } : { draft: null, savedAt: null };
}

export function saveDraft(replica: Handle, key: string, fields: DraftFields, now = new Date()): { savedAt: string } {
  const savedAt = now.toISOString();
  const row = { key, fields: JSON.stringify(fields), saved_at: savedAt };
  replica.db
    .insert(drafts)
    .values(row)
    .onConflictDoUpdate({ target: drafts.key, set: { fields: row.fields, saved_at: savedAt } })
    .run();
  return { savedAt };
}

/** True when there was a draft to forget. */
export function clearDraft(replica: Handle, key: string): boolean {
  return replica.db.delete(drafts).where(eq(drafts.key, key)).run().changes === 1;
}

export function countDrafts(replica: Handle): number {
  return replica.db.select({ n: count() }).from(drafts).get()?.n ?? 0;
}

export function clearAllDrafts(replica: Handle): number {
  return replica.db.delete(drafts).run().changes;
}

type DraftServices = Pick<Services, 'drafts:get' | 'drafts:save' | 'drafts:clear' | 'drafts:count' | 'drafts:clear-all'>;

/** `replica` is read on each call: the core swaps the open replica on demo reset and server changes. */
export function createDraftServices(replica: () => Handle): DraftServices {
  return {
    'drafts:get': async ({ key }) => getDraft(replica(), key),
    'drafts:save': async ({ key, draft }) => saveDraft(replica(), key, draft),
    'drafts:clear': async ({ key }) => ({ cleared: clearDraft(replica(), key) }),
    'drafts:count': async () => ({ count: countDrafts(replica()) }),
    'drafts:clear-all': async () => ({ cleared: clearAllDrafts(replica()) }),
  };
}
