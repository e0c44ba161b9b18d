// Answers one authenticated API request against the store: parses the path with the shared
// grammar, picks the operation from the path's shape and the dialect's verbs, and returns a
// SimResponse. It never throws for bad input: every refusal is a 4xx `{"error": …}` naming the
// field or path segment at fault; anything else is a simulator bug, answered 500.

import { READ_FEATURES, SINGLE_RECORD_FORM, WriteFormError, dialectProblems, neutralFieldName, printWrite, readWrite, wireFieldName, type ReadWrite } from '../../shared/dizions/dialects.js';
import { GrammarError, parsePath, printPath, type DizionsPath, type RecordsPath } from '../../shared/url-grammar.js';
import { allDictionaries, dictionaryTable, relationshipDictionary, searchDictionary } from './data-dictionaries.js';
import { ApiError, badRequest, notAllowed, notFound } from './data-errors.js';
import { saveUpload } from './data-uploads.js';
import {
  createClient,
  createDueContact,
  createExtensionRecord,
  createExternalReferral,
  createReferral,
  recordContact,
  setRelationship,
  updateClient,
  updateDoneContact,
  updateDueContact,
  updateExtensionRecord,
  updateReferral,
} from './data-writes.js';
import { groupDefOf } from './query-groups.js';
import { listRecords, reportRecords } from './query-read.js';
import type { SimStore } from './store.js';
import type { SimRequest, SimResponse } from './types.js';

export function handleApiRequest(store: SimStore, req: SimRequest): SimResponse {
  try {
    return route(store, req);
  } catch (error) {
    if (error instanceof GrammarError) return { status: 400, json: { error: error.message } };
    if (error instanceof ApiError) return { status: error.status, json: { error: error.message, ...error.extra } };
    if (error instanceof WriteFormError) {
      return { status: error.status, json: { error: error.message }, ...(error.allow.length > 0 ? { headers: { Allow: error.allow.join(', ') } } : {}) };
    }
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
    case 'filterable_fields':
    case 'metrics':
      if (!READ_FEATURES[store.dialect].discovery.includes(path.kind)) throw notFound(`${path.kind} is not part of the API in the ${store.dialect} dialect (use selectable_fields)`);
    // falls through
    case 'dictionary_named':
    case 'dictionary_all':
    case 'dictionary':
    case 'relationships':
    case 'dictionary_search':
    case 'selectable_fields':
      if (method !== 'GET') throw new WriteFormError(405, `${req.path.split('?')[0]} is read-only: use GET`, ['GET']);
      return { status: 200, json: readOnly(store, path) };
    case 'external_referral':
    case 'relationship_details':
      if (method === 'GET') throw new WriteFormError(405, `${printPath(path)} cannot be read back through the API`, ['PUT']);
      return write(store, req, method, path);
    case 'records':
      if (method === 'GET') return read(store, req, path);
      return write(store, req, method, path);
  }
}

function readOnly(store: SimStore, path: ReturnType<typeof parsePath>): unknown {
  switch (path.kind) {
    case 'dictionary_all':
      return allDictionaries(store);
    case 'dictionary':
      return dictionaryTable(store, path.apiGroup, path.table);
    case 'dictionary_named': {
      if (!READ_FEATURES[store.dialect].extraDictionaries.includes(path.name)) throw notFound(`dictionary/${path.name} is not part of the API in the ${store.dialect} dialect`);
      // The simulated charity has no branches; client types are the dictionary behind clients.type.
      return path.name === 'client_type' ? dictionaryTable(store, 'organisations', 'type') : [];
    }
    case 'relationships':
      return relationshipDictionary(store, path.carer);
    case 'dictionary_search':
      return searchDictionary(store, path.apiGroup, path.table, path.term);
    case 'selectable_fields':
      return [...groupDefOf(path).selectable];
    // Filterable keys and metrics: what the simulator's query layer accepts (the current manual's discovery).
    case 'filterable_fields':
      return [...groupDefOf(path).filterKeys, ...groupDefOf(path).ranges];
    case 'metrics':
      return ['count', ...[...groupDefOf(path).filterKeys].filter((f) => f !== 'id')];
    default:
      throw new Error(`not a read-only path: ${path.kind}`);
  }
}

function read(store: SimStore, req: SimRequest, path: RecordsPath): SimResponse {
  const def = groupDefOf(path);
  if (path.uploads) throw notAllowed('uploads cannot be read back through the API');
  if (path.bareId && !SINGLE_RECORD_FORM[store.dialect].accept.includes('bare')) {
    throw badRequest(`a single record is ${path.group}/id/<id> in the ${store.dialect} dialect, not ${path.group}/<id>`);
  }
  if (path.report) return { status: 200, json: reportRecords(store, def, path, req.user) };
  return { status: 200, rows: listRecords(store, def, path, req.user) };
}

