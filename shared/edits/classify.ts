// What a write in the API's own terms (method + path) does: which operation of WRITE_VERBS, which
// group, which record. The CLI's `caseworker queue PUT clients …` and the UI both go through here,
// so an edit means the same thing wherever it was made. Ids in paths may be temp ids (negative).

import { WRITE_VERBS, type Dialect, type WriteOperation } from '../dizions/assumptions.js';
import { GrammarError, parsePath, type RecordsPath } from '../url-grammar.js';

export type EditGroup = 'clients' | 'referrals' | 'due_contacts' | 'done_contacts' | 'external_referral' | 'extension_database';

export interface ClassifiedEdit {
  operation: WriteOperation;
  method: 'PUT' | 'POST';
  group: EditGroup;
  extensionDatabase?: string;
  /** The record the path names (updates and uploads): a server id, or a temp id (negative). */
  recordId?: number;
  /** createDueContact: the referral in the path (`due_contacts/referral/R`), possibly a temp id. */
  referralId?: number;
  /** createClient by external id (`clients/external_id/X`). */
  externalId?: string;
  /** upload: whose files (`clients/id/X/uploads` or `referrals/id/X/uploads`). */
  uploadGroup?: 'clients' | 'referrals';
}

/** A method/path pair that is not one of the documented writes; `field` is `method` or `path`. */
export class EditPathError extends Error {
  override name = 'EditPathError';
  constructor(readonly field: 'method' | 'path', message: string) {
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

const OPERATION_WORDS: Record<WriteOperation, string> = {
  createClient: 'creating a client',
  updateClient: 'updating a client',
  createReferral: 'creating a referral',
  updateReferral: 'updating a referral',
  createDueContact: 'creating a due contact',
  updateDueContact: 'updating a due contact',
  updateDoneContact: 'completing or updating a done contact',
  createExternalReferral: 'sending an external referral',
  createExtensionRecord: 'creating an extension-database record',
  updateExtensionRecord: 'updating an extension-database record',
  upload: 'uploading files',
};

function singleId(path: RecordsPath, what: string): number | undefined {
  if (path.pairs.length !== 1) return undefined;
  const pair = path.pairs[0]!;
  if (pair.key !== 'id' || !('values' in pair) || pair.values.length !== 1) return undefined;
  return parseRecordId(pair.values[0]!, what);
}

/** Classifies a write; throws EditPathError naming `method` or `path` when it is not a documented write. */
export function classifyEdit(method: string, pathText: string, dialect: Dialect): ClassifiedEdit {
  const verb = method.trim().toUpperCase();
  if (verb !== 'PUT' && verb !== 'POST') throw new EditPathError('method', `edits are PUT or POST, got "${method}"`);
  let parsed;
  try {
    parsed = parsePath(pathText);
  } catch (error) {
    if (error instanceof GrammarError) throw new EditPathError('path', error.message);
    throw error;
  }
  let classified: Omit<ClassifiedEdit, 'method'>;
  if (parsed.kind === 'external_referral') {
    classified = { operation: 'createExternalReferral', group: 'external_referral' };
  } else if (parsed.kind !== 'records' || parsed.report || parsed.fields || parsed.resolveIds) {
    throw new EditPathError('path', `"${pathText}" is not a path that can be written to`);
  } else {
    classified = classifyRecords(parsed, pathText);
  }
  const expected = WRITE_VERBS[classified.operation][dialect];
  if (verb !== expected) {
    throw new EditPathError('method', `${OPERATION_WORDS[classified.operation]} is ${expected} ${pathText} in the ${dialect} dialect, not ${verb}`);
  }
  return { ...classified, method: verb };
}

function classifyRecords(path: RecordsPath, text: string): Omit<ClassifiedEdit, 'method'> {
  const unknown = () => new EditPathError('path', `"${text}" is not a documented write (e.g. clients, clients/id/12, referrals, due_contacts/referral/5, done_contacts/id/88, external_referral, extension_database/wellcheck_notes_9, clients/id/12/uploads)`);
  if (path.uploads) {
    if (path.group !== 'clients' && path.group !== 'referrals') throw new EditPathError('path', 'files can be uploaded to clients and referrals only');
    const id = singleId(path, `the ${path.group === 'clients' ? 'client' : 'referral'} id`);
    if (id === undefined) throw unknown();
    return { operation: 'upload', group: path.group, uploadGroup: path.group, recordId: id };
  }
  const noPairs = path.pairs.length === 0;
  switch (path.group) {
    case 'clients': {
      if (noPairs) return { operation: 'createClient', group: 'clients' };
      const pair = path.pairs[0]!;
      if (path.pairs.length === 1 && pair.key === 'external_id' && 'values' in pair && pair.values.length === 1) {
        return { operation: 'createClient', group: 'clients', externalId: pair.values[0]! };
      }
      const id = singleId(path, 'the client id');
      if (id === undefined) throw unknown();
      return { operation: 'updateClient', group: 'clients', recordId: id };
    }
    case 'referrals': {
      if (noPairs) return { operation: 'createReferral', group: 'referrals' };
      const id = singleId(path, 'the referral id');
      if (id === undefined) throw unknown();
      return { operation: 'updateReferral', group: 'referrals', recordId: id };
    }
    case 'due_contacts': {
      const pair = path.pairs[0];
      if (path.pairs.length === 1 && pair && pair.key === 'referral' && 'values' in pair && pair.values.length === 1) {
        return { operation: 'createDueContact', group: 'due_contacts', referralId: parseRecordId(pair.values[0]!, 'the referral id') };
      }
      const id = singleId(path, 'the due contact id');
      if (id === undefined) throw unknown();
      return { operation: 'updateDueContact', group: 'due_contacts', recordId: id };
    }
    case 'done_contacts': {
      const id = singleId(path, 'the contact id');
      if (id === undefined) throw unknown();
      return { operation: 'updateDoneContact', group: 'done_contacts', recordId: id };
    }
    case 'extension_database': {
      const database = path.extensionDatabase!;
      if (noPairs) return { operation: 'createExtensionRecord', group: 'extension_database', extensionDatabase: database };
      const id = singleId(path, 'the extension-database record id');
      if (id === undefined) throw unknown();
      return { operation: 'updateExtensionRecord', group: 'extension_database', extensionDatabase: database, recordId: id };
    }
    default:
      throw new EditPathError('path', `"${path.group}" cannot be written through the API (writable: clients, referrals, due_contacts, done_contacts, external_referral, extension_database)`);
  }
}

/** Whether an operation creates a record (and so hands out a temp id), uploads and external referrals aside. */
export function createsRecord(operation: WriteOperation): boolean {
  return operation === 'createClient' || operation === 'createReferral' || operation === 'createDueContact' || operation === 'createExtensionRecord';
}
