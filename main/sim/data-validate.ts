// Checks and converts a write request's form fields for one group: unknown or server-owned fields,
// value formats by column kind, dictionary ids, and references to workers and users. The result
// maps field → stored value (an empty string clears a field: null). Every refusal names the field.

import { badRequest, ApiError } from './data-errors.js';
import { nextId, type ColumnKind } from './data-schema.js';
import { isValidDate, isValidTimestamp } from './data-time.js';
import { dictionaryOf, type GroupDef } from './query-groups.js';
import { visibility, joinAnd } from './query-filters.js';
import type { SimStore } from './store.js';
import type { SimUser } from './types.js';

export type Values = Record<string, unknown>;

const MAX_TEXT = 20_000;
/** Fields the server owns: a body may never set them. */
const SERVER_OWNED = new Set(['id', 'updated']);

/** Converts the listed form fields of a group; `also` names extra accepted keys left for the caller. */
export function convertBody(store: SimStore, def: GroupDef, writable: readonly string[], form: Record<string, string>, also: readonly string[] = []): Values {
  const out: Values = {};
  for (const [field, raw] of Object.entries(form)) {
    if (also.includes(field)) continue;
    if (!writable.includes(field)) {
      if (SERVER_OWNED.has(field)) throw badRequest(`${field} is set by the server and cannot be written`);
      if (def.kinds.has(field)) throw badRequest(`${field} cannot be written through ${def.label}`);
      throw badRequest(`unknown field "${field}" for ${def.label}`);
    }
    const kind = def.kinds.get(field) ?? 'text';
    out[field] = convertValue(store, def, field, kind, raw);
  }
  return out;
}

export function convertValue(store: SimStore, def: GroupDef, field: string, kind: ColumnKind, raw: string): unknown {
  const value = kind === 'text' ? raw : raw.trim();
  if (value === '') return null;
  switch (kind) {
    case 'int': {
      if (!/^-?\d+$/.test(value)) throw badRequest(`${field} must be a whole number, got "${value}"`);
      const n = Number(value);
      const table = dictionaryOf(def, field);
      if (table) {
        if (!store.dictionaryItem(table, n)) throw badRequest(`${field} ${n} is not an id of dictionary ${table}`);
      } else if (field === 'usual_support_worker' || field === 'worker') {
        if (!store.db.prepare('SELECT 1 FROM workers WHERE id = ?').get(n)) throw badRequest(`${field} ${n} is not a worker`);
      } else if (field === 'user') {
        if (!store.userExists(n)) throw badRequest(`user ${n} is not a user of this system`);
      } else if (n < 0) {
        throw badRequest(`${field} must not be negative, got ${n}`);
      }
      return n;
    }
    case 'real':
      if (!/^\d+(\.\d+)?$/.test(value)) throw badRequest(`${field} must be a number such as 12.5, got "${value}"`);
      return Number(value);
    case 'flag': {
      const flag = value.toUpperCase();
      if (flag !== 'Y' && flag !== 'N') throw badRequest(`${field} must be Y or N, got "${value}"`);
      return flag;
    }
    case 'date':
      if (!isValidDate(value)) throw badRequest(`${field} must be a date YYYY-MM-DD, got "${value}"`);
      return value;
    case 'timestamp':
      if (!isValidTimestamp(value)) throw badRequest(`${field} must be YYYY-MM-DD HH:MM:SS, got "${value}"`);
      return value;
    case 'text':
      if (value.length > MAX_TEXT) throw badRequest(`${field} is longer than ${MAX_TEXT} characters`);
      return value;
  }
}

/** Refuses a missing (or, on update, cleared) mandatory field: `<field> is required`. */
export function requireFields(values: Values, fields: readonly string[], context = ''): void {
  for (const field of fields) {
    if (values[field] === undefined || values[field] === null) throw badRequest(`${field} is required${context}`);
  }
}

/** Refuses clearing a mandatory field in an update. */
export function refuseClearing(body: Values, fields: readonly string[]): void {
  for (const field of fields) {
    if (field in body && body[field] === null) throw badRequest(`${field} is required`);
  }
}

export function checkOrder(values: Values): void {
  const start = values.start_date;
  const end = values.end_date;
  if (typeof start === 'string' && typeof end === 'string' && end < start) {
    throw badRequest(`end_date ${end} is before start_date ${start}`);
  }
}

/** One record of a group as the user sees it, or undefined when it does not exist or is invisible. */
export function visibleRow(store: SimStore, def: GroupDef, id: number, user: SimUser): Values | undefined {
  const where = joinAnd([{ sql: def.base, params: [] }, visibility(def, user)]);
  return store.db.prepare(`SELECT * FROM ${def.table} t WHERE t.id = ? AND (${where.sql})`).get(id, ...where.params) as Values | undefined;
}

/** A stage (or due stage) must belong to the template of its referral. */
export function checkStage(store: SimStore, field: string, stage: unknown, template: unknown, whose: string): void {
  if (stage === null || stage === undefined) return;
  const item = store.dictionaryItem('referrals/stage', stage as number);
  if (!item) throw badRequest(`${field} ${String(stage)} is not an id of dictionary referrals/stage`);
  if (item.extra?.template !== template) {
    throw badRequest(`${field} ${String(stage)} does not belong to template ${String(template)} of ${whose}`);
  }
}

/** The user may only put referrals into projects they belong to (otherwise the referral would vanish from their view). */
export function checkMembership(user: SimUser, project: unknown): void {
  if (typeof project === 'number' && !user.projects.includes(project)) {
    throw new ApiError(403, `project ${project} is not one of your projects (${user.projects.join(', ') || 'none'})`);
  }
}

/** Writes the given columns of one row and moves its `updated` forward; returns the new stamp. */
export function updateRow(store: SimStore, table: string, id: number, values: Values): string {
  const stamp = store.stampFor(table, 'id = ?', [id]);
  const columns = Object.keys(values);
  const sets = [...columns.map((c) => `"${c}" = ?`), 'updated = ?'].join(', ');
  store.db.prepare(`UPDATE ${table} SET ${sets} WHERE id = ?`).run(...columns.map((c) => values[c]), stamp, id);
  return stamp;
}

/** Inserts a row (the given columns plus `updated`) and returns its new id. */
export function insertRow(store: SimStore, table: string, values: Values): number {
  const columns = Object.keys(values).filter((c) => values[c] !== undefined && c !== 'id');
  const id = nextId(store.db, table);
  const stamp = store.clock.next();
  const names = ['id', ...columns.map((c) => `"${c}"`), 'updated'].join(', ');
  const marks = ['?', ...columns.map(() => '?'), '?'].join(', ');
  store.db.prepare(`INSERT INTO ${table} (${names}) VALUES (${marks})`).run(id, ...columns.map((c) => values[c]), stamp);
  return id;
}
