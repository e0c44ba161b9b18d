// The one validation of an edit, shared by the UI (before it calls main) and main (before anything
// is written): the method and path name a documented write, every field belongs to it and has the
// right form, mandatory fields are there, dictionary ids exist, a stage belongs to the referral's
// template, temp ids name records created offline. Every problem names its field.

import { z } from 'zod';
import type { Dialect, WriteOperation } from '../dizions/assumptions.js';
import { CLIENT_FIELDS, CONTACT_FIELDS, MANDATORY, REFERRAL_FIELDS, RELATIONSHIP_FIELDS, dictionaryFor } from '../dizions/model.js';
import { textCharacterProblem } from '../text-characters.js';
import { EditPathError, classifyEdit, type ClassifiedEdit } from './classify.js';
import { REFERENCE_FAMILIES, editFieldKind, formValue, kindProblem, type EditValue } from './field-kinds.js';

/** What validation needs to know about the replica; main answers from SQLite, the UI through IPC. */
export interface EditContext {
  /** Whether dictionary `tableRef` holds `id`; undefined when that dictionary was never synced (not checked then). */
  dictionaryHas(tableRef: string, id: number): boolean | undefined;
  /** The template a stage belongs to (from the stage dictionary), if known. */
  stageTemplate(stageId: number): number | undefined;
  /** The template of a referral in the replica (server or temp id), if known. */
  referralTemplate(referralId: number): number | undefined;
  /** The family (`clients`, `referrals`, `contacts`) of a temp id handed out and not discarded, else undefined. */
  tempIdFamily(tempId: number): string | undefined;
  /** The referral a contact (server or temp id) belongs to, if known. */
  contactReferral?(contactId: number): number | undefined;
  /** Extra field names the server listed for a group in selectable_fields (single-record extension fields). */
  extraFields?(group: string): readonly string[];
}

export interface EditInput {
  method: string;
  path: string;
  fields: Record<string, EditValue>;
}

export interface EditOptions {
  dialect: Dialect;
  /** The contact named by a done_contacts POST is due: this completes it (more fields are mandatory). */
  completion?: boolean;
}

export interface ValidatedEdit {
  edit: ClassifiedEdit;
  /** The form fields to send: text, or null to clear. */
  fields: Record<string, string | null>;
}

export interface EditIssue {
  field: string;
  message: string;
}

export type EditValidation = { ok: true; value: ValidatedEdit } | { ok: false; issues: EditIssue[] };

const without = (list: readonly string[], drop: readonly string[]) => list.filter((f) => !drop.includes(f));
const CLIENT_WRITABLE = [...without(CLIENT_FIELDS, ['id', 'updated']), 'website_photo_consent'];
const REFERRAL_WRITABLE = without(REFERRAL_FIELDS, ['id', 'updated']);
const CONTACT_WRITABLE = without(CONTACT_FIELDS, ['id', 'updated', 'referral', 'client', 'project']);

/** Fields each write accepts (besides the server's extra fields from selectable_fields). */
export const WRITABLE_FIELDS: Record<WriteOperation, readonly string[]> = {
  createClient: CLIENT_WRITABLE,
  updateClient: [...CLIENT_WRITABLE, ...RELATIONSHIP_FIELDS],
  createReferral: REFERRAL_WRITABLE,
  updateReferral: REFERRAL_WRITABLE,
  createDueContact: CONTACT_WRITABLE,
  updateDueContact: CONTACT_WRITABLE,
  updateDoneContact: CONTACT_WRITABLE,
  createExternalReferral: ['org_type_id', 'description', 'project', ...without(CLIENT_WRITABLE, ['external_id'])],
  createExtensionRecord: [],
  updateExtensionRecord: [],
  upload: ['user_visibility', 'group_visibility'],
};

const OPERATION_NAMES: Record<WriteOperation, string> = {
  createClient: 'creating a client',
  updateClient: 'updating a client',
  createReferral: 'creating a referral',
  updateReferral: 'updating a referral',
  createDueContact: 'creating a due contact',
  updateDueContact: 'updating a due contact',
  updateDoneContact: 'updating a done contact',
  createExternalReferral: 'sending an external referral',
  createExtensionRecord: 'creating an extension-database record',
  updateExtensionRecord: 'updating an extension-database record',
  upload: 'uploading files',
};

