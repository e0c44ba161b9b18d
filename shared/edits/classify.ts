// What a write in the API's own terms (method + path, read in a dialect) does: which neutral
// operation of shared/dizions/dialects.ts, which group, which records. The CLI's `caseworker queue`
// and the outbox both go through here, so an edit means the same thing wherever it was made and
// whichever dialect it was written in. Ids in paths may be temp ids (negative).

import { CREATES_RECORD, WriteFormError, neutralFieldName, readWrite, type Dialect, type WriteOperation, type WriteTarget } from '../dizions/dialects.js';
import { GrammarError, parsePath } from '../url-grammar.js';

export type { WriteOperation, WriteTarget } from '../dizions/dialects.js';

export type EditGroup = 'clients' | 'referrals' | 'due_contacts' | 'done_contacts' | 'external_referral' | 'extension_database';

/** A write, dialect-neutral: the operation and the records it names (the target), plus its API group. */
export interface ClassifiedEdit extends WriteTarget {
  operation: WriteOperation;
  group: EditGroup;
  /** 2019's `POST done_contacts/id/X` completes a due contact or edits a done one: the record's state decides. */
  alsoMeans?: WriteOperation;
}

/** A method/path pair that is not one of the documented writes; `field` is `method` or `path`. */
export class EditPathError extends Error {
  override name = 'EditPathError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const ID = /^-?[1-9]\d*$/;

/** A record id in a path or a reference field: a positive server id or a negative temp id. */
export function parseRecordId(text: string, what: string): number {
  const trimmed = text.trim();
  if (!ID.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new EditPathError('path', `${what} must be a whole-number id (negative for a record created offline), got "${text}"`);
  }
  return Number(trimmed);
}

/** The API group an operation writes (the record family follows from it). */
export const OPERATION_GROUP: Record<WriteOperation, EditGroup> = {
  'create-client': 'clients',
  'update-client': 'clients',
  'set-relationship': 'clients',
  'create-referral': 'referrals',
  'update-referral': 'referrals',
  'plan-action': 'due_contacts',
  'edit-action': 'due_contacts',
  'complete-action': 'done_contacts',
  'record-contact': 'done_contacts',
  'edit-contact': 'done_contacts',
  'external-referral': 'external_referral',
  'create-extension-record': 'extension_database',
  'update-extension-record': 'extension_database',
  'upload-file': 'clients',
};

/** A neutral edit from its stored parts (an outbox entry): no dialect involved. */
export function editOf(operation: WriteOperation, target: WriteTarget): ClassifiedEdit {
  const group = operation === 'upload-file' ? (target.uploadGroup ?? 'clients') : OPERATION_GROUP[operation];
  return { ...target, operation, group };
}

export interface ReadEdit {
  edit: ClassifiedEdit;
  /** The fields in neutral names (a 2019 relationship's `id_second` has moved into the target). */
  fields: Record<string, string | null>;
}

/**
 * Reads a write in a dialect's own words (the CLI's `caseworker queue PUT clients …`) as a neutral
 * edit; throws EditPathError naming `method`, `path` or a field when it is not a write of that dialect.
 */
export function readEdit(method: string, pathText: string, fields: Record<string, string | null>, dialect: Dialect): ReadEdit {
  const verb = method.trim().toUpperCase();
  if (verb !== 'PUT' && verb !== 'POST') throw new EditPathError('method', `edits are PUT or POST, got "${method}"`);
  let parsed;
  try {
    parsed = parsePath(pathText);
  } catch (error) {
    if (error instanceof GrammarError) throw new EditPathError('path', error.message);
    throw error;
  }
  let read;
  try {
    read = readWrite(verb, parsed, dialect, (name) => fields[name] !== undefined);
  } catch (error) {
    if (error instanceof WriteFormError) throw new EditPathError(error.status === 405 ? 'method' : 'path', `${error.message} (${verb} ${pathText})`);
    throw error;
  }
  const edit = editOf(read.operation, read.target);
  if (read.alsoMeans) edit.alsoMeans = read.alsoMeans;
  const neutral: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (read.secondFromFields && name === 'id_second') {
      if (value === null) throw new EditPathError('id_second', 'names the second client of the relationship and cannot be empty');
      edit.secondId = parseRecordId(value, 'id_second');
      continue;
    }
    neutral[neutralFieldName(read.operation, name, dialect)] = value;
  }
  if (edit.operation === 'set-relationship' && edit.recordId !== undefined && edit.recordId === edit.secondId) {
    throw new EditPathError('path', 'a relationship joins two different clients');
  }
  return { edit, fields: neutral };
}

/** Classifies a write in a dialect's words (fields matter only to tell a 2019 relationship from a client update). */
export function classifyEdit(method: string, pathText: string, dialect: Dialect, fields: Record<string, string | null> = {}): ClassifiedEdit {
  return readEdit(method, pathText, fields, dialect).edit;
}

/** Whether an operation creates a record (and so hands out a temp id), uploads and external referrals aside. */
export function createsRecord(operation: WriteOperation): boolean {
  return CREATES_RECORD.has(operation);
}
