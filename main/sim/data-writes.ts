// Creates and updates of clients, referrals, contacts, relationships, external referrals and
// extension-database records. Each runs in one transaction, validates before writing anything,
// moves the record's `updated` forward, and returns the record's id (the API replies `{"id": N}`).
// A record outside the user's visibility is "not found"; contacts keep their referral's client and project.

import { CLIENT_FIELDS, CONTACT_FIELDS, MANDATORY, REFERRAL_FIELDS, RELATIONSHIP_FIELDS } from '../../shared/dizions/model.js';
import { ApiError, badRequest, notFound } from './data-errors.js';
import { CLIENT_EXTENSION_FIELDS } from './data-schema.js';
import { checkMembership, checkOrder, checkStage, convertBody, convertValue, insertRow, refuseClearing, requireFields, updateRow, visibleRow, type Values } from './data-validate.js';
import { groupDef, type GroupDef } from './query-groups.js';
import type { SimStore } from './store.js';
import type { SimUser } from './types.js';

const without = (fields: readonly string[], drop: readonly string[]) => fields.filter((f) => !drop.includes(f));
const CLIENT_WRITABLE = [...without(CLIENT_FIELDS, ['id', 'updated']), ...CLIENT_EXTENSION_FIELDS];
const REFERRAL_WRITABLE = without(REFERRAL_FIELDS, ['id', 'updated']);
/** A contact's client and project come from its referral; its referral is fixed at creation. */
const CONTACT_WRITABLE = without(CONTACT_FIELDS, ['id', 'updated', 'referral', 'client', 'project']);

function nothingToDo(body: Values, label: string): void {
  if (Object.keys(body).length === 0) throw badRequest(`the body has no fields to update ${label} with`);
}

// ---- clients ----------------------------------------------------------------------------------------

function checkExternalIdFree(store: SimStore, externalId: unknown, except: number | null): void {
  if (typeof externalId !== 'string') return;
  const existing = store.db.prepare('SELECT id FROM clients WHERE external_id = ? AND id IS NOT ?').pluck().get(externalId, except) as number | undefined;
  if (existing !== undefined)
    // The existing id travels in the error body, so a replayed create can adopt it.
    throw new ApiError(409, `a client with external_id "${externalId}" already exists (id ${existing})`, { id: existing });
}

export function createClient(store: SimStore, user: SimUser, form: Record<string, string>, externalId?: string): number {
  const def = groupDef('clients');
  for (const field of RELATIONSHIP_FIELDS) {
    if (field in form) throw badRequest(`${field}: relationships are set by updating an existing client (clients/id/<id>)`);
  }
  const body = convertBody(store, def, CLIENT_WRITABLE, form);
  if (externalId !== undefined) {
    if (body.external_id !== undefined && body.external_id !== externalId) {
      throw badRequest(`external_id "${String(body.external_id)}" in the body differs from "${externalId}" in the path`);
    }
    body.external_id = externalId;
  }
  requireFields(body, MANDATORY.createClient);
  return store.db.transaction(() => {
    checkExternalIdFree(store, body.external_id, null);
    return insertRow(store, 'clients', {
      type: 1,
      active: 'Y',
      deceased: 'N',
      ...dropNulls(body),
      created_by_user: user.id,
    });
  })();
}

export function updateClient(store: SimStore, user: SimUser, id: number, form: Record<string, string>): number {
  const def = groupDef('clients');
  if (!visibleRow(store, def, id, user)) throw notFound(`client ${id} not found`);
  const body = convertBody(store, def, CLIENT_WRITABLE, form, RELATIONSHIP_FIELDS);
  refuseClearing(body, MANDATORY.createClient);
  if (body.type === null) throw badRequest('type is required');
  const relationship = relationshipFromForm(store, def, id, form);
  if (!relationship) nothingToDo(body, `client ${id}`);
  store.db.transaction(() => {
    checkExternalIdFree(store, body.external_id, id);
    updateRow(store, 'clients', id, body);
    if (relationship) saveRelationship(store, id, relationship);
  })();
  return id;
}

