// Answers one authenticated API request against the store: parses the path with the shared
// grammar, picks the operation from the path's shape and the dialect's verbs, and returns a
// SimResponse. It never throws for bad input: every refusal is a 4xx `{"error": …}` naming the
// field or path segment at fault; anything else is a simulator bug, answered 500.

import { WRITE_VERBS, type WriteOperation } from '../../shared/dizions/assumptions.js';
import { GrammarError, parsePath, type RecordsPath } from '../../shared/url-grammar.js';
import { allDictionaries, dictionaryTable, relationshipDictionary, searchDictionary } from './data-dictionaries.js';
import { ApiError, badRequest, notAllowed } from './data-errors.js';
import { saveUpload } from './data-uploads.js';
import {
  createClient, createDueContact, createExtensionRecord, createExternalReferral, createReferral, updateClient,
  updateDoneContact, updateDueContact, updateExtensionRecord, updateReferral,
} from './data-writes.js';
import { groupDefOf } from './query-groups.js';
import { listRecords, reportRecords } from './query-read.js';
import type { SimStore } from './store.js';
import type { SimRequest, SimResponse } from './types.js';

const DESCRIBE: Record<WriteOperation, string> = {
  createClient: 'creating a client', updateClient: 'updating a client',
  createReferral: 'creating a referral', updateReferral: 'updating a referral',
  createDueContact: 'creating a due contact', updateDueContact: 'updating a due contact',
  updateDoneContact: 'updating (or completing) a contact', createExternalReferral: 'sending an external referral',
  createExtensionRecord: 'creating an extension database record', updateExtensionRecord: 'updating an extension database record',
  upload: 'uploading files',
};

export function handleApiRequest(store: SimStore, req: SimRequest): SimResponse {
  try {
    return route(store, req);
  } catch (error) {
    if (error instanceof GrammarError) return { status: 400, json: { error: error.message } };
    if (error instanceof ApiError) return { status: error.status, json: { error: error.message, ...error.extra } };
    const message = error instanceof Error ? error.message : String(error);
    return { status: 500, json: { error: `simulator error: ${message}` } };
  }
}

function route(store: SimStore, req: SimRequest): SimResponse {
  const method = req.method.toUpperCase();
  const path = parsePath(req.path);
  const isWrite = method === 'PUT' || method === 'POST';
  if (!isWrite && method !== 'GET') throw notAllowed(`${method} is not supported by the API (GET, PUT and POST only)`);
  if (req.files.length > 0 && !(path.kind === 'records' && path.uploads)) {
    throw badRequest('files are only accepted by clients/id/<id>/uploads and referrals/id/<id>/uploads');
  }

  switch (path.kind) {
    case 'dictionary_all':
    case 'dictionary':
    case 'relationships':
    case 'dictionary_search':
    case 'selectable_fields':
      if (method !== 'GET') throw notAllowed(`${req.path.split('?')[0]} is read-only: use GET`);
      return { status: 200, json: readOnly(store, path) };
    case 'external_referral':
      if (method === 'GET') throw notAllowed('external referrals are staged for the administrator and cannot be read back through the API');
      checkVerb(store, 'createExternalReferral', method);
      return created(createExternalReferral(store, req.user, req.form));
    case 'records':
      if (method === 'GET') return read(store, req, path);
      return write(store, req, method, path);
  }
}

function readOnly(store: SimStore, path: ReturnType<typeof parsePath>): unknown {
  switch (path.kind) {
    case 'dictionary_all': return allDictionaries(store);
    case 'dictionary': return dictionaryTable(store, path.apiGroup, path.table);
    case 'relationships': return relationshipDictionary(store, path.carer);
    case 'dictionary_search': return searchDictionary(store, path.apiGroup, path.table, path.term);
    case 'selectable_fields': return [...groupDefOf(path).selectable];
    default: throw new Error(`not a read-only path: ${path.kind}`);
  }
}

function read(store: SimStore, req: SimRequest, path: RecordsPath): SimResponse {
  const def = groupDefOf(path);
  if (path.uploads) throw notAllowed('uploads cannot be read back through the API');
  if (path.report) return { status: 200, json: reportRecords(store, def, path, req.user) };
  return { status: 200, rows: listRecords(store, def, path, req.user) };
}

function created(id: number): SimResponse {
  return { status: 200, json: { id } };
}