function mandatoryFor(operation: WriteOperation, completion: boolean): readonly string[] {
  switch (operation) {
    case 'createClient': return MANDATORY.createClient;
    case 'createReferral': return MANDATORY.createReferral;
    case 'createDueContact': return MANDATORY.createDueContact;
    case 'updateDoneContact': return completion ? MANDATORY.completeContact : [];
    case 'createExternalReferral': return MANDATORY.externalReferral;
    case 'upload': return ['user_visibility', 'group_visibility'];
    default: return [];
  }
}

const FIELD_NAME = /^[a-z][a-z0-9_]*$/;

const editInputSchema = z.object({
  method: z.string({ error: 'expected PUT or POST' }),
  path: z.string({ error: 'expected a path such as clients/id/12' }),
  fields: z.record(z.string(), formValue, { error: 'expected an object of field: value' }),
});

/** Builds the zod schema of an edit for a replica's context (the UI can call `.safeParse` itself). */
export function editSchema(context: EditContext, options: EditOptions) {
  return editInputSchema.transform((input, ctx): ValidatedEdit => {
    const result = checkEdit(input, context, options);
    if (result.ok) return result.value;
    for (const issue of result.issues) ctx.addIssue({ code: 'custom', path: issue.field === 'method' || issue.field === 'path' ? [issue.field] : ['fields', issue.field], message: issue.message });
    return z.NEVER;
  });
}

/** Validates an edit; issues name the field (`surname`, `stage`, `path`, `method`). */
export function validateEdit(input: EditInput, context: EditContext, options: EditOptions): EditValidation {
  const parsed = editInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((issue) => ({ field: String(issue.path[issue.path.length - 1] ?? 'edit'), message: issue.message })) };
  }
  // A key the parse could not keep as data (`__proto__`) is refused like any unknown field, never dropped.
  const lost = Object.keys(input.fields).filter((name) => !Object.hasOwn(parsed.data.fields, name));
  if (lost.length > 0) return { ok: false, issues: lost.map((name) => ({ field: name, message: 'is not a field name (lowercase letters, digits and _)' })) };
  return checkEdit(parsed.data, context, options);
}

function checkEdit(input: { method: string; path: string; fields: Record<string, string | null> }, context: EditContext, options: EditOptions): EditValidation {
  let edit: ClassifiedEdit;
  try {
    edit = classifyEdit(input.method, input.path, options.dialect);
  } catch (error) {
    if (error instanceof EditPathError) return { ok: false, issues: [{ field: error.field, message: error.message }] };
    throw error;
  }
  const issues = fieldProblems(edit, input.fields, context, options);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { edit, fields: input.fields } };
}

/** One line for people: "surname: is mandatory when creating a client; stage: …". */
export function describeIssues(issues: readonly EditIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}