interface Relationship {
  second: number;
  values: Values;
}

function relationshipFromForm(store: SimStore, def: GroupDef, id: number, form: Record<string, string>): Relationship | undefined {
  if (!RELATIONSHIP_FIELDS.some((f) => f in form)) return undefined;
  const raw = form.id_second?.trim() ?? '';
  if (raw === '') throw badRequest('id_second is required with relationship fields');
  if (!/^\d+$/.test(raw)) throw badRequest(`id_second must be a client id, got "${raw}"`);
  const second = Number(raw);
  if (second === id) throw badRequest('id_second must be another client, not the client itself');
  if (!store.db.prepare('SELECT 1 FROM clients WHERE id = ?').get(second)) throw badRequest(`id_second ${second} is not a client`);
  const values: Values = {};
  for (const field of RELATIONSHIP_FIELDS.slice(1)) {
    const table = field.endsWith('_carer') ? 'carer_relationships' : 'relationships';
    const text = form[field]?.trim() ?? '';
    if (text === '') {
      if (!field.endsWith('_carer')) throw badRequest(`${field} is required with id_second (see dictionary/relationships)`);
      values[field] = null;
      continue;
    }
    const n = Number(convertValue(store, def, field, 'int', text));
    if (!store.dictionaryItem(table, n)) throw badRequest(`${field} ${n} is not an id of dictionary/${table}`);
    values[field] = n;
  }
  return { second, values };
}

/** One relationship per pair of clients: a repeated POST updates it (from whichever side it was made). */
function saveRelationship(store: SimStore, first: number, { second, values }: Relationship): void {
  const db = store.db;
  const forward = db.prepare('SELECT id FROM relationships WHERE first = ? AND second = ?').pluck().get(first, second) as number | undefined;
  const backward = db.prepare('SELECT id FROM relationships WHERE first = ? AND second = ?').pluck().get(second, first) as number | undefined;
  if (forward !== undefined) {
    updateRow(store, 'relationships', forward, values);
  } else if (backward !== undefined) {
    updateRow(store, 'relationships', backward, {
      relationship_first_to_second: values.relationship_second_to_first,
      relationship_second_to_first: values.relationship_first_to_second,
      relationship_first_to_second_carer: values.relationship_second_to_first_carer,
      relationship_second_to_first_carer: values.relationship_first_to_second_carer,
    });
  } else {
    insertRow(store, 'relationships', { first, second, ...values });
  }
  // The other client's relationship_details changed too.
  updateRow(store, 'clients', second, {});
}

function dropNulls(values: Values): Values {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
}

// ---- referrals -------------------------------------------------------------------------------------

function checkClient(store: SimStore, user: SimUser, client: unknown): void {
  if (typeof client !== 'number') return;
  if (!visibleRow(store, groupDef('clients'), client, user)) throw badRequest(`client ${client} does not exist or is not visible to you`);
}

function projectCategory(store: SimStore, project: unknown): unknown {
  return typeof project === 'number' ? (store.dictionaryItem('referrals/project', project)?.extra?.category ?? null) : null;
}

export function createReferral(store: SimStore, user: SimUser, form: Record<string, string>): number {
  const def = groupDef('referrals');
  const body = convertBody(store, def, REFERRAL_WRITABLE, form);
  requireFields(body, MANDATORY.createReferral);
  checkClient(store, user, body.client);
  checkMembership(user, body.project);
  checkStage(store, 'stage', body.stage, body.template, `this referral's template`);
  // The current manual: a referral created through the API is marked completed (add actions afterwards).
  // The seed is silent, so both dialects follow it.
  const values = { project_category: projectCategory(store, body.project), ...dropNulls(body), referral_complete: 'Y' };
  return store.db.transaction(() => insertRow(store, 'referrals', values))();
}

