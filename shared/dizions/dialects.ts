// The two dialects of the Dizions API v2 in ONE table: `2019` (the seed manual page) and `2025`
// (the vendor's manual pages rewritten 2021–2025; ../shared/dizions-api.md). Every write operation
// has a dialect-neutral name; this module alone knows how each dialect spells it (verb, path, field
// names, mandatory and refused fields) and how to read a method + path back into an operation. No
// other module branches on a dialect's name: the client prints through here, the simulator reads
// through here, the outbox stores neutral operations and prints them here at send time.

import { MANDATORY } from './model.js';
import type { DizionsPath, RecordsPath } from '../url-grammar.js';

export const DIALECTS = ['2019', '2025'] as const;
export type Dialect = (typeof DIALECTS)[number];

export function isDialect(value: unknown): value is Dialect {
  return typeof value === 'string' && (DIALECTS as readonly string[]).includes(value);
}

// ---- operations -------------------------------------------------------------------------------------

/** Every write Caseworker queues, by a name that means the same in either dialect (screens build on these). */
export const OPERATIONS = [
  'create-client',
  'update-client',
  'create-referral',
  'update-referral',
  'plan-action',
  'edit-action',
  'complete-action',
  'record-contact',
  'edit-contact',
  'set-relationship',
  'external-referral',
  'create-extension-record',
  'update-extension-record',
  'upload-file',
] as const;
export type WriteOperation = (typeof OPERATIONS)[number];

/** How each operation reads in a sentence: "surname: is mandatory when creating a client". */
export const OPERATION_WORDS: Record<WriteOperation, string> = {
  'create-client': 'creating a client',
  'update-client': 'updating a client',
  'create-referral': 'creating a referral',
  'update-referral': 'updating a referral',
  'plan-action': 'planning an action (a due contact)',
  'edit-action': 'editing an action (a due contact)',
  'complete-action': 'completing an action (a due contact)',
  'record-contact': 'recording a contact on a referral',
  'edit-contact': 'editing a done contact',
  'set-relationship': 'setting a relationship between two clients',
  'external-referral': 'sending an external referral',
  'create-extension-record': 'creating an extension-database record',
  'update-extension-record': 'updating an extension-database record',
  'upload-file': 'uploading files',
};

/** Operations that hand out a temp id for the record they create. */
export const CREATES_RECORD: ReadonlySet<WriteOperation> = new Set(['create-client', 'create-referral', 'plan-action', 'record-contact', 'create-extension-record']);

/** The records a write names, in neither dialect's words. Ids may be temp ids (negative) until their create lands. */
export interface WriteTarget {
  /** update-*, edit-*, complete-action, upload-file: the record written; set-relationship: the first client. */
  recordId?: number;
  /** plan-action, record-contact: the referral the contact belongs to. */
  referralId?: number;
  /** set-relationship: the second client. */
  secondId?: number;
  /** create-client by external id (`clients/external_id/X`). */
  externalId?: string;
  /** create- / update-extension-record: the database's API name (`wellcheck_notes` or `wellcheck_notes_9`). */
  extensionDatabase?: string;
  /** upload-file: whose files. */
  uploadGroup?: 'clients' | 'referrals';
}

// ---- the table -------------------------------------------------------------------------------------

/**
 * How a path names its record(s): `collection` (`clients`), `external-id` (`clients/external_id/X`),
 * `record` (`clients/id/37` in 2019, `clients/37` in 2025), `record-id` (`…/id/N` in every dialect),
 * `by-referral` (`due_contacts/referral/R`), `uploads` (`clients/id/X/uploads`), `pair` (`relationship_details/A/B`).
 */
export type PathShape = 'collection' | 'external-id' | 'record' | 'record-id' | 'by-referral' | 'uploads' | 'pair';

export interface WriteForm {
  method: 'PUT' | 'POST';
  /** The API group written (`extension_database`: the database name comes from the target). */
  group: 'clients' | 'referrals' | 'due_contacts' | 'done_contacts' | 'external_referral' | 'extension_database' | 'relationship_details' | 'uploads';
  shape: PathShape;
}