function fieldProblems(edit: ClassifiedEdit, fields: Record<string, string | null>, context: EditContext, options: EditOptions): EditIssue[] {
  const problems: EditIssue[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const group = edit.group === 'extension_database' ? `extension_database/${edit.extensionDatabase}` : edit.group;
  const dictionaryGroup = edit.group === 'external_referral' ? 'clients' : edit.group;
  const isExtension = edit.group === 'extension_database';
  const allowed = new Set([...WRITABLE_FIELDS[edit.operation], ...(context.extraFields?.(group) ?? [])]);
  const completion = edit.operation === 'updateDoneContact' && options.completion === true;
  const what = completion ? 'completing a due contact' : OPERATION_NAMES[edit.operation];

  const names = Object.keys(fields);
  if (names.length === 0 && edit.operation !== 'upload') add('fields', `${what} needs at least one field=value`);

  for (const name of names) {
    const value = fields[name] ?? null;
    if (!FIELD_NAME.test(name)) {
      add(name, 'is not a field name (lowercase letters, digits and _)');
      continue;
    }
    if (isExtension ? name === 'id' || name === 'updated' : !allowed.has(name)) {
      add(name, `is not a field that can be set when ${what}`);
      continue;
    }
    if (value === null) continue;
    const kind = editFieldKind(dictionaryGroup, name);
    const problem = kindProblem(kind, value) ?? textCharacterProblem(value);
    if (problem) {
      add(name, problem);
      continue;
    }
    if (kind === 'reference') {
      const id = Number(value);
      if (id < 0) {
        const family = context.tempIdFamily(id);
        const wanted = REFERENCE_FAMILIES[name]!;
        if (family === undefined) add(name, `${id} is not a record created offline on this device (or it was discarded)`);
        else if (family !== wanted) add(name, `${id} is a temporary ${family.replace(/s$/, '')} id, not a ${wanted.replace(/s$/, '')} id`);
      }
    } else if (kind === 'dictionary' || kind === 'relationship' || kind === 'carer_relationship') {
      const tableRef = kind === 'relationship' ? 'relationships' : kind === 'carer_relationship' ? 'carer_relationships' : dictionaryFor(dictionaryGroup, name);
      if (tableRef && context.dictionaryHas(tableRef, Number(value)) === false) add(name, `${value} is not in the dictionary ${tableRef}`);
    }
  }

  if (edit.externalId !== undefined && fields.external_id != null && fields.external_id !== edit.externalId) {
    add('external_id', `differs from the external id in the path ("${edit.externalId}")`);
  }
  for (const name of mandatoryFor(edit.operation, completion)) {
    // Upload visibility must be sent but may be empty: no restriction beyond the record's own.
    const mayBeEmpty = edit.operation === 'upload';
    if (fields[name] === undefined || (fields[name] === null && !mayBeEmpty)) add(name, `is mandatory when ${what}`);
  }
  if (edit.recordId !== undefined && edit.recordId < 0) checkTempTarget(edit, context, add);
  if (edit.referralId !== undefined && edit.referralId < 0 && context.tempIdFamily(edit.referralId) !== 'referrals') {
    add('path', `${edit.referralId} is not a referral created offline on this device (or it was discarded)`);
  }
  if (edit.operation === 'updateClient') checkRelationship(fields, add);
  checkStage(edit, fields, context, add);
  const start = fields.start_date;
  const end = fields.end_date;
  if (start && end && end < start && !problems.some((p) => p.field === 'end_date' || p.field === 'start_date')) {
    add('end_date', `(${end}) is before start_date (${start})`);
  }
  return problems;
}

function checkTempTarget(edit: ClassifiedEdit, context: EditContext, add: (field: string, message: string) => void): void {
  const wanted = edit.uploadGroup ?? (edit.group === 'due_contacts' || edit.group === 'done_contacts' ? 'contacts'
    : edit.group === 'extension_database' ? `extension_database/${edit.extensionDatabase}` : edit.group);
  const family = context.tempIdFamily(edit.recordId!);
  if (family !== wanted) add('path', `${edit.recordId} is not a record created offline on this device (or it was discarded)`);
}

function checkRelationship(fields: Record<string, string | null>, add: (field: string, message: string) => void): void {
  const set = RELATIONSHIP_FIELDS.filter((f) => fields[f] !== undefined);
  if (set.length === 0) return;
  for (const name of ['id_second', 'relationship_first_to_second', 'relationship_second_to_first'] as const) {
    if (fields[name] === undefined || fields[name] === null) add(name, 'is needed to set a relationship (id_second, relationship_first_to_second, relationship_second_to_first)');
  }
}

/** A stage (or due_stage) must belong to the template of its referral. */
function checkStage(edit: ClassifiedEdit, fields: Record<string, string | null>, context: EditContext, add: (field: string, message: string) => void): void {
  let template: number | undefined;
  if (edit.group === 'referrals') {
    const fromFields = fields.template != null ? Number(fields.template) : undefined;
    template = fromFields ?? (edit.recordId !== undefined ? context.referralTemplate(edit.recordId) : undefined);
    if (fields.template != null && fields.stage === undefined && edit.recordId !== undefined) {
      // Changing the template alone would strand the referral's current stage.
      add('stage', 'must be given too when the template changes (a stage belongs to one template)');
    }
  } else if (edit.group === 'due_contacts' || edit.group === 'done_contacts') {
    const referral = edit.referralId ?? (fields.referral != null ? Number(fields.referral) : undefined);
    template = referral !== undefined ? context.referralTemplate(referral) : contactTemplate(edit, context);
  } else {
    return;
  }
  for (const name of ['stage', 'due_stage'] as const) {
    const value = fields[name];
    if (value == null || Number.isNaN(Number(value))) continue;
    const stageTemplate = context.stageTemplate(Number(value));
    if (template !== undefined && stageTemplate !== undefined && stageTemplate !== template) {
      add(name, `${value} belongs to template ${stageTemplate}, not to this referral's template ${template}`);
    }
  }
}

function contactTemplate(edit: ClassifiedEdit, context: EditContext): number | undefined {
  if (!context.contactReferral || edit.recordId === undefined) return undefined;
  const referral = context.contactReferral(edit.recordId);
  return referral === undefined ? undefined : context.referralTemplate(referral);
}
