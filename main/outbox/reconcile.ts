// Settles a write whose reply was lost, by looking on the server before anything is sent again.
// Creates are found by a fingerprint: every field we sent, on a record changed since just before
// our first send and not already claimed by another entry; a near match (the names, or the
// referral + user + start) that differs elsewhere makes the entry ambiguous, for the user to
// decide — as do uploads and external referrals, which the API cannot read back. Updates are
// found by the values they set. We never rely on external_id alone: charities use it for their own systems.

import type Database from 'better-sqlite3';
import { CLIENT_FILTERS } from '../../shared/dizions/model.js';
import { relationshipMatches } from './relationship-read.js';
import { editFieldKind } from '../../shared/edits/field-kinds.js';
import type { DizionsClient } from '../api/client.js';
import { checkableFields, currentOnServer } from './conflicts.js';
import type { OutboxEntry } from './entries.js';
import { fetchRecord, groupOfFamily, sameValue, searchRecords } from './server-view.js';
import { readLocal } from '../db/local-records.js';
import { cached } from '../db/statement-cache.js';

export type Reconciliation = { kind: 'found'; serverId: number | null } | { kind: 'absent' } | { kind: 'ambiguous'; message: string } | { kind: 'unverifiable'; message: string };

export interface ReconcileOptions {
  /** How far before our first send a record may have changed and still be ours (clock skew). */
  windowMarginMs: number;
  timeoutMs?: number;
}

/** Client fields that tell two people with the same name apart. */
const IDENTIFYING_CLIENT_FIELDS = ['dob', 'postcode', 'nhs_number', 'social_services_number', 'external_id', 'email', 'telephone', 'mobile', 'address1'];

export const UNVERIFIABLE_EXPLANATION: Record<string, string> = {
  'upload-file':
    'The connection failed after the files were sent, and the API offers no way to list a record\'s uploads, so Caseworker cannot tell whether they arrived. Check the record in Charitylog, then choose "send again" or "mark as done".',
  'external-referral':
    'The connection failed after the external referral was sent, and the API offers no way to read the staging area, so Caseworker cannot tell whether it arrived. Ask the administrator (or check the staging area), then choose "send again" or "mark as done".',
};

export async function reconcile(sqlite: Database.Database, client: DizionsClient, entry: OutboxEntry, options: ReconcileOptions): Promise<Reconciliation> {
  switch (entry.operation) {
    case 'upload-file':
    case 'external-referral':
      return { kind: 'unverifiable', message: UNVERIFIABLE_EXPLANATION[entry.operation]! };
    case 'record-contact':
      // A chain whose first step landed (server_id) is settled like a completion of that action.
      if (entry.server_id !== null) return reconcileUpdate(client, { ...entry, operation: 'complete-action', record_id: entry.server_id, record_family: 'contacts' }, options);
      return reconcileCreate(sqlite, client, entry, options);
    case 'create-client':
    case 'create-referral':
    case 'plan-action':
    case 'create-extension-record':
      return reconcileCreate(sqlite, client, entry, options);
    case 'set-relationship':
      return reconcileRelationship(client, entry, options);
    default:
      return reconcileUpdate(client, entry, options);
  }
}

async function reconcileRelationship(client: DizionsClient, entry: OutboxEntry, options: ReconcileOptions): Promise<Reconciliation> {
  const server = await fetchRecord(client, 'clients', entry.target.recordId!, ['relationship_details'], timeout(options));
  const details = Array.isArray(server?.relationship_details) ? (server.relationship_details as unknown[]) : [];
  return details.some((d) => relationshipMatches(d, entry.target.secondId!, entry.fields)) ? { kind: 'found', serverId: null } : { kind: 'absent' };
}

async function reconcileUpdate(client: DizionsClient, entry: OutboxEntry, options: ReconcileOptions): Promise<Reconciliation> {
  const fields = checkableFields(entry);
  const server = await currentOnServer(client, entry, fields, options.timeoutMs);
  if (!server) return { kind: 'absent' }; // resending lets the precheck report it gone
  if (entry.operation === 'complete-action') {
    // Completed only if it is now a done contact: ask for it as done.
    const done = await fetchRecord(client, 'contacts', entry.record_id!, fields, { ...timeout(options), state: 'done' });
    if (!done) return { kind: 'absent' };
    return fields.every((f) => sameValue(done[f], entry.fields[f])) ? { kind: 'found', serverId: null } : { kind: 'absent' };
  }
  return fields.every((f) => sameValue(server[f], entry.fields[f])) ? { kind: 'found', serverId: null } : { kind: 'absent' };
}

function timeout(options: ReconcileOptions): { timeoutMs?: number } {
  return options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
}

