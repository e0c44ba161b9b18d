// What the user can do with an entry that stopped: retry it (after editing its fields), discard it
// (its local change is rolled back; a discarded create takes the edits that build on it along),
// resolve a conflict field by field, and settle an in-doubt write they checked themselves (send
// again / mark as done). Each action is one transaction; nothing is ever dropped without being asked.

import type Database from 'better-sqlite3';
import type { EditValue } from '../../shared/edits/field-kinds.js';
import { normaliseEditFields, validateNeutralEdit } from '../../shared/edits/validate.js';
import { editOf, type ClassifiedEdit } from '../../shared/edits/classify.js';
import { apiValue, kindGroup, rollbackEdit, targetOf } from './apply.js';
import { replicaEditContext } from './context.js';
import { readLocal, writeLocal } from '../db/local-records.js';
import { dependantsOf, getEntry, setEntry, type FormFields, type OutboxEntry, type OutboxState } from './entries.js';
import { EditValidationError } from './queue.js';
import { landTempId, retireTempId } from './temp-ids.js';
import { cached } from '../db/statement-cache.js';

type Handle = { sqlite: Database.Database };

/** An action that does not fit the entry's state (or names no entry). */
export class OutboxActionError extends Error {
  override name = 'OutboxActionError';
}

function entryOrThrow(sqlite: Database.Database, id: number): OutboxEntry {
  const entry = getEntry(sqlite, id);
  if (!entry) throw new OutboxActionError(`there is no outbox entry ${id}`);
  return entry;
}

function requireState(entry: OutboxEntry, allowed: readonly OutboxState[], action: string): void {
  if (!allowed.includes(entry.state)) {
    throw new OutboxActionError(`entry ${entry.id} is ${entry.state.replace('_', ' ')}: "${action}" applies to ${allowed.map((s) => s.replace('_', ' ')).join(' or ')} entries`);
  }
}

function classified(entry: OutboxEntry): ClassifiedEdit {
  return editOf(entry.operation, entry.target);
}

/** Entries after `entry` on the same record that set a field, by field. */
function laterFieldsOf(sqlite: Database.Database, entry: OutboxEntry): Map<string, number> {
  const out = new Map<string, number>();
  if (entry.record_id === null) return out;
  const rows = cached(
    sqlite,
    `SELECT e.id, e.fields FROM outbox_entries e JOIN outbox_records r ON r.entry_id = e.id
     WHERE r.family = ? AND r.record_id = ? AND r.role = 'target' AND e.id > ? AND e.state <> 'confirmed' ORDER BY e.id`,
  ).all(entry.record_family, entry.record_id, entry.id) as Array<{ id: number; fields: string }>;
  for (const row of rows) for (const field of Object.keys(JSON.parse(row.fields) as FormFields)) if (!out.has(field)) out.set(field, row.id);
  return out;
}

/** Entries that stopped because `id` failed go back to pending with it. */
function unblockDependants(sqlite: Database.Database, id: number): void {
  cached(
    sqlite,
    `UPDATE outbox_entries SET state = 'pending', error_code = NULL, error = NULL, blocked_by = NULL, next_attempt_at = 0
    WHERE blocked_by = ? AND state = 'failed'`,
  ).run(id);
}

/** Puts a failed entry back in the queue, optionally with changed fields (validated, and applied locally). */
export function retryEntry(replica: Handle, id: number, changes: Record<string, EditValue> = {}): OutboxEntry {
  const sqlite = replica.sqlite;
  const entry = entryOrThrow(sqlite, id);
  requireState(entry, ['failed'], 'retry');
  if (entry.error_code === 'blocked' && entry.blocked_by !== null) {
    throw new OutboxActionError(`entry ${id} waits for entry ${entry.blocked_by}, which failed: retry or discard entry ${entry.blocked_by}`);
  }
  const edit = classified(entry);
  let fields = entry.fields;
  if (Object.keys(changes).length > 0) {
    const merged: Record<string, EditValue> = { ...entry.fields, ...changes };
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete merged[key];
    const result = validateNeutralEdit(edit, normaliseEditFields(merged), replicaEditContext(replica), entry.dialect);
    if (!result.ok) throw new EditValidationError(result.issues);
    fields = result.value.fields;
  }
  sqlite
    .transaction(() => {
      // A field the edit did not have before gets its base from the replica as it is now, before we overwrite it.
      const base = entry.base ? Object.fromEntries(Object.keys(fields).map((f) => [f, f in entry.base! ? (entry.base![f] ?? null) : currentValue(sqlite, entry, f)])) : null;
      if (fields !== entry.fields) applyChangedFields(sqlite, entry, edit, fields);
      setEntry(sqlite, id, { state: 'pending', fields, base, attempts: 0, next_attempt_at: 0, error_code: null, error: null, blocked_by: null });
      unblockDependants(sqlite, id);
    })
    .immediate();
  return getEntry(sqlite, id)!;
}

