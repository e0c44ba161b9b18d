// What the record screens show, read from the replica in the API's own shapes: one client with its
// relationships, referrals (with their status through the stage's template), contacts, uploads sent
// from here and extension-database rows; one referral; one contact. Every record carries the
// "not yet sent" marks of the outbox entries still waiting on it. Reads only.

import type Database from 'better-sqlite3';
import type { ClientDetail } from '../../shared/ipc/clients.js';
import type { ClientSummary } from '../../shared/ipc/fields.js';
import type { ContactDetail } from '../../shared/ipc/contacts.js';
import type { ReferralDetail } from '../../shared/ipc/referrals.js';
import { readRelationship } from '../../shared/dizions/replies.js';
import { editOf } from '../../shared/edits/classify.js';
import type { WriteTarget } from '../../shared/dizions/dialects.js';
import type { Replica } from '../db/open.js';
import { entryBefore, pendingMarkRows, uploadRows } from '../db/pending-marks.js';
import {
  clientRecord,
  clientSummary,
  contactRecord,
  contactsOfClient,
  contactsOfReferral,
  extensionRowsOfClient,
  referralRecord,
  referralsOfClient,
  stageStatuses,
  type ContactState,
  type StageStatus,
} from '../db/record-queries.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';

type Handle = Pick<Replica, 'sqlite'>;
type Scalar = string | number | null;
type ApiRow = { id: number } & Record<string, Scalar>;

/** Keeps the scalar fields of a stored record (the contract's records carry scalars only). */
export function scalarRecord(raw: Record<string, unknown>, required: readonly string[] = []): ApiRow {
  const out: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === '__proto__') continue;
    const scalar = scalarValue(value);
    if (scalar !== undefined) out[key] = scalar;
  }
  for (const key of required) if (!(key in out)) out[key] = null;
  return out as ApiRow;
}