export function updateReferral(store: SimStore, user: SimUser, id: number, form: Record<string, string>): number {
  const def = groupDef('referrals');
  const row = visibleRow(store, def, id, user);
  if (!row) throw notFound(`referral ${id} not found`);
  const body = convertBody(store, def, REFERRAL_WRITABLE, form);
  nothingToDo(body, `referral ${id}`);
  refuseClearing(body, MANDATORY.createReferral);
  if ('client' in body && body.client !== row.client) checkClient(store, user, body.client);
  if ('project' in body && body.project !== row.project) {
    checkMembership(user, body.project);
    if (!('project_category' in body)) body.project_category = projectCategory(store, body.project);
  }
  const merged = { ...row, ...body };
  checkStage(store, 'stage', merged.stage, merged.template, `referral ${id}`);
  store.db.transaction(() => {
    updateRow(store, 'referrals', id, body);
    if (merged.client !== row.client || merged.project !== row.project) {
      // Contacts carry their referral's client and project: they change with it.
      const stamp = store.stampFor('contacts', 'referral = ?', [id]);
      store.db.prepare('UPDATE contacts SET client = ?, project = ?, updated = ? WHERE referral = ?').run(merged.client, merged.project, stamp, id);
    }
  })();
  return id;
}

// ---- contacts ----------------------------------------------------------------------------------------

function referralOf(store: SimStore, referral: unknown): { client: number; project: number; template: number } {
  return store.db.prepare('SELECT client, project, template FROM referrals WHERE id = ?').get(referral) as { client: number; project: number; template: number };
}

function checkContact(store: SimStore, merged: Values, referral: number): void {
  const { template } = referralOf(store, referral);
  checkStage(store, 'stage', merged.stage, template, `referral ${referral}`);
  checkStage(store, 'due_stage', merged.due_stage, template, `referral ${referral}`);
  checkOrder(merged);
}

export function createDueContact(store: SimStore, user: SimUser, referralId: number, form: Record<string, string>): number {
  const referral = visibleRow(store, groupDef('referrals'), referralId, user);
  if (!referral) throw notFound(`referral ${referralId} not found`);
  const body = convertBody(store, groupDef('due_contacts'), CONTACT_WRITABLE, form);
  requireFields(body, MANDATORY.createDueContact);
  checkContact(store, body, referralId);
  return store.db.transaction(() =>
    insertRow(store, 'contacts', {
      ...dropNulls(body),
      done: 0,
      referral: referralId,
      client: referral.client,
      project: referral.project,
    }),
  )();
}

export function updateDueContact(store: SimStore, user: SimUser, id: number, form: Record<string, string>): number {
  const row = visibleRow(store, groupDef('done_contacts'), id, user) ?? visibleRow(store, groupDef('due_contacts'), id, user);
  if (!row) throw notFound(`due contact ${id} not found`);
  if (row.done === 1) throw new ApiError(409, `contact ${id} is already done: update it through done_contacts/id/${id}`);
  const body = convertBody(store, groupDef('due_contacts'), CONTACT_WRITABLE, form);
  nothingToDo(body, `due contact ${id}`);
  refuseClearing(body, MANDATORY.createDueContact);
  checkContact(store, { ...row, ...body }, row.referral as number);
  store.db.transaction(() => updateRow(store, 'contacts', id, body))();
  return id;
}

/**
 * Updates a done contact, or completes a due one (start_date and end_date in the body): same id.
 * `mode`: the seed's one POST does `either`; the current manual completes with POST and edits with PUT.
 */