function currentValue(sqlite: Database.Database, entry: OutboxEntry, field: string): string | null {
  if (entry.record_id === null) return null;
  const local = readLocal(sqlite, { family: entry.record_family, id: entry.record_id });
  const value = local?.raw[field];
  return value === undefined || value === null || value === '' ? null : String(value);
}

/** The replica shows the edited fields of a retried entry (and its base is kept for the fields it already had). */
function applyChangedFields(sqlite: Database.Database, entry: OutboxEntry, edit: ClassifiedEdit, fields: FormFields): void {
  const target = targetOf(edit, entry.temp_id);
  if (!target) return;
  const ref = { family: target.family, id: entry.temp_id ?? entry.record_id! };
  const local = readLocal(sqlite, ref);
  if (!local) return;
  const raw = { ...local.raw };
  const group = kindGroup(edit);
  for (const [field, text] of Object.entries(fields)) raw[field] = apiValue(group, field, text);
  for (const field of Object.keys(entry.fields)) if (!(field in fields)) raw[field] = apiValue(group, field, entry.base?.[field] ?? null);
  writeLocal(sqlite, ref, raw, local.state);
}

/** Drops an entry and rolls its local change back. A create takes the entries that build on it along; returns every id dropped. */
export function discardEntry(replica: Handle, id: number): number[] {
  const sqlite = replica.sqlite;
  const entry = entryOrThrow(sqlite, id);
  requireState(entry, ['pending', 'failed', 'conflict', 'in_doubt'], 'discard');
  return sqlite
    .transaction((): number[] => {
      const dropped = entry.temp_id !== null ? [id, ...dependantsOf(sqlite, id)] : [id];
      for (const dropId of [...dropped].reverse()) dropOne(sqlite, entryOrThrow(sqlite, dropId));
      if (entry.temp_id === null) unblockDependants(sqlite, id);
      return dropped;
    })
    .immediate();
}

function dropOne(sqlite: Database.Database, entry: OutboxEntry): void {
  if (entry.state === 'confirmed' || entry.state === 'sending') {
    throw new OutboxActionError(`entry ${entry.id} is ${entry.state} and cannot be discarded`);
  }
  const edit = classified(entry);
  const later = laterFieldsOf(sqlite, entry);
  // A later edit of the same field keeps its value, and inherits this edit's base (the server never saw ours).
  for (const [field, laterId] of later) {
    if (!(field in entry.fields) || !entry.base || !(field in entry.base)) continue;
    const next = getEntry(sqlite, laterId)!;
    if (next.base) setEntry(sqlite, laterId, { base: { ...next.base, [field]: entry.base[field] ?? null } });
  }
  rollbackEdit(sqlite, {
    edit,
    fields: entry.fields,
    tempId: entry.temp_id,
    recordId: entry.record_id,
    base: entry.base,
    before: entry.before,
    laterFields: new Set(later.keys()),
  });
  if (entry.temp_id !== null) retireTempId(sqlite, entry.temp_id);
  cached(sqlite, 'DELETE FROM outbox_entries WHERE id = ?').run(entry.id);
}

export type Choice = 'mine' | 'theirs';

