// Applies a validated edit to the replica at once, so the UI shows it before the server has it, and
// takes it back on discard. An update records the base values of the fields it changes (the
// three-way merge's base, and what a discard restores); a completion records that the contact was due.
// Runs inside the caller's transaction (main/outbox/queue.ts): the edit and its entry commit together.

import type Database from 'better-sqlite3';
import { RELATIONSHIP_EDIT_FIELDS } from '../../shared/dizions/dialects.js';
import type { ClassifiedEdit } from '../../shared/edits/classify.js';
import { editFieldKind } from '../../shared/edits/field-kinds.js';
import type { ApiRecord } from '../db/records.js';
import { familyOf } from './families.js';
import { readLocal, writeLocal, deleteLocal, type RecordRef } from '../db/local-records.js';

export type FormFields = Record<string, string | null>;

export interface LocalChange {
  /** Updates: what the replica held in each changed field before the edit (form text or null). */
  base: FormFields | null;
  /** Updates: the record's `updated` before the edit (the server's change marker). */
  baseUpdated: string | null;
  /** Completions: the contact was due. */
  before: { state: 'due' | 'done' } | null;
}

const NUMERIC_KINDS = new Set(['id', 'reference', 'dictionary', 'relationship', 'carer_relationship', 'whole', 'number']);

/** Form text → the value the API would return for it (numbers for ids and numeric fields). */
export function apiValue(group: string, field: string, text: string | null): string | number | null {
  if (text === null) return null;
  return NUMERIC_KINDS.has(editFieldKind(group, field)) && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** A stored value as form text, for comparing with what an edit sends. */
export function formText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function kindGroup(edit: Pick<ClassifiedEdit, 'group'>): string {
  return edit.group === 'done_contacts' ? 'due_contacts' : edit.group;
}

/** The replica record an edit writes, or undefined for uploads and external referrals (nothing local). */
export function targetOf(edit: ClassifiedEdit, tempId: number | null): RecordRef | undefined {
  if (edit.operation === 'upload-file' || edit.operation === 'external-referral') return undefined;
  const family = familyOf(edit.group, edit.extensionDatabase);
  const id = tempId ?? edit.recordId;
  if (id === undefined) throw new Error(`${edit.operation} names no record`);
  return { family, id };
}

function isRelationshipField(field: string): boolean {
  return (RELATIONSHIP_EDIT_FIELDS as readonly string[]).includes(field);
}

/** A relationship as the replica keeps it: in the words it is read back in (`relationship_details` entries, the seed's keys). */
function relationshipDetail(second: number, fields: FormFields): Record<string, unknown> {
  const detail: Record<string, unknown> = { id_second: second };
  const seedName: Record<string, string> = {
    relation_first_to_second: 'relationship_first_to_second',
    relation_second_to_first: 'relationship_second_to_first',
    carer_relation_first_to_second: 'relationship_first_to_second_carer',
    carer_relation_second_to_first: 'relationship_second_to_first_carer',
  };
  for (const [field, text] of Object.entries(fields)) {
    const name = seedName[field] ?? field;
    detail[name] = apiValue('clients', name, text ?? null);
  }
  return detail;
}

/** Writes a create (temp id) or an update to the replica; returns what a discard needs. */
export function applyEdit(sqlite: Database.Database, edit: ClassifiedEdit, fields: FormFields, tempId: number | null): LocalChange {
  const target = targetOf(edit, tempId);
  if (!target) return { base: null, baseUpdated: null, before: null };
  const group = kindGroup(edit);
  if (tempId !== null) {
    const raw: ApiRecord = { id: tempId };
    for (const [field, text] of Object.entries(fields)) raw[field] = apiValue(group, field, text);
    if (edit.externalId !== undefined) raw.external_id = edit.externalId;
    if (edit.operation === 'plan-action' || edit.operation === 'record-contact') {
      const referral = readLocal(sqlite, { family: 'referrals', id: edit.referralId! });
      raw.referral = edit.referralId!;
      raw.client = referral?.raw.client ?? null;
      raw.project = referral?.raw.project ?? null;
    }
    if (edit.operation === 'create-client' && raw.type === undefined) raw.type = 1; // the server's default (assumptions table)
    raw.updated = null;
    writeLocal(sqlite, target, raw, edit.operation === 'plan-action' ? 'due' : edit.operation === 'record-contact' ? 'done' : undefined);
    return { base: null, baseUpdated: null, before: null };
  }

  const current = readLocal(sqlite, target);
  if (!current) throw new Error(`${target.family} ${target.id} is not in the replica`);
  const raw = { ...current.raw };
  const base: FormFields = {};
  for (const [field, text] of Object.entries(fields)) {
    if (isRelationshipField(field)) continue;
    base[field] = formText(raw[field]);
    raw[field] = apiValue(group, field, text);
  }
  if (edit.operation === 'set-relationship') {
    const details = Array.isArray(raw.relationship_details) ? [...(raw.relationship_details as unknown[])] : [];
    details.push(relationshipDetail(edit.secondId!, fields));
    raw.relationship_details = details;
  }
  const completes = edit.operation === 'complete-action' && current.state === 'due';
  writeLocal(sqlite, target, raw, completes ? 'done' : current.state);
  return {
    base,
    baseUpdated: formText(current.raw.updated),
    before: current.state ? { state: current.state } : null,
  };
}

export interface RollbackSpec {
  edit: ClassifiedEdit;
  fields: FormFields;
  tempId: number | null;
  recordId: number | null;
  base: FormFields | null;
  before: { state: 'due' | 'done' } | null;
  /** Fields a later, still-unconfirmed edit of the same record also sets: those keep the later value. */
  laterFields: ReadonlySet<string>;
}

/** Takes an edit back out of the replica: a create's record goes, an update's fields get their base values. */
export function rollbackEdit(sqlite: Database.Database, spec: RollbackSpec): void {
  const id = spec.tempId ?? spec.recordId;
  if (id === null) return;
  const target = targetOf(spec.edit, spec.tempId === null ? null : id);
  if (!target) return;
  if (spec.tempId !== null) {
    deleteLocal(sqlite, { ...target, id });
    return;
  }
  const current = readLocal(sqlite, { ...target, id });
  if (!current) return;
  const raw = { ...current.raw };
  const group = kindGroup(spec.edit);
  for (const [field, text] of Object.entries(spec.base ?? {})) {
    if (spec.laterFields.has(field)) continue;
    raw[field] = apiValue(group, field, text);
  }
  if (spec.edit.operation === 'set-relationship' && Array.isArray(raw.relationship_details)) {
    const details = [...(raw.relationship_details as Array<Record<string, unknown>>)];
    for (let i = details.length - 1; i >= 0; i--) {
      if (String(details[i]?.id_second) === String(spec.edit.secondId)) {
        details.splice(i, 1);
        break;
      }
    }
    raw.relationship_details = details;
  }
  writeLocal(sqlite, { ...target, id }, raw, spec.before?.state ?? current.state);
}