export function updateDoneContact(store: SimStore, user: SimUser, id: number, form: Record<string, string>, mode: 'either' | 'complete' | 'edit' = 'either'): number {
  const row = visibleRow(store, groupDef('done_contacts'), id, user) ?? visibleRow(store, groupDef('due_contacts'), id, user);
  if (!row) throw notFound(`contact ${id} not found`);
  if (mode === 'complete' && row.done === 1) throw new ApiError(409, `contact ${id} is already done: edit it with PUT done_contacts/${id}`);
  if (mode === 'edit' && row.done === 0) throw new ApiError(409, `contact ${id} is due, not done: complete it with POST done_contacts/${id}`);
  const body = convertBody(store, groupDef('done_contacts'), CONTACT_WRITABLE, form);
  if (row.done === 0) {
    for (const field of ['start_date', 'end_date']) {
      if (body[field] === undefined || body[field] === null) throw badRequest(`${field} is required to complete due contact ${id}`);
    }
    requireFields(body, MANDATORY.completeContact);
    body.done = 1;
  } else {
    nothingToDo(body, `done contact ${id}`);
    refuseClearing(body, MANDATORY.completeContact);
  }
  checkContact(store, { ...row, ...body }, row.referral as number);
  store.db.transaction(() => updateRow(store, 'contacts', id, body))();
  return id;
}

/** A contact recorded on a referral with no action planned first (the current manual's `done_contacts/referral/R`). */
export function recordContact(store: SimStore, user: SimUser, referralId: number, form: Record<string, string>): number {
  const referral = visibleRow(store, groupDef('referrals'), referralId, user);
  if (!referral) throw notFound(`referral ${referralId} not found`);
  const body = convertBody(store, groupDef('done_contacts'), CONTACT_WRITABLE, form);
  requireFields(body, MANDATORY.completeContact);
  checkContact(store, body, referralId);
  return store.db.transaction(() =>
    insertRow(store, 'contacts', {
      ...dropNulls(body),
      done: 1,
      referral: referralId,
      client: referral.client,
      project: referral.project,
    }),
  )();
}

/** The current manual's `PUT relationship_details/A/B` with `relation_*` keys; one relationship per pair, as the seed's. */
export function setRelationship(store: SimStore, user: SimUser, first: number, second: number, form: Record<string, string>): number {
  const def = groupDef('clients');
  if (!visibleRow(store, def, first, user)) throw notFound(`client ${first} not found`);
  if (first === second) throw badRequest('a relationship joins two different clients');
  if (!store.db.prepare('SELECT 1 FROM clients WHERE id = ?').get(second)) throw badRequest(`client ${second} is not a client`);
  const known = ['relation_first_to_second', 'relation_second_to_first', 'carer_relation_first_to_second', 'carer_relation_second_to_first', 'major', 'send_one_letter_to_both', 'joint_address'];
  for (const field of Object.keys(form)) if (!known.includes(field)) throw badRequest(`unknown field "${field}" for relationship_details (${known.join(', ')})`);
  for (const flag of ['major', 'send_one_letter_to_both']) {
    if (form[flag] !== undefined && form[flag] !== 'Y' && form[flag] !== 'N') throw badRequest(`${flag} must be Y or N, got "${form[flag]}"`);
  }
  const seedForm: Record<string, string> = { id_second: String(second) };
  const names: Record<string, string> = {
    relation_first_to_second: 'relationship_first_to_second',
    relation_second_to_first: 'relationship_second_to_first',
    carer_relation_first_to_second: 'relationship_first_to_second_carer',
    carer_relation_second_to_first: 'relationship_second_to_first_carer',
  };
  for (const [field, seed] of Object.entries(names)) if (form[field] !== undefined) seedForm[seed] = form[field]!;
  const relationship = relationshipFromForm(store, def, first, seedForm)!;
  store.db.transaction(() => {
    updateRow(store, 'clients', first, {});
    saveRelationship(store, first, relationship);
  })();
  return first;
}

// ---- external referrals ---------------------------------------------------------------------------------

const EXTERNAL_ONLY = ['org_type_id', 'project'];
// `source` and `referral_role` come from the current manual; which dialect accepts them is the dialect table's call (api-handler).
const EXTERNAL_WRITABLE = [...EXTERNAL_ONLY, ...CLIENT_WRITABLE, 'description', 'source', 'referral_role'];