/** A form that is not one request: the steps, each an operation of the same dialect, sent in order. */
export interface WriteChain {
  chain: readonly WriteOperation[];
}

export interface FieldRules {
  /** Must be present (and not empty). */
  mandatory?: readonly string[];
  /** Fields this dialect cannot express, with why. Refused at queue time; a queued entry that has one fails visibly. */
  refused?: Readonly<Record<string, string>>;
  /** `field: needs` — a field that may only be sent with another. */
  needs?: Readonly<Record<string, string>>;
  /** Neutral name → this dialect's name on the wire. */
  rename?: Readonly<Record<string, string>>;
}

export interface DialectRow {
  form: WriteForm | WriteChain;
  fields?: FieldRules;
}

const RELATIONSHIP_2019_NAMES = {
  relation_first_to_second: 'relationship_first_to_second',
  relation_second_to_first: 'relationship_second_to_first',
  carer_relation_first_to_second: 'relationship_first_to_second_carer',
  carer_relation_second_to_first: 'relationship_second_to_first_carer',
} as const;

/** Neutral relationship fields (the current manual's names). */
export const RELATIONSHIP_EDIT_FIELDS = [
  'relation_first_to_second',
  'relation_second_to_first',
  'carer_relation_first_to_second',
  'carer_relation_second_to_first',
  'major',
  'send_one_letter_to_both',
  'joint_address',
] as const;

const NOT_IN_SEED = 'the 2019 API (the seed) has no such relationship field; switch the connection to 2025 or leave it out';
const CARER_PAIR = { carer_relation_first_to_second: 'relation_first_to_second', carer_relation_second_to_first: 'relation_second_to_first' } as const;

