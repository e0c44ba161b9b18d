// The one validation of an edit, shared by the UI (before it calls main) and main (before anything
// is written): the method and path name a documented write, every field belongs to it and has the
// right form, mandatory fields are there, dictionary ids exist, a stage belongs to the referral's
// template, temp ids name records created offline. Every problem names its field.

import { z } from 'zod';
import { OPERATION_WORDS, RELATIONSHIP_EDIT_FIELDS, dialectProblems, wireFieldName, type Dialect, type WriteOperation } from '../dizions/dialects.js';
import { CLIENT_FIELDS, CONTACT_FIELDS, REFERRAL_FIELDS, dictionaryFor } from '../dizions/model.js';
import { textCharacterProblem } from '../text-characters.js';
import { EditPathError, readEdit, type ClassifiedEdit } from './classify.js';
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
  /** The dialect the method and path are written in, and whose field rules apply at queue time. */
  dialect: Dialect;
  /** 2019's done_contacts POST names a due contact: it completes it (else it edits a done contact). */
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

/** Fields each write accepts (besides the server's extra fields from selectable_fields), in neutral names. */
export const WRITABLE_FIELDS: Record<WriteOperation, readonly string[]> = {
  'create-client': CLIENT_WRITABLE,
  'update-client': CLIENT_WRITABLE,
  'create-referral': REFERRAL_WRITABLE,
  'update-referral': REFERRAL_WRITABLE,
  'plan-action': CONTACT_WRITABLE,
  'edit-action': CONTACT_WRITABLE,
  'complete-action': CONTACT_WRITABLE,
  'record-contact': CONTACT_WRITABLE,
  'edit-contact': CONTACT_WRITABLE,
  'set-relationship': RELATIONSHIP_EDIT_FIELDS,
  'external-referral': ['org_type_id', 'description', 'project', 'source', 'referral_role', ...without(CLIENT_WRITABLE, ['external_id'])],
  'create-extension-record': [],
  'update-extension-record': [],
  'upload-file': ['user_visibility', 'group_visibility'],
};

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
  let read;
  try {
    read = readEdit(input.method, input.path, input.fields, options.dialect);
  } catch (error) {
    if (error instanceof EditPathError) return { ok: false, issues: [{ field: error.field, message: error.message }] };
    throw error;
  }
  const edit = read.edit;
  if (edit.alsoMeans && options.completion === false) edit.operation = edit.alsoMeans;
  delete edit.alsoMeans;
  const result = validateNeutralEdit(edit, read.fields, context, options.dialect);
  return result.ok ? result : { ok: false, issues: inDialectWords(result.issues, edit.operation, options.dialect) };
}

/** Issues of an edit written in a dialect's words name the fields as that dialect does (`relationship_second_to_first` in 2019). */
export function inDialectWords(issues: readonly EditIssue[], operation: WriteOperation, dialect: Dialect): EditIssue[] {
  return issues.map((issue) => ({ ...issue, field: wireFieldName(operation, issue.field, dialect) }));
}

/** Validates a neutral edit (an outbox entry being retried, a screen's operation) under a dialect's field rules. */
export function validateNeutralEdit(edit: ClassifiedEdit, fields: Record<string, string | null>, context: EditContext, dialect: Dialect): EditValidation {
  const issues = fieldProblems(edit, fields, context);
  for (const issue of dialectProblems(edit.operation, fields, dialect)) {
    if (!issues.some((i) => i.field === issue.field)) issues.push(issue);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { edit, fields } };
}

/** Field values as form text (numbers as decimal text), or null to clear; undefined ones dropped. */
export function normaliseEditFields(fields: Record<string, EditValue | undefined>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const parsed = formValue.safeParse(value);
    out[key] = parsed.success ? parsed.data : String(value);
  }
  return out;
}

/** One line for people: "surname: is mandatory when creating a client; stage: …". */
export function describeIssues(issues: readonly EditIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}

function fieldProblems(edit: ClassifiedEdit, fields: Record<string, string | null>, context: EditContext): EditIssue[] {
  const problems: EditIssue[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const group = edit.group === 'extension_database' ? `extension_database/${edit.extensionDatabase}` : edit.group;
  const dictionaryGroup = edit.group === 'external_referral' ? 'clients' : edit.group;
  const isExtension = edit.group === 'extension_database';
  const allowed = new Set([...WRITABLE_FIELDS[edit.operation], ...(context.extraFields?.(group) ?? [])]);
  const what = OPERATION_WORDS[edit.operation];

  const names = Object.keys(fields);
  if (names.length === 0 && edit.operation !== 'upload-file') add('fields', `${what} needs at least one field=value`);

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
  // Upload visibility must be sent but may be empty: no restriction beyond the record's own.
  // (Every other mandatory field is the dialect's: dialectProblems.)
  if (edit.operation === 'upload-file') {
    for (const name of ['user_visibility', 'group_visibility']) if (fields[name] === undefined) add(name, `is mandatory when ${what}`);
  }
  if (edit.recordId !== undefined && edit.recordId < 0) checkTempTarget(edit, context, add);
  if (edit.referralId !== undefined && edit.referralId < 0 && context.tempIdFamily(edit.referralId) !== 'referrals') {
    add('path', `${edit.referralId} is not a referral created offline on this device (or it was discarded)`);
  }
  if (edit.operation === 'set-relationship') {
    if (edit.secondId === undefined) add('path', 'a relationship names its second client (relationship_details/A/B, or id_second in the 2019 words)');
    else if (edit.secondId < 0 && context.tempIdFamily(edit.secondId) !== 'clients') add('path', `${edit.secondId} is not a client created offline on this device (or it was discarded)`);
  }
  checkStage(edit, fields, context, add);
  const start = fields.start_date;
  const end = fields.end_date;
  if (start && end && end < start && !problems.some((p) => p.field === 'end_date' || p.field === 'start_date')) {
    add('end_date', `(${end}) is before start_date (${start})`);
  }
  return problems;
}

function checkTempTarget(edit: ClassifiedEdit, context: EditContext, add: (field: string, message: string) => void): void {
  const wanted =
    edit.uploadGroup ??
    (edit.group === 'due_contacts' || edit.group === 'done_contacts' ? 'contacts' : edit.group === 'extension_database' ? `extension_database/${edit.extensionDatabase}` : edit.group);
  const family = context.tempIdFamily(edit.recordId!);
  if (family !== wanted) add('path', `${edit.recordId} is not a record created offline on this device (or it was discarded)`);
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