/** Settles conflict fields: mine is sent over theirs; theirs is taken into the replica and not sent. */
export function resolveConflict(replica: Handle, id: number, choices: Record<string, Choice>): OutboxEntry {
  const sqlite = replica.sqlite;
  const entry = entryOrThrow(sqlite, id);
  requireState(entry, ['conflict'], 'resolve');
  const conflict = { ...(entry.conflict ?? {}) };
  for (const field of Object.keys(choices)) {
    if (!(field in conflict)) throw new OutboxActionError(`${field} is not in conflict in entry ${id} (in conflict: ${Object.keys(conflict).join(', ')})`);
  }
  sqlite
    .transaction(() => {
      const fields = { ...entry.fields };
      const base = { ...(entry.base ?? {}) };
      const edit = classified(entry);
      const later = laterFieldsOf(sqlite, entry);
      for (const [field, choice] of Object.entries(choices)) {
        const { theirs } = conflict[field]!;
        if (choice === 'mine') {
          base[field] = theirs; // what we now knowingly overwrite
        } else {
          delete fields[field];
          delete base[field];
          if (later.has(field)) {
            const next = getEntry(sqlite, later.get(field)!)!;
            if (next.base) setEntry(sqlite, next.id, { base: { ...next.base, [field]: theirs } });
          } else {
            const target = targetOf(edit, null);
            const local = target ? readLocal(sqlite, { family: target.family, id: entry.record_id! }) : undefined;
            if (target && local) writeLocal(sqlite, { family: target.family, id: entry.record_id! }, { ...local.raw, [field]: apiValue(kindGroup(edit), field, theirs) }, local.state);
          }
        }
        delete conflict[field];
      }
      const open = Object.keys(conflict).length > 0;
      if (open) {
        setEntry(sqlite, id, { fields, base, conflict });
      } else if (Object.keys(fields).length === 0) {
        setEntry(sqlite, id, { state: 'confirmed', outcome: 'resolved', confirmed_at: new Date().toISOString(), fields, base, conflict: null, error_code: null, error: null });
      } else {
        setEntry(sqlite, id, { state: 'pending', fields, base, conflict: null, next_attempt_at: 0, error_code: null, error: null });
      }
    })
    .immediate();
  return getEntry(sqlite, id)!;
}

/** The user checked: an in-doubt write did not arrive. Send it again. */
export function sendAgain(replica: Handle, id: number): OutboxEntry {
  const entry = entryOrThrow(replica.sqlite, id);
  requireState(entry, ['in_doubt'], 'send-again');
  setEntry(replica.sqlite, id, { state: 'pending', next_attempt_at: 0, error_code: null, error: "sent again at the user's request" });
  return getEntry(replica.sqlite, id)!;
}

/** The user checked: an in-doubt write did arrive. A create needs the id it got on the server. */
export function markDone(replica: Handle, id: number, serverId?: number): OutboxEntry {
  const sqlite = replica.sqlite;
  const entry = entryOrThrow(sqlite, id);
  requireState(entry, ['in_doubt'], 'mark-done');
  // A 2019 "record a contact" whose plan step landed already knows its record.
  if (entry.temp_id !== null && serverId === undefined && entry.server_id === null) {
    throw new OutboxActionError(`entry ${id} created a record: give the id it has on the server (mark-done ${id} SERVER_ID), so the records that refer to it can follow`);
  }
  if (serverId !== undefined && (!Number.isSafeInteger(serverId) || serverId <= 0)) throw new OutboxActionError(`the server id must be a positive whole number, got ${serverId}`);
  sqlite
    .transaction(() => {
      if (serverId !== undefined && entry.temp_id !== null && entry.server_id === null) {
        const claimed = cached(sqlite, 'SELECT id FROM outbox_entries WHERE record_family = ? AND server_id = ? AND id <> ?').get(entry.record_family, serverId, id) as { id: number } | undefined;
        if (claimed) throw new OutboxActionError(`${entry.record_family} ${serverId} is already the record of entry ${claimed.id}`);
        setEntry(sqlite, id, { server_id: serverId, record_id: serverId });
        landTempId(sqlite, entry.temp_id, serverId);
      }
      setEntry(sqlite, id, { state: 'confirmed', outcome: 'marked', confirmed_at: new Date().toISOString(), error_code: null, error: null });
      cached(sqlite, 'UPDATE outbox_files SET data = NULL WHERE entry_id = ?').run(id);
    })
    .immediate();
  return getEntry(sqlite, id)!;
}