/** Stages an external referral for the administrator to import or reject (never readable through the API). */
export function createExternalReferral(store: SimStore, user: SimUser, form: Record<string, string>): number {
  const clients = groupDef('clients');
  const values: Values = {};
  for (const [field, raw] of Object.entries(form)) {
    if (!EXTERNAL_WRITABLE.includes(field)) {
      throw badRequest(`unknown field "${field}" for external_referral (client fields, org_type_id, description and project)`);
    }
    if (field === 'org_type_id' || field === 'project') {
      const value = convertValue(store, clients, field, 'int', raw);
      const table = field === 'project' ? 'referrals/project' : 'organisations/type';
      if (value !== null && !store.dictionaryItem(table, value as number)) throw badRequest(`${field} ${String(value)} is not an id of dictionary ${table}`);
      values[field] = value;
    } else if (field === 'description' || field === 'source' || field === 'referral_role') {
      values[field] = convertValue(store, clients, field, 'text', raw);
    } else {
      values[field] = convertValue(store, clients, field, clients.kinds.get(field) ?? 'text', raw);
    }
  }
  // Mandatory fields differ by dialect (description is optional in the current manual): checked by the dialect table.
  requireFields(values, ['org_type_id', 'surname']);
  const data = dropNulls(values);
  const result = store.db
    .prepare(
      `INSERT INTO external_referrals (org_type_id, surname, description, project, data, created_by_user, received)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(String(data.org_type_id), data.surname, data.description ?? '', data.project ?? null, JSON.stringify(data), user.id, store.clock.next());
  return Number(result.lastInsertRowid);
}

// ---- multiple-record extension databases ------------------------------------------------------------------

function extensionWritable(def: GroupDef): string[] {
  return [...def.kinds.keys()].filter((f) => f !== 'id' && f !== 'updated');
}

/** An extension record hangs off a visible referral (its client follows) or a visible client. */
function checkExtensionLinks(store: SimStore, user: SimUser, merged: Values): void {
  if (merged.referral === null && merged.client === null) throw badRequest('referral is required (or client, for a record not tied to a referral)');
  if (typeof merged.referral === 'number') {
    const referral = visibleRow(store, groupDef('referrals'), merged.referral, user);
    if (!referral) throw badRequest(`referral ${merged.referral} does not exist or is not visible to you`);
    if (merged.client === null || merged.client === undefined) merged.client = referral.client;
    else if (merged.client !== referral.client) throw badRequest(`client ${String(merged.client)} is not the client of referral ${merged.referral}`);
  } else {
    checkClient(store, user, merged.client);
  }
}

export function createExtensionRecord(store: SimStore, user: SimUser, name: string, form: Record<string, string>): number {
  const def = groupDef('extension_database', name);
  const body = convertBody(store, def, extensionWritable(def), form);
  const merged: Values = { referral: null, client: null, ...body };
  checkExtensionLinks(store, user, merged);
  return store.db.transaction(() => insertRow(store, def.table, dropNulls(merged)))();
}

export function updateExtensionRecord(store: SimStore, user: SimUser, name: string, id: number, form: Record<string, string>): number {
  const def = groupDef('extension_database', name);
  const row = visibleRow(store, def, id, user);
  if (!row) throw notFound(`${def.label} record ${id} not found`);
  const body = convertBody(store, def, extensionWritable(def), form);
  nothingToDo(body, `${def.label} record ${id}`);
  if ('referral' in body || 'client' in body) {
    const merged: Values = { ...row, ...body };
    if ('referral' in body && !('client' in body)) merged.client = null;
    checkExtensionLinks(store, user, merged);
    body.client = merged.client;
  }
  store.db.transaction(() => updateRow(store, def.table, id, body))();
  return id;
}
