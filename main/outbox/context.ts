// Answers the shared validation's questions (shared/edits/validate.ts) from the replica: which
// dictionary ids exist, which template a stage or referral belongs to, which temp ids are live.
// A dictionary the replica never synced is "unknown", not "empty": the server then has the last word.

import type Database from 'better-sqlite3';
import type { EditContext } from '../../shared/edits/validate.js';
import { outboxExists } from './pending.js';
import { cached } from '../db/statement-cache.js';

type Handle = { sqlite: Database.Database };

export function replicaEditContext(replica: Handle): EditContext {
  const sqlite = replica.sqlite;
  const known = new Map<string, boolean>();
  const dictionaryKnown = (tableRef: string) => {
    let has = known.get(tableRef);
    if (has === undefined) {
      has = cached(sqlite, 'SELECT 1 FROM dictionaries WHERE table_ref = ? LIMIT 1').get(tableRef) !== undefined;
      known.set(tableRef, has);
    }
    return has;
  };
  const intOf = (value: unknown) => (value === null || value === undefined || value === '' ? undefined : Number(value));
  return {
    dictionaryHas(tableRef, id) {
      if (!dictionaryKnown(tableRef)) return undefined;
      return cached(sqlite, 'SELECT 1 FROM dictionaries WHERE table_ref = ? AND id = ?').get(tableRef, id) !== undefined;
    },
    stageTemplate(stageId) {
      const row = cached(sqlite, `SELECT extra FROM dictionaries WHERE table_ref = 'referrals/stage' AND id = ?`).get(stageId) as { extra: string | null } | undefined;
      if (!row?.extra) return undefined;
      return intOf((JSON.parse(row.extra) as Record<string, unknown>).template);
    },
    referralTemplate(referralId) {
      const row = cached(sqlite, 'SELECT template FROM referrals WHERE id = ?').get(referralId) as { template: number | null } | undefined;
      return intOf(row?.template);
    },
    contactReferral(contactId) {
      const row = cached(sqlite, 'SELECT referral FROM contacts WHERE id = ?').get(contactId) as { referral: number | null } | undefined;
      return intOf(row?.referral);
    },
    tempIdFamily(tempId) {
      if (tempId >= 0 || !outboxExists(sqlite)) return undefined;
      const row = cached(sqlite, 'SELECT family, server_id FROM outbox_temp_ids WHERE seq = ? AND entry_id IS NOT NULL').get(-tempId) as { family: string; server_id: number | null } | undefined;
      return row?.family;
    },
    extraFields(group) {
      const row = cached(sqlite, 'SELECT reply FROM selectable_fields WHERE "group" = ?').get(group) as { reply: string } | undefined;
      if (!row) return [];
      const reply = JSON.parse(row.reply) as unknown;
      if (Array.isArray(reply)) return reply.filter((f): f is string => typeof f === 'string');
      if (reply && typeof reply === 'object') return Object.keys(reply);
      return [];
    },
  };
}
