// The three-way check an update passes before it is sent: base (what the replica held when the
// edit was made), mine (the edit), theirs (the server now). The record's `updated` tells cheaply
// that nothing moved; otherwise field by field: a field the server left alone is sent, a field
// both sides changed to different values is a conflict for the user — never a silent overwrite.

import { RELATIONSHIP_EDIT_FIELDS, type WriteOperation } from '../../shared/dizions/dialects.js';
import type { DizionsClient } from '../api/client.js';
import { formText } from './apply.js';
import type { ConflictField, FormFields, OutboxEntry } from './entries.js';
import { fetchRecord, sameValue, type ServerRecord } from './server-view.js';

export type Precheck = { kind: 'send'; fields: FormFields } | { kind: 'conflict'; conflict: Record<string, ConflictField> } | { kind: 'gone'; message: string };

const isRelationship = (field: string) => (RELATIONSHIP_EDIT_FIELDS as readonly string[]).includes(field);

/** Operations that change a record the server already has: checked three-way before they are sent. */
const UPDATES: ReadonlySet<WriteOperation> = new Set(['update-client', 'update-referral', 'edit-action', 'complete-action', 'edit-contact', 'update-extension-record']);

/** Fields of an update that hold a value the server can be asked about (relationships cannot). */
export function checkableFields(entry: Pick<OutboxEntry, 'fields'>): string[] {
  return Object.keys(entry.fields).filter((f) => !isRelationship(f));
}

export function isUpdate(entry: Pick<OutboxEntry, 'operation'>): boolean {
  return UPDATES.has(entry.operation);
}

export function isCompletion(entry: Pick<OutboxEntry, 'operation' | 'before'>): boolean {
  return entry.operation === 'complete-action';
}

/** The record as the server holds it now, looking under due then done for a completion. */
export async function currentOnServer(client: DizionsClient, entry: OutboxEntry, fields: readonly string[], timeoutMs?: number): Promise<ServerRecord | undefined> {
  const id = entry.record_id!;
  const options = timeoutMs === undefined ? {} : { timeoutMs };
  if (entry.record_family !== 'contacts') return fetchRecord(client, entry.record_family, id, fields, options);
  if (isCompletion(entry) || entry.operation === 'edit-action') {
    const due = await fetchRecord(client, 'contacts', id, fields, { ...options, state: 'due' });
    if (due || entry.operation === 'edit-action') return due;
  }
  return fetchRecord(client, 'contacts', id, fields, { ...options, state: 'done' });
}

/** Decides what an update sends, or that it is a conflict, or that its record is gone. */
export async function precheckUpdate(client: DizionsClient, entry: OutboxEntry, timeoutMs?: number): Promise<Precheck> {
  const fields = checkableFields(entry);
  if (fields.length === 0 || entry.base === null) return { kind: 'send', fields: entry.fields };
  const server = await currentOnServer(client, entry, fields, timeoutMs);
  if (!server) {
    return { kind: 'gone', message: `${describeRecord(entry)} is no longer on the server (deleted, or no longer visible to you); nothing was sent` };
  }
  if (entry.base_updated !== null && formText(server.updated) === entry.base_updated) return { kind: 'send', fields: entry.fields };
  const conflict: Record<string, ConflictField> = {};
  for (const field of fields) {
    const base = entry.base[field] ?? null;
    const mine = entry.fields[field] ?? null;
    const theirs = formText(server[field]);
    if (sameValue(theirs, base) || sameValue(theirs, mine)) continue;
    conflict[field] = { base, mine, theirs };
  }
  if (Object.keys(conflict).length > 0) return { kind: 'conflict', conflict };
  return { kind: 'send', fields: entry.fields };
}

export function describeRecord(entry: Pick<OutboxEntry, 'record_family' | 'record_id'>): string {
  const noun =
    entry.record_family === 'contacts'
      ? 'contact'
      : entry.record_family.startsWith('extension_database/')
        ? `${entry.record_family.slice('extension_database/'.length)} record`
        : entry.record_family.replace(/s$/, '');
  return `${noun} ${entry.record_id}`;
}