/** THE table: every write in each dialect. Rows the current pages are silent about keep the seed's form. */
export const DIALECT_TABLE: Record<WriteOperation, Record<Dialect, DialectRow>> = {
  'create-client': {
    '2019': { form: { method: 'PUT', group: 'clients', shape: 'collection' }, fields: { mandatory: MANDATORY.createClient } },
    '2025': { form: { method: 'POST', group: 'clients', shape: 'collection' }, fields: { mandatory: MANDATORY.createClient } },
  },
  'update-client': {
    '2019': { form: { method: 'POST', group: 'clients', shape: 'record' } },
    '2025': { form: { method: 'PUT', group: 'clients', shape: 'record' } },
  },
  'create-referral': {
    '2019': { form: { method: 'PUT', group: 'referrals', shape: 'collection' }, fields: { mandatory: MANDATORY.createReferral } },
    '2025': { form: { method: 'POST', group: 'referrals', shape: 'collection' }, fields: { mandatory: MANDATORY.createReferral } },
  },
  'update-referral': {
    '2019': { form: { method: 'POST', group: 'referrals', shape: 'record' } },
    '2025': { form: { method: 'PUT', group: 'referrals', shape: 'record' } },
  },
  'plan-action': {
    '2019': { form: { method: 'PUT', group: 'due_contacts', shape: 'by-referral' }, fields: { mandatory: MANDATORY.createDueContact } },
    '2025': { form: { method: 'POST', group: 'due_contacts', shape: 'by-referral' }, fields: { mandatory: MANDATORY.createDueContact } },
  },
  'edit-action': {
    '2019': { form: { method: 'POST', group: 'due_contacts', shape: 'record' } },
    '2025': { form: { method: 'POST', group: 'due_contacts', shape: 'record' } },
  },
  'complete-action': {
    '2019': { form: { method: 'POST', group: 'done_contacts', shape: 'record' }, fields: { mandatory: MANDATORY.completeContact } },
    '2025': { form: { method: 'POST', group: 'done_contacts', shape: 'record' }, fields: { mandatory: MANDATORY.completeContact } },
  },
  'record-contact': {
    // Not in the seed: plan an action, then complete it (two requests that land once as a whole).
    '2019': { form: { chain: ['plan-action', 'complete-action'] }, fields: { mandatory: MANDATORY.completeContact } },
    '2025': { form: { method: 'POST', group: 'done_contacts', shape: 'by-referral' }, fields: { mandatory: MANDATORY.completeContact } },
  },
  'edit-contact': {
    '2019': { form: { method: 'POST', group: 'done_contacts', shape: 'record' } },
    '2025': { form: { method: 'PUT', group: 'done_contacts', shape: 'record' } },
  },
  'set-relationship': {
    // The seed sets it through a client update carrying `id_second` (the second client).
    '2019': {
      form: { method: 'POST', group: 'clients', shape: 'record' },
      fields: {
        mandatory: ['relation_first_to_second', 'relation_second_to_first'],
        refused: { major: NOT_IN_SEED, send_one_letter_to_both: NOT_IN_SEED, joint_address: NOT_IN_SEED },
        rename: RELATIONSHIP_2019_NAMES,
      },
    },
    '2025': {
      form: { method: 'PUT', group: 'relationship_details', shape: 'pair' },
      fields: { mandatory: ['relation_first_to_second', 'relation_second_to_first'], needs: CARER_PAIR },
    },
  },
  'external-referral': {
    '2019': {
      form: { method: 'PUT', group: 'external_referral', shape: 'collection' },
      fields: {
        mandatory: ['org_type_id', 'surname', 'description'],
        refused: { source: 'the 2019 API (the seed) has no source on an external referral', referral_role: 'the 2019 API (the seed) has no referral_role on an external referral' },
      },
    },
    '2025': {
      form: { method: 'PUT', group: 'external_referral', shape: 'collection' },
      fields: { mandatory: ['first_name', 'surname', 'org_type_id'], needs: { source: 'referral_role' } },
    },
  },
  'create-extension-record': {
    '2019': { form: { method: 'PUT', group: 'extension_database', shape: 'collection' } },
    '2025': { form: { method: 'PUT', group: 'extension_database', shape: 'collection' } },
  },
  'update-extension-record': {
    // The current pages are silent on updates: the seed's `…/id/N` stays.
    '2019': { form: { method: 'POST', group: 'extension_database', shape: 'record-id' } },
    '2025': { form: { method: 'POST', group: 'extension_database', shape: 'record-id' } },
  },
  'upload-file': {
    '2019': { form: { method: 'POST', group: 'uploads', shape: 'uploads' } },
    '2025': { form: { method: 'POST', group: 'uploads', shape: 'uploads' } },
  },
};

/** How a dialect names a single record in a path: `clients/id/37` or `clients/37`. Readers accept both in 2025. */
export const SINGLE_RECORD_FORM: Record<Dialect, { print: 'id' | 'bare'; accept: ReadonlyArray<'id' | 'bare'> }> = {
  '2019': { print: 'id', accept: ['id'] },
  '2025': { print: 'bare', accept: ['id', 'bare'] },
};

/** Read-side differences: discovery, filters and dictionaries the current manual adds. */
export const READ_FEATURES: Record<
  Dialect,
  {
    discovery: ReadonlyArray<'selectable_fields' | 'filterable_fields' | 'metrics'>;
    /** Filter keys added to a group beyond the seed's. */
    extraFilters: Readonly<Record<string, readonly string[]>>;
    /** Dictionaries added beyond the seed's datadict tables. */
    extraDictionaries: readonly string[];
    /** Fields that come back as JSON objects rather than plain values. */
    objectFields: Readonly<Record<string, readonly string[]>>;
  }
> = {
  '2019': { discovery: ['selectable_fields'], extraFilters: {}, extraDictionaries: [], objectFields: {} },
  '2025': {
    discovery: ['selectable_fields', 'filterable_fields', 'metrics'],
    extraFilters: { clients: ['email', 'type'], referrals: ['date'], due_contacts: ['date'], done_contacts: ['date', 'branch'] },
    extraDictionaries: ['branch', 'client_type'],
    objectFields: { clients: ['codes'], referrals: ['referral_codes'] },
  },
};