/** One stored value as the contract's records carry it: true/false as 'Y'/'N'; undefined (left out) for objects, arrays and non-finite numbers. */
export function scalarValue(value: unknown): Scalar | undefined {
  if (value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  return undefined;
}

export const CONTACT_REQUIRED = ['referral', 'client', 'user', 'start_date', 'end_date'] as const;
const REFERRAL_REQUIRED = ['client', 'project', 'stage'] as const;

export function referralView(raw: Record<string, unknown>, statuses: Map<number, StageStatus>): ApiRow & { status: StageStatus | null } {
  const record = scalarRecord(raw, REFERRAL_REQUIRED);
  return { ...record, status: stageStatusOf(record.stage, statuses) };
}

/** A referral's status from its stage (stageStatuses), null when the stage is missing or has no known status. */
export function stageStatusOf(stage: unknown, statuses: Map<number, StageStatus>): StageStatus | null {
  return typeof stage === 'number' ? (statuses.get(stage) ?? null) : null;
}

export function contactView(raw: Record<string, unknown>): ApiRow {
  return scalarRecord(raw, CONTACT_REQUIRED);
}

export function clientSummaryOf(sqlite: Database.Database, id: number | null | undefined): ClientSummary | null {
  if (typeof id !== 'number') return null;
  return clientSummary(sqlite, id) ?? null;
}

// ---- pending marks --------------------------------------------------------------------------------

export interface PendingMark {
  outboxId: number;
  group: string;
  record: number;
  field: string | null;
  state: string;
}

/**
 * The marks of unconfirmed entries writing the given records: one per field an update changes, one
 * with field null for a record created (or a contact completed) here. Contacts are named by the
 * group they sit in now (due_contacts / done_contacts).
 */
export function pendingMarks(sqlite: Database.Database, records: ReadonlyArray<{ family: string; ids: readonly number[] }>): PendingMark[] {
  const marks: PendingMark[] = [];
  for (const { family, ids } of records) {
    if (ids.length === 0) continue;
    for (const row of pendingMarkRows(sqlite, family, ids)) {
      const group = family === 'contacts' ? (row.contact_state === 'done' ? 'done_contacts' : 'due_contacts') : family;
      const state = displayState(row.state, row.error_code);
      // A new record, or a completion, is waiting as a whole; other edits mark the fields they change.
      const whole = WHOLE_RECORD.has(row.operation) || (row.operation === 'complete-action' && row.contact_state === 'done' && completes(sqlite, row.entry));
      if (whole) {
        marks.push({ outboxId: row.entry, group, record: row.record_id, field: null, state });
        continue;
      }
      if (row.operation === 'set-relationship') {
        marks.push({ outboxId: row.entry, group, record: row.record_id, field: 'relationship_details', state });
        continue;
      }
      for (const field of Object.keys(JSON.parse(row.fields) as Record<string, unknown>)) {
        marks.push({ outboxId: row.entry, group, record: row.record_id, field, state });
      }
    }
  }
  return marks;
}

/** Operations whose mark covers the whole record: it was created (or recorded) here. */
const WHOLE_RECORD = new Set(['create-client', 'create-referral', 'plan-action', 'record-contact', 'create-extension-record']);

function completes(sqlite: Database.Database, entry: number): boolean {
  const before = entryBefore(sqlite, entry);
  return before !== null && (JSON.parse(before) as { state?: string }).state === 'due';
}

/** The outbox's stored state in the user's words (shared/ipc/outbox.ts outboxDisplayState, by hand to avoid a cycle). */
function displayState(stored: string, errorCode: string | null): string {
  if (stored === 'pending') return errorCode ? 'failed' : 'pending';
  if (stored === 'failed') return errorCode === 'blocked' ? 'failed' : 'rejected';
  return stored;
}

// ---- uploads sent from this device ----------------------------------------------------------------

const idList = (text: unknown) => (typeof text === 'string' && text !== '' ? text.split(',').map(Number).filter(Number.isInteger) : []);

/** Files queued from this app for these clients / referrals (the API has no GET of uploads). */
export function uploadsFor(sqlite: Database.Database, targets: ReadonlyArray<{ group: 'clients' | 'referrals'; ids: readonly number[] }>) {
  const out: ClientDetail['uploads'] = [];
  for (const { group, ids } of targets) {
    if (ids.length === 0) continue;
    for (const row of uploadRows(sqlite, group, ids)) {
      const edit = editOf('upload-file', JSON.parse(row.target) as WriteTarget);
      const fields = JSON.parse(row.fields) as Record<string, unknown>;
      out.push({
        id: row.file,
        group: edit.uploadGroup ?? group,
        record: edit.recordId ?? 0,
        filename: row.filename,
        contentType: row.content_type ?? 'application/octet-stream',
        bytes: row.bytes,
        user_visibility: idList(fields.user_visibility),
        group_visibility: idList(fields.group_visibility),
        sent: row.state === 'confirmed',
        createdAt: row.created_at,
      });
    }
  }
  return out;
}

// ---- the screens ------------------------------------------------------------------------------------

/** Contacts split into due and done (history newest first). */
function byState(rows: ReadonlyArray<{ state: ContactState; raw: Record<string, unknown> }>): { due: ApiRow[]; done: ApiRow[] } {
  const due: ApiRow[] = [];
  const done: ApiRow[] = [];
  for (const row of rows) (row.state === 'due' ? due : done).push(contactView(row.raw));
  done.reverse(); // history: newest first
  return { due, done };
}

export function clientDetail(replica: Handle, id: number): ClientDetail {
  const sqlite = replica.sqlite;
  const raw = clientRecord(sqlite, id);
  if (!raw) throw new ServiceError('NOT_FOUND', `Client ${id} is not on this device. Sync, or check the caseload for them.`);
  const statuses = stageStatuses(sqlite);

  const referrals = referralsOfClient(sqlite, id).map((r) => referralView(r, statuses));
  const referralIds = referrals.map((r) => r.id);
  const contacts = byState(contactsOfClient(sqlite, id, referralIds));

  const details = Array.isArray(raw.relationship_details) ? (raw.relationship_details as Array<Record<string, unknown>>) : [];
  // Any entry shape is kept raw; names are shown where the keys are recognisable in either dialect's words.
  const relationships = details
    .map(readRelationship)
    .filter((d) => d.id_second !== undefined)
    .map((d) => ({
      id_second: d.id_second!,
      relationship_first_to_second: relationValue(d.relationship_first_to_second),
      relationship_second_to_first: relationValue(d.relationship_second_to_first),
      relationship_first_to_second_carer: relationValue(d.relationship_first_to_second_carer),
      relationship_second_to_first_carer: relationValue(d.relationship_second_to_first_carer),
      other: clientSummaryOf(sqlite, d.id_second!),
    }));

  const byDatabase = new Map<string, ApiRow[]>();
  for (const ext of extensionRowsOfClient(sqlite, id, referralIds)) {
    const list = byDatabase.get(ext.database) ?? [];
    list.push(scalarRecord(ext.raw));
    byDatabase.set(ext.database, list);
  }

  const contactIds = [...contacts.due, ...contacts.done].map((c) => c.id);
  return {
    client: scalarRecord(raw, ['first_name', 'surname']) as ClientDetail['client'],
    relationships,
    referrals: referrals as ClientDetail['referrals'],
    due_contacts: contacts.due as ClientDetail['due_contacts'],
    done_contacts: contacts.done as ClientDetail['done_contacts'],
    uploads: uploadsFor(sqlite, [
      { group: 'clients', ids: [id] },
      { group: 'referrals', ids: referralIds },
    ]),
    extension_records: [...byDatabase].map(([database, rows]) => ({ database, rows })),
    pending: pendingMarks(sqlite, [
      { family: 'clients', ids: [id] },
      { family: 'referrals', ids: referralIds },
      { family: 'contacts', ids: contactIds },
    ]),
  };
}

function relationValue(value: unknown): number | string | null {
  return typeof value === 'number' || typeof value === 'string' ? value : null;
}

export function referralDetail(replica: Handle, id: number): ReferralDetail {
  const sqlite = replica.sqlite;
  const raw = referralRecord(sqlite, id);
  if (!raw) throw new ServiceError('NOT_FOUND', `Referral ${id} is not on this device. Sync, or open it from the client's record.`);
  const referral = referralView(raw, stageStatuses(sqlite));
  const contacts = byState(contactsOfReferral(sqlite, id));
  return {
    referral: referral as ReferralDetail['referral'],
    client: clientSummaryOf(sqlite, typeof referral.client === 'number' ? referral.client : null),
    due_contacts: contacts.due as ReferralDetail['due_contacts'],
    done_contacts: contacts.done as ReferralDetail['done_contacts'],
    uploads: uploadsFor(sqlite, [{ group: 'referrals', ids: [id] }]),
    pending: pendingMarks(sqlite, [
      { family: 'referrals', ids: [id] },
      { family: 'contacts', ids: [...contacts.due, ...contacts.done].map((c) => c.id) },
    ]),
  };
}

export function contactDetail(replica: Handle, id: number): ContactDetail {
  const sqlite = replica.sqlite;
  const row = contactRecord(sqlite, id);
  if (!row) throw new ServiceError('NOT_FOUND', `Action ${id} is not on this device. Sync, or open it from the client's record.`);
  const contact = contactView(row.raw);
  const referralRaw = typeof contact.referral === 'number' ? referralRecord(sqlite, contact.referral) : undefined;
  const referral = referralRaw ? referralView(referralRaw, stageStatuses(sqlite)) : null;
  const clientId = typeof contact.client === 'number' ? contact.client : typeof referral?.client === 'number' ? referral.client : null;
  return {
    contact: contact as ContactDetail['contact'],
    state: row.state,
    client: clientSummaryOf(sqlite, clientId),
    referral: referral as ContactDetail['referral'],
    pending: pendingMarks(sqlite, [{ family: 'contacts', ids: [id] }]),
  };
}

/** The record screens' reads: one client, referral or contact with what hangs off it. */
export function createRecordViewServices(replica: () => Handle): Pick<Services, 'clients:get' | 'referrals:get' | 'contacts:get'> {
  return {
    'clients:get': async ({ id }) => clientDetail(replica(), id),
    'referrals:get': async ({ id }) => referralDetail(replica(), id),
    'contacts:get': async ({ id }) => contactDetail(replica(), id),
  };
}