/** `YYYY-MM-DD HH:MM:SS` minus some milliseconds (naive wall clock, as the server writes it). */
function earlier(timestamp: string, ms: number): string {
  const at = Date.UTC(+timestamp.slice(0, 4), +timestamp.slice(5, 7) - 1, +timestamp.slice(8, 10), +timestamp.slice(11, 13), +timestamp.slice(14, 16), +timestamp.slice(17, 19)) - ms;
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

interface Search {
  group: string;
  extensionDatabase?: string;
  filters: Record<string, string | [string, string]>;
  /** Fields that make a near match (same person / same visit) when the rest differs. */
  nearFields: string[];
}

function searchesFor(entry: OutboxEntry): Search[] {
  const f = entry.fields;
  switch (entry.operation) {
    case 'create-client': {
      // Only exact-valued filters (ids, flags): text such as a postcode may be tidied by the server.
      const filters: Record<string, string> = {};
      for (const key of CLIENT_FILTERS) {
        const value = f[key];
        const kind = editFieldKind('clients', key);
        if (value != null && (kind === 'dictionary' || kind === 'flag' || kind === 'id') && Object.keys(filters).length < 10) filters[key] = value;
      }
      return [{ group: 'clients', filters, nearFields: ['first_name', 'surname'] }];
    }
    case 'create-referral': {
      const filters: Record<string, string | [string, string]> = {};
      if (f.client != null) filters.client = f.client;
      if (f.project != null) filters.project = f.project;
      if (f.date != null) filters.date = [f.date, f.date];
      return [{ group: 'referrals', filters, nearFields: ['client', 'project', 'date'] }];
    }
    case 'plan-action':
    case 'record-contact': {
      const referral = entry.target.referralId;
      const filters: Record<string, string> = {};
      if (referral !== undefined && referral > 0) filters.referral = String(referral);
      if (f.user != null) filters.user = f.user;
      // A due contact completed since is a done contact with the same id space; a recorded contact
      // is done at once (2025) or planned first (2019's chain: step one is looked for as a due contact).
      return ['due_contacts', 'done_contacts'].map((group) => ({ group, filters, nearFields: ['user', 'start_date'] }));
    }
    case 'create-extension-record': {
      const { extensionDatabase } = groupOfFamily(entry.record_family);
      const filters: Record<string, string> = {};
      if (f.referral != null) filters.referral = f.referral;
      else if (f.client != null) filters.client = f.client;
      return [{ group: 'extension_database', extensionDatabase: extensionDatabase!, filters, nearFields: Object.keys(f) }];
    }
    default:
      return [];
  }
}

async function reconcileCreate(sqlite: Database.Database, client: DizionsClient, entry: OutboxEntry, options: ReconcileOptions): Promise<Reconciliation> {
  if (entry.first_sent_at === null) return { kind: 'absent' }; // never left this machine
  const since = earlier(entry.first_sent_at, options.windowMarginMs);
  // The fingerprint is what the (first) request sent: a 2019 "record a contact" plans before it completes.
  const sentFields = entry.operation === 'record-contact' && entry.server_id === null ? planFieldsOf(entry) : entry.fields;
  const sent = Object.entries(sentFields).filter(([, v]) => v !== null);
  const fieldNames = sent.map(([k]) => k);
  const claimed = new Set(cached(sqlite, 'SELECT server_id FROM outbox_entries WHERE record_family = ? AND server_id IS NOT NULL AND id <> ?').pluck().all(entry.record_family, entry.id) as number[]);
  const strong: number[] = [];
  const near: number[] = [];
  for (const search of searchesFor(entry)) {
    const wanted = [...new Set([...fieldNames, ...search.nearFields])].filter((name) => name !== 'id');
    const rows = await searchRecords(client, search.group, search.extensionDatabase, search.filters, wanted, options.timeoutMs);
    for (const row of rows) {
      const id = Number(row.id);
      if (!Number.isSafeInteger(id) || claimed.has(id)) continue;
      const updated = typeof row.updated === 'string' ? row.updated : '';
      if (updated !== '' && updated < since) continue;
      if (knownBefore(sqlite, entry.record_family, id, since)) continue;
      if (sent.every(([k, v]) => sameValue(row[k], v))) strong.push(id);
      else if (search.nearFields.length > 0 && search.nearFields.every((k) => entry.fields[k] == null || sameValue(row[k], entry.fields[k]))) near.push(id);
    }
  }
  strong.sort((a, b) => a - b);
  if (strong.length > 0) {
    if (entry.operation === 'create-client' && !IDENTIFYING_CLIENT_FIELDS.some((k) => entry.fields[k] != null)) {
      return {
        kind: 'ambiguous',
        message: `The reply to this create was lost. The server has a client with exactly these details (id ${strong.join(', ')}), but a name alone cannot prove it is this one. Check in Charitylog, then "mark as done" with its id, or "send again".`,
      };
    }
    return { kind: 'found', serverId: strong[0]! };
  }
  if (near.length > 0) {
    return {
      kind: 'ambiguous',
      message: `The reply to this create was lost. No record on the server matches it exactly, but ${near.length === 1 ? 'one is' : 'some are'} close (id ${near.join(', ')}): it may have arrived and been changed since. Check in Charitylog, then "mark as done" with its id, or "send again".`,
    };
  }
  return { kind: 'absent' };
}

/**
 * What the first request of a record-contact sent. In 2025 that is every field (one request); in 2019
 * the plan step sends the planned times — the same user, times and description — so a match on
 * those finds it either way (a completed one still carries them).
 */
function planFieldsOf(entry: OutboxEntry): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of ['user', 'start_date', 'end_date', 'description']) if (entry.fields[name] !== undefined) out[name] = entry.fields[name] ?? null;
  return out;
}

/** The replica held this record, as it was before our first send: it existed already, so it is not ours. */
function knownBefore(sqlite: Database.Database, family: string, id: number, since: string): boolean {
  if (!family.startsWith('extension_database/') && family !== 'clients' && family !== 'referrals' && family !== 'contacts') return false;
  const local = readLocal(sqlite, { family, id });
  const stamp = typeof local?.raw.updated === 'string' ? local.raw.updated : '';
  return stamp !== '' && stamp < since;
}