/** Whether a write is one request in a dialect, or a chain of steps. */
export function isChain(form: WriteForm | WriteChain): form is WriteChain {
  return 'chain' in form;
}

export function rowOf(operation: WriteOperation, dialect: Dialect): DialectRow {
  return DIALECT_TABLE[operation][dialect];
}

// ---- printing ---------------------------------------------------------------------------------------

export class DialectError extends Error {
  override name = 'DialectError';
  /** `field` names the field at fault, or `path` / `method`. */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function idText(id: number | undefined, what: string): string {
  if (id === undefined || !Number.isSafeInteger(id) || id === 0) throw new DialectError('path', `${what} is missing`);
  return String(id);
}

/** The method and path of a one-request operation in a dialect (a chain's steps are printed one by one). */
export function printWrite(operation: WriteOperation, target: WriteTarget, dialect: Dialect): { method: 'PUT' | 'POST'; path: DizionsPath } {
  const form = rowOf(operation, dialect).form;
  if (isChain(form)) throw new DialectError('method', `${OPERATION_WORDS[operation]} is ${form.chain.length} requests in the ${dialect} dialect`);
  return { method: form.method, path: pathOf(form, target, dialect) };
}

function pathOf(form: WriteForm, target: WriteTarget, dialect: Dialect): DizionsPath {
  const group = form.group === 'uploads' ? (target.uploadGroup ?? 'clients') : form.group;
  if (form.group === 'external_referral') return { kind: 'external_referral' };
  if (form.shape === 'pair') return { kind: 'relationship_details', first: idText(target.recordId, 'the first client'), second: idText(target.secondId, 'the second client') };
  const path: RecordsPath = { kind: 'records', group, pairs: [] };
  if (group === 'extension_database') {
    if (!target.extensionDatabase) throw new DialectError('path', 'the extension database is missing');
    path.extensionDatabase = target.extensionDatabase;
  }
  switch (form.shape) {
    case 'collection':
      break;
    case 'external-id':
      break;
    case 'by-referral':
      path.pairs.push({ key: 'referral', values: [idText(target.referralId, 'the referral')] });
      break;
    case 'record':
      path.pairs.push({ key: 'id', values: [idText(target.recordId, 'the record')] });
      if (SINGLE_RECORD_FORM[dialect].print === 'bare') path.bareId = true;
      break;
    case 'record-id':
      path.pairs.push({ key: 'id', values: [idText(target.recordId, 'the record')] });
      break;
    case 'uploads':
      path.pairs.push({ key: 'id', values: [idText(target.recordId, 'the record')] });
      path.uploads = true;
      break;
  }
  if (form.group === 'clients' && form.shape === 'collection' && target.externalId !== undefined) {
    path.pairs.push({ key: 'external_id', values: [target.externalId] });
  }
  return path;
}

// ---- fields ------------------------------------------------------------------------------------------

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * What a dialect cannot send of an edit: refused fields, missing mandatory ones, a field without the
 * one it needs. The same check runs at queue time and again at send time (the dialect may have changed).
 */
export function dialectProblems(operation: WriteOperation, fields: Readonly<Record<string, string | null>>, dialect: Dialect): FieldIssue[] {
  const rules = rowOf(operation, dialect).fields ?? {};
  const issues: FieldIssue[] = [];
  const what = OPERATION_WORDS[operation];
  for (const [field, why] of Object.entries(rules.refused ?? {})) {
    if (fields[field] !== undefined) issues.push({ field, message: `cannot be sent when ${what} in the ${dialect} dialect: ${why}` });
  }
  for (const field of rules.mandatory ?? []) {
    if (fields[field] === undefined || fields[field] === null || fields[field] === '') issues.push({ field, message: `is mandatory when ${what} in the ${dialect} dialect` });
  }
  for (const [field, needed] of Object.entries(rules.needs ?? {})) {
    if (fields[field] != null && fields[needed] == null) issues.push({ field, message: `can only be sent with ${needed} when ${what} in the ${dialect} dialect` });
  }
  return issues;
}

/** The form fields as a dialect names them on the wire (set-relationship in 2019 also carries `id_second`). */
export function wireFields(operation: WriteOperation, fields: Readonly<Record<string, string | null>>, target: WriteTarget, dialect: Dialect): Record<string, string | null> {
  const rename = rowOf(operation, dialect).fields?.rename ?? {};
  const out: Record<string, string | null> = {};
  const form = rowOf(operation, dialect).form;
  // The seed names the second client in the body; the current manual names it in the path.
  if (operation === 'set-relationship' && !isChain(form) && form.shape !== 'pair') out.id_second = idText(target.secondId, 'the second client');
  for (const [field, value] of Object.entries(fields)) out[rename[field] ?? field] = value;
  return out;
}

/** The name a dialect gives a neutral field on the wire. */
export function wireFieldName(operation: WriteOperation, neutral: string, dialect: Dialect): string {
  return rowOf(operation, dialect).fields?.rename?.[neutral] ?? neutral;
}

/** The neutral name of a field a dialect sent on the wire (inverse of `rename`). */
export function neutralFieldName(operation: WriteOperation, wireName: string, dialect: Dialect): string {
  const rename = rowOf(operation, dialect).fields?.rename ?? {};
  for (const [neutral, wire] of Object.entries(rename)) if (wire === wireName) return neutral;
  return wireName;
}

// ---- reading -----------------------------------------------------------------------------------------

/** A method + path that is not a write in this dialect: 405 (with the verbs the path takes) or 400/404. */
export class WriteFormError extends Error {
  override name = 'WriteFormError';
  constructor(
    readonly status: 400 | 404 | 405,
    message: string,
    readonly allow: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface ReadWrite {
  operation: WriteOperation;
  target: WriteTarget;
  /** 2019's `POST done_contacts/id/X` both completes a due contact and edits a done one: the record's state decides. */
  alsoMeans?: WriteOperation;
  /** set-relationship read from a 2019 client update: `id_second` names the second client (in the fields). */
  secondFromFields?: boolean;
}

interface Shaped {
  group: WriteForm['group'];
  shape: PathShape;
  target: WriteTarget;
  bare: boolean;
}

function shapeOf(path: DizionsPath): Shaped | string {
  if (path.kind === 'external_referral') return { group: 'external_referral', shape: 'collection', target: {}, bare: false };
  if (path.kind === 'relationship_details') {
    return { group: 'relationship_details', shape: 'pair', target: { recordId: Number(path.first), secondId: Number(path.second) }, bare: false };
  }
  if (path.kind !== 'records')
    return `${path.kind === 'dictionary' || path.kind === 'dictionary_all' || path.kind === 'dictionary_search' || path.kind === 'relationships' ? 'dictionaries' : path.kind} cannot be written to`;
  if (path.report || path.fields || path.resolveIds) return 'a write path has no dimension/, field/ or resolveIds';
  const base: WriteTarget = path.extensionDatabase ? { extensionDatabase: path.extensionDatabase } : {};
  const group = path.group as WriteForm['group'];
  if (path.uploads) {
    return { group: 'uploads', shape: 'uploads', target: { recordId: Number((path.pairs[0] as { values: string[] }).values[0]), uploadGroup: path.group as 'clients' | 'referrals' }, bare: false };
  }
  if (path.pairs.length === 0) return { group, shape: 'collection', target: base, bare: false };
  const pair = path.pairs[0]!;
  if (path.pairs.length > 1 || !('values' in pair) || pair.values.length !== 1) return 'a write path names one record (one filter pair with one value)';
  const value = pair.values[0]!;
  const asId = (): number | string => (/^-?[1-9]\d*$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : `${pair.key} must be a record id, got "${value}"`);
  if (pair.key === 'external_id') return { group, shape: 'external-id', target: { ...base, externalId: value }, bare: false };
  if (pair.key === 'id') {
    const id = asId();
    if (typeof id === 'string') return id;
    return { group, shape: 'record', target: { ...base, recordId: id }, bare: path.bareId === true };
  }
  if (pair.key === 'referral') {
    const id = asId();
    if (typeof id === 'string') return id;
    return { group, shape: 'by-referral', target: { ...base, referralId: id }, bare: false };
  }
  return `…/${pair.key}/ does not name a record to write (writes take …/id/<id>, due_contacts/referral/<id> or clients/external_id/<id>)`;
}

/** Whether a form accepts a shaped path in a dialect (2025 reads `clients/id/37` and `clients/37` alike). */
function accepts(form: WriteForm, shaped: Shaped, dialect: Dialect): boolean {
  if (form.group !== shaped.group) return false;
  if (form.shape === 'collection' && shaped.shape === 'external-id') return form.group === 'clients';
  if (form.shape === 'record-id') return shaped.shape === 'record' && !shaped.bare;
  if (form.shape === 'record') return shaped.shape === 'record' && SINGLE_RECORD_FORM[dialect].accept.includes(shaped.bare ? 'bare' : 'id');
  return form.shape === shaped.shape;
}

/**
 * Reads a method + path in a dialect's words as a neutral operation. Throws WriteFormError: 405 when
 * the path is a write of this dialect under another verb (`allow` lists the verbs), 400/404 otherwise.
 * The client's `caseworker queue` and the simulator both read writes through here.
 */
export function readWrite(method: string, path: DizionsPath, dialect: Dialect, hasField: (name: string) => boolean = () => false): ReadWrite {
  const verb = method.trim().toUpperCase();
  const shaped = shapeOf(path);
  if (typeof shaped === 'string') throw new WriteFormError(400, shaped);
  const matches: Array<{ operation: WriteOperation; form: WriteForm }> = [];
  for (const operation of OPERATIONS) {
    const form = rowOf(operation, dialect).form;
    if (!isChain(form) && accepts(form, shaped, dialect)) matches.push({ operation, form });
  }
  if (matches.length === 0) {
    if (shaped.group === 'relationship_details')
      throw new WriteFormError(404, `relationship_details is not a group in the ${dialect} dialect: relationships are set by a client update with id_second`);
    if (shaped.shape === 'record' && shaped.bare && !SINGLE_RECORD_FORM[dialect].accept.includes('bare')) {
      throw new WriteFormError(400, `a single record is <group>/id/<id> in the ${dialect} dialect, not <group>/<id>`);
    }
    // A readable path (e.g. `done_contacts/referral/R` in 2019): reading it is all this dialect allows.
    if (shaped.group !== 'external_referral' && shaped.group !== 'uploads') throw new WriteFormError(405, `${verb} on this path is not a write in the ${dialect} dialect`, ['GET']);
    throw new WriteFormError(400, `this path is not a write in the ${dialect} dialect`);
  }
  const withVerb = matches.filter((m) => m.form.method === verb);
  if (withVerb.length === 0) {
    const readable = shaped.group !== 'external_referral' && shaped.group !== 'relationship_details' && shaped.group !== 'uploads';
    const allow = [...new Set([...(readable ? ['GET'] : []), ...matches.map((m) => m.form.method)])];
    const verbs = [...new Set(matches.map((m) => m.form.method))].join(' or ');
    throw new WriteFormError(405, `${OPERATION_WORDS[matches[0]!.operation]} uses ${verbs} in the ${dialect} dialect, not ${verb}`, allow);
  }
  // One path + verb may carry two operations: the seed's client update also sets a relationship
  // (`id_second` in the body), and its done-contact POST both completes and edits.
  let chosen = withVerb.map((m) => m.operation);
  const relationship = chosen.includes('set-relationship') && chosen.includes('update-client');
  if (relationship) chosen = hasField('id_second') ? ['set-relationship'] : ['update-client'];
  const operation = chosen[0]!;
  const result: ReadWrite = { operation, target: shaped.target };
  if (chosen.length > 1) result.alsoMeans = chosen[1]!;
  if (operation === 'set-relationship' && shaped.shape !== 'pair') result.secondFromFields = true;
  return result;
}