function created(id: number): SimResponse {
  return { status: 200, json: { id } };
}

function recordId(key: string, value: number | undefined): number {
  if (value === undefined || !Number.isSafeInteger(value) || value < 1) throw badRequest(`${key} must be a record id (a positive whole number), got "${String(value)}"`);
  return value;
}

/** Refuses what this dialect's field rules refuse, naming the field (400). */
function checkFields(store: SimStore, read: ReadWrite, form: Record<string, string>): void {
  const neutral: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) neutral[neutralFieldName(read.operation, name, store.dialect)] = value;
  const problem = dialectProblems(read.operation, neutral, store.dialect)[0];
  if (problem) throw badRequest(`${wireFieldName(read.operation, problem.field, store.dialect)} ${problem.message}`);
}

const RELATIONSHIP_WIRE = ['id_second', 'relationship_first_to_second', 'relationship_second_to_first', 'relationship_first_to_second_carer', 'relationship_second_to_first_carer'];

/** Picks the operation from the method and path through the dialect table (405 + Allow for another dialect's verb). */
function write(store: SimStore, req: SimRequest, method: string, path: DizionsPath): SimResponse {
  const { user, form } = req;
  if (path.kind === 'records' && path.group !== 'extension_database' && path.group !== 'clients' && path.group !== 'referrals' && path.group !== 'due_contacts' && path.group !== 'done_contacts') {
    groupDefOf(path); // 404 for an unknown group
    throw new WriteFormError(405, `${path.group} are read-only through the API`, ['GET']);
  }
  if (path.kind === 'records') groupDefOf(path); // 404 for an unknown extension database
  const read = readWrite(method, path, store.dialect, (name) => name in form);
  const t = read.target;
  switch (read.operation) {
    case 'create-client':
      return created(createClient(store, user, form, t.externalId));
    case 'update-client': {
      const stray = RELATIONSHIP_WIRE.find((f) => f in form);
      if (stray && readWrite(method, path, store.dialect, () => true).operation === 'set-relationship') {
        throw badRequest('id_second is required with relationship fields (the other client)');
      }
      if (stray) {
        const elsewhere = printWrite('set-relationship', { recordId: recordId('id', t.recordId), secondId: 1 }, store.dialect);
        throw badRequest(
          `${stray}: a client update does not set relationships in the ${store.dialect} dialect; use ${elsewhere.method} ${printPath(elsewhere.path).replace(/\/1$/, '/<second client>')}`,
        );
      }
      return created(updateClient(store, user, recordId('id', t.recordId), form));
    }
    case 'set-relationship': {
      checkFields(store, read, form);
      if (read.secondFromFields) return created(updateClient(store, user, recordId('id', t.recordId), form)); // the seed's client update with id_second
      return created(setRelationship(store, user, recordId('first client', t.recordId), recordId('second client', t.secondId), form));
    }
    case 'create-referral':
      return created(createReferral(store, user, form));
    case 'update-referral':
      return created(updateReferral(store, user, recordId('id', t.recordId), form));
    case 'plan-action':
      return created(createDueContact(store, user, recordId('referral', t.referralId), form));
    case 'edit-action':
      return created(updateDueContact(store, user, recordId('id', t.recordId), form));
    case 'complete-action':
      // The seed's POST both completes and edits (alsoMeans); the current manual's POST only completes.
      return created(updateDoneContact(store, user, recordId('id', t.recordId), form, read.alsoMeans ? 'either' : 'complete'));
    case 'edit-contact':
      return created(updateDoneContact(store, user, recordId('id', t.recordId), form, 'edit'));
    case 'record-contact':
      return created(recordContact(store, user, recordId('referral', t.referralId), form));
    case 'external-referral':
      checkFields(store, read, form);
      return created(createExternalReferral(store, user, form));
    case 'create-extension-record':
      return created(createExtensionRecord(store, user, groupDefOf(path as RecordsPath).extensionDatabase!, form));
    case 'update-extension-record':
      return created(updateExtensionRecord(store, user, groupDefOf(path as RecordsPath).extensionDatabase!, recordId('id', t.recordId), form));
    case 'upload-file':
      return created(saveUpload(store, user, t.uploadGroup!, recordId('id', t.recordId), form, req.files));
  }
}