function checkVerb(store: SimStore, operation: WriteOperation, method: string): void {
  const expected = WRITE_VERBS[operation][store.dialect];
  if (method !== expected) {
    throw notAllowed(`${DESCRIBE[operation]} uses ${expected} in the ${store.dialect} dialect, not ${method}`);
  }
}

/** The single id of a write path (`…/id/X`, `…/referral/R`, `…/external_id/E`), checked. */
function onlyPair(path: RecordsPath, shape: string): { key: string; value: string } | undefined {
  if (path.report || path.fields || path.resolveIds) throw badRequest(`a write path is ${shape}: no dimension/, field/ or resolveIds`);
  if (path.pairs.length === 0) return undefined;
  const pair = path.pairs[0]!;
  if (path.pairs.length > 1 || !('values' in pair) || pair.values.length !== 1) throw badRequest(`a write path is ${shape}`);
  return { key: pair.key, value: pair.values[0]! };
}

function recordId(key: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw badRequest(`${key} must be a record id (a positive whole number), got "${value}"`);
  return Number(value);
}

function write(store: SimStore, req: SimRequest, method: string, path: RecordsPath): SimResponse {
  const def = groupDefOf(path);
  const { user, form } = req;
  if (def.extensionDatabase) {
    const name = def.extensionDatabase;
    const pair = onlyPair(path, `${def.label} or ${def.label}/id/<id>`);
    if (!pair) {
      checkVerb(store, 'createExtensionRecord', method);
      return created(createExtensionRecord(store, user, name, form));
    }
    if (pair.key !== 'id') throw badRequest(`a write path is ${def.label} or ${def.label}/id/<id>, not .../${pair.key}/`);
    checkVerb(store, 'updateExtensionRecord', method);
    return created(updateExtensionRecord(store, user, name, recordId('id', pair.value), form));
  }
  const group = def.recordGroup!;
  if (path.uploads) {
    if (group !== 'clients' && group !== 'referrals') throw badRequest('uploads are accepted by clients and referrals only');
    const pair = onlyPair({ ...path, uploads: false }, `${group}/id/<id>/uploads`)!;
    checkVerb(store, 'upload', method);
    return created(saveUpload(store, user, group, recordId('id', pair.value), form, req.files));
  }
  switch (group) {
    case 'clients': {
      const pair = onlyPair(path, 'clients, clients/external_id/<external id> or clients/id/<id>');
      if (!pair || pair.key === 'external_id') {
        checkVerb(store, 'createClient', method);
        return created(createClient(store, user, form, pair?.value));
      }
      if (pair.key !== 'id') throw badRequest(`a client write path is clients, clients/external_id/<external id> or clients/id/<id>, not clients/${pair.key}/`);
      checkVerb(store, 'updateClient', method);
      return created(updateClient(store, user, recordId('id', pair.value), form));
    }
    case 'referrals': {
      const pair = onlyPair(path, 'referrals or referrals/id/<id>');
      if (!pair) {
        checkVerb(store, 'createReferral', method);
        return created(createReferral(store, user, form));
      }
      if (pair.key !== 'id') throw badRequest(`a referral write path is referrals or referrals/id/<id>, not referrals/${pair.key}/`);
      checkVerb(store, 'updateReferral', method);
      return created(updateReferral(store, user, recordId('id', pair.value), form));
    }
    case 'due_contacts': {
      const pair = onlyPair(path, 'due_contacts/referral/<referral id> or due_contacts/id/<id>');
      if (pair?.key === 'referral') {
        checkVerb(store, 'createDueContact', method);
        return created(createDueContact(store, user, recordId('referral', pair.value), form));
      }
      if (pair?.key !== 'id') throw badRequest('a due contact write path is due_contacts/referral/<referral id> (create) or due_contacts/id/<id> (update)');
      checkVerb(store, 'updateDueContact', method);
      return created(updateDueContact(store, user, recordId('id', pair.value), form));
    }
    case 'done_contacts': {
      const pair = onlyPair(path, 'done_contacts/id/<id>');
      if (pair?.key !== 'id') throw notAllowed('done contacts are made by completing a due contact: done_contacts/id/<due contact id> with start_date and end_date');
      checkVerb(store, 'updateDoneContact', method);
      return created(updateDoneContact(store, user, recordId('id', pair.value), form));
    }
    case 'workers':
    case 'schedules':
      throw notAllowed(`${group} are read-only through the API`);
  }
}
