// The draft channels over the replica's `drafts` table (main/db/drafts.ts): one row per form
// and record, replaced on every save, removed on clear. The contract has already bounded key and
// fields; a row that no longer parses (written by a future version, say) reads as no draft.

import { draftFields, type DraftFields } from '../../shared/ipc/drafts.js';
import { countDraftRows, deleteAllDraftRows, deleteDraftRow, readDraftRow, writeDraftRow } from '../db/drafts.js';
import type { Replica } from '../db/open.js';
import type { Services } from '../ipc/services.js';

type Handle = Pick<Replica, 'db'>;

export function getDraft(replica: Handle, key: string): { draft: DraftFields | null; savedAt: string | null } {
  const row = readDraftRow(replica, key);
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
  writeDraftRow(replica, { key, fields: JSON.stringify(fields), saved_at: savedAt });
  return { savedAt };
}

/** True when there was a draft to forget. */
export function clearDraft(replica: Handle, key: string): boolean {
  return deleteDraftRow(replica, key);
}

export function countDrafts(replica: Handle): number {
  return countDraftRows(replica);
}

export function clearAllDrafts(replica: Handle): number {
  return deleteAllDraftRows(replica);
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
