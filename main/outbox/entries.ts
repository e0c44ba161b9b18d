// The outbox's rows as plain objects, and the SQL that reads and moves them between states. Every
// function takes the handle first and runs inside whatever transaction the caller holds. An entry
// is never deleted by replay: confirmed entries stay as history (the user can see what was sent).

import type Database from 'better-sqlite3';
import type { Dialect, WriteOperation, WriteTarget } from '../../shared/dizions/dialects.js';
import type { OutboxState } from '../db/schema-outbox.js';
import { cached } from '../db/statement-cache.js';

export type { OutboxState } from '../db/schema-outbox.js';
export type FormFields = Record<string, string | null>;

export interface ConflictField {
  base: string | null;
  mine: string | null;
  theirs: string | null;
}

export interface OutboxEntry {
  id: number;
  created_at: string;
  /** As last printed (queue time, then each send), in `dialect`: history. What is sent is printed from operation + target. */
  method: string;
  path: string;
  /** Neutral field names (shared/dizions/dialects.ts). */
  fields: FormFields;
  operation: WriteOperation;
  dialect: Dialect;
  /** The records the write names; temp ids are replaced as their creates land. */
  target: WriteTarget;
  record_family: string;
  record_id: number | null;
  temp_id: number | null;
  server_id: number | null;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  first_sent_at: string | null;
  last_attempt_at: string | null;
  error_code: string | null;
  error: string | null;
  blocked_by: number | null;
  base: FormFields | null;
  base_updated: string | null;
  before: { state: 'due' | 'done' } | null;
  conflict: Record<string, ConflictField> | null;
  confirmed_at: string | null;
  outcome: string | null;
}

type Row = Omit<OutboxEntry, 'fields' | 'base' | 'before' | 'conflict' | 'target'> & { fields: string; base: string | null; before: string | null; conflict: string | null; target: string };

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function rowToEntry(row: Row): OutboxEntry {
  return {
    ...row,
    fields: JSON.parse(row.fields) as FormFields,
    target: JSON.parse(row.target) as WriteTarget,
    base: parse<FormFields>(row.base),
    before: parse<{ state: 'due' | 'done' }>(row.before),
    conflict: parse<Record<string, ConflictField>>(row.conflict),
  };
}

export function getEntry(sqlite: Database.Database, id: number): OutboxEntry | undefined {
  const row = cached(sqlite, 'SELECT * FROM outbox_entries WHERE id = ?').get(id) as Row | undefined;
  return row ? rowToEntry(row) : undefined;
}

/** Entries in queue order; by default every entry not yet confirmed. */
export function listEntries(sqlite: Database.Database, options: { states?: readonly OutboxState[]; includeConfirmed?: boolean } = {}): OutboxEntry[] {
  let rows: Row[];
  if (options.states && options.states.length > 0) {
    rows = cached(sqlite, `SELECT * FROM outbox_entries WHERE state IN (${options.states.map(() => '?').join(', ')}) ORDER BY id`).all(...options.states) as Row[];
  } else if (options.includeConfirmed) {
    rows = cached(sqlite, 'SELECT * FROM outbox_entries ORDER BY id').all() as Row[];
  } else {
    rows = cached(sqlite, `SELECT * FROM outbox_entries WHERE state <> 'confirmed' ORDER BY id`).all() as Row[];
  }
  return rows.map(rowToEntry);
}

export interface StateChange {
  state?: OutboxState;
  error_code?: string | null;
  error?: string | null;
  next_attempt_at?: number;
  attempts?: number;
  blocked_by?: number | null;
  conflict?: Record<string, ConflictField> | null;
  first_sent_at?: string | null;
  last_attempt_at?: string | null;
  confirmed_at?: string | null;
  outcome?: string | null;
  server_id?: number | null;
  fields?: FormFields;
  base?: FormFields | null;
  base_updated?: string | null;
  method?: string;
  path?: string;
  dialect?: Dialect;
  target?: WriteTarget;
  record_id?: number | null;
}

const JSON_COLUMNS = new Set(['conflict', 'fields', 'base', 'target']);

/** Moves one entry to a state (and sets the other columns given); asserts the entry exists. */
export function setEntry(sqlite: Database.Database, id: number, change: StateChange): void {
  const columns = Object.keys(change) as Array<keyof StateChange>;
  const values = columns.map((c) => {
    const value = change[c];
    return JSON_COLUMNS.has(c) ? (value === null || value === undefined ? null : JSON.stringify(value)) : (value as unknown);
  });
  const result = cached(sqlite, `UPDATE outbox_entries SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...values, id);
  if (result.changes !== 1) throw new Error(`outbox entry ${id} does not exist`);
}

/** Keys of the records an entry writes or waits for. */
export function entryRecords(sqlite: Database.Database, id: number): Array<{ family: string; record_id: number; role: 'target' | 'reference' }> {
  return cached(sqlite, 'SELECT family, record_id, role FROM outbox_records WHERE entry_id = ?').all(id) as Array<{ family: string; record_id: number; role: 'target' | 'reference' }>;
}

/**
 * Unconfirmed entries after `id` that wait for it: they touch a record it writes, or a record
 * written by an entry that waits for it (the chain). Entries that merely refer to the same
 * record (two uploads to one client) do not wait for each other.
 */
export function dependantsOf(sqlite: Database.Database, id: number): number[] {
  const rows = cached(
    sqlite,
    `SELECT r.entry_id AS id, r.family, r.record_id, r.role FROM outbox_records r JOIN outbox_entries e ON e.id = r.entry_id
     WHERE e.state <> 'confirmed' AND r.entry_id >= ? ORDER BY r.entry_id`,
  ).all(id) as Array<{ id: number; family: string; record_id: number; role: string }>;
  const keysOf = new Map<number, Array<{ key: string; target: boolean }>>();
  for (const row of rows) {
    const list = keysOf.get(row.id) ?? [];
    list.push({ key: `${row.family}:${row.record_id}`, target: row.role === 'target' });
    keysOf.set(row.id, list);
  }
  const written = new Set((keysOf.get(id) ?? []).filter((k) => k.target).map((k) => k.key));
  const out: number[] = [];
  for (const [entry, keys] of keysOf) {
    if (entry === id) continue;
    if (keys.some((k) => written.has(k.key))) {
      out.push(entry);
      for (const k of keys) if (k.target) written.add(k.key);
    }
  }
  return out;
}

export function getQueueState(sqlite: Database.Database, key: string): unknown {
  const row = cached(sqlite, 'SELECT value FROM outbox_state WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as unknown) : undefined;
}

export function setQueueState(sqlite: Database.Database, key: string, value: unknown): void {
  if (value === undefined) cached(sqlite, 'DELETE FROM outbox_state WHERE key = ?').run(key);
  else cached(sqlite, 'INSERT INTO outbox_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}
