// Turns the filter pairs of a parsed path into one SQL condition on the group's table (alias `t`),
// and adds the requesting user's visibility. Keys AND together; `;` alternatives OR. Filters on a
// related record (client_*, project_*, referral-level keys on contacts) become IN-subqueries, so
// no query ever needs a join. Every bad key or value is a 400 that names it.

import type { FilterPair } from '../../shared/url-grammar.js';
import { badRequest } from './data-errors.js';
import { kindOf, type ColumnKind } from './data-schema.js';
import { isValidDate, isValidTimestamp } from './data-time.js';
import type { GroupDef } from './query-groups.js';
import type { SimUser } from './types.js';

export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** Referral columns that contacts filter by through their referral. */
const CONTACT_VIA_REFERRAL = new Set(['funding_sponsor', 'introduction_source', 'referral_complete', 'referrer', 'response_method', 'template', 'project_category']);

/** Checks and converts one filter value for a column kind. */
function filterValue(key: string, kind: ColumnKind, value: string): unknown {
  switch (kind) {
    case 'int':
      if (!/^-?\d+$/.test(value)) throw badRequest(`value of ${key} must be a whole number (an id), got "${value}"`);
      return Number(value);
    case 'real':
      if (!/^-?\d+(\.\d+)?$/.test(value)) throw badRequest(`value of ${key} must be a number, got "${value}"`);
      return Number(value);
    case 'flag': {
      const flag = value.toUpperCase();
      if (flag !== 'Y' && flag !== 'N') throw badRequest(`value of ${key} must be Y or N, got "${value}"`);
      return flag;
    }
    case 'date':
      if (!isValidDate(value)) throw badRequest(`value of ${key} must be a date YYYY-MM-DD, got "${value}"`);
      return value;
    case 'timestamp':
      if (!isValidDate(value) && !isValidTimestamp(value)) throw badRequest(`value of ${key} must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got "${value}"`);
      return value;
    case 'text':
      return value;
  }
}

/** `column` matches any of the values (text case-insensitively; a date matches a timestamp's day). */
function columnCondition(column: string, key: string, kind: ColumnKind, values: string[]): SqlPart {
  const params = values.map((v) => filterValue(key, kind, v));
  const marks = params.map(() => '?').join(', ');
  if (kind === 'text') return { sql: `${column} COLLATE NOCASE IN (${marks})`, params };
  if (kind === 'timestamp') {
    const dates = params.filter((p) => String(p).length === 10);
    const stamps = params.filter((p) => String(p).length !== 10);
    const parts: string[] = [];
    if (dates.length > 0) parts.push(`substr(${column}, 1, 10) IN (${dates.map(() => '?').join(', ')})`);
    if (stamps.length > 0) parts.push(`${column} IN (${stamps.map(() => '?').join(', ')})`);
    return { sql: `(${parts.join(' OR ')})`, params: [...dates, ...stamps] };
  }
  return { sql: `${column} IN (${marks})`, params };
}

function plainFilter(def: GroupDef, key: string, values: string[]): SqlPart {
  if (!def.filterKeys.has(key)) {
    if (def.kinds.has(key)) throw badRequest(`${key} is a field of ${def.label} but not one of its filters`);
    throw badRequest(`unknown filter "${key}" for ${def.label}`);
  }
  const own = def.kinds.get(key);
  const isContacts = def.table === 'contacts';
  if (own && !(isContacts && CONTACT_VIA_REFERRAL.has(key))) return columnCondition(`t."${key}"`, key, own, values);
  if (key.startsWith('client_') && def.kinds.has('client')) {
    const column = key.slice('client_'.length);
    const inner = columnCondition(`"${column}"`, key, kindOf('clients', column), values);
    return { sql: `t.client IN (SELECT id FROM clients WHERE ${inner.sql})`, params: inner.params };
  }
  if (key === 'project_active' || key === 'project_name') {
    const inner = key === 'project_active' ? columnCondition("json_extract(extra, '$.active')", key, 'flag', values) : columnCondition('name', key, 'text', values);
    return { sql: `t.project IN (SELECT id FROM dictionaries WHERE table_ref = 'referrals/project' AND ${inner.sql})`, params: inner.params };
  }
  if (isContacts && CONTACT_VIA_REFERRAL.has(key)) {
    const inner = columnCondition(`"${key}"`, key, kindOf('referrals', key), values);
    return { sql: `t.referral IN (SELECT id FROM referrals WHERE ${inner.sql})`, params: inner.params };
  }
  throw badRequest(`filter "${key}" of ${def.label} is not supported by the simulator`);
}

/** A range bound as a timestamp: a date stretches to the start (or end) of its day. */
function rangeBound(key: string, which: 'start' | 'end', value: string): string {
  if (isValidTimestamp(value)) return value;
  if (isValidDate(value)) return `${value} ${which === 'start' ? '00:00:00' : '23:59:59'}`;
  throw badRequest(`${key} ${which} must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got "${value}"`);
}

function updatedRange(key: string, [rawFrom, rawTo]: [string, string]): SqlPart {
  const from = rangeBound(key, 'start', rawFrom);
  const to = rangeBound(key, 'end', rawTo);
  if (to < from) throw badRequest(`${key} range ends (${rawTo}) before it starts (${rawFrom})`);
  return { sql: 't.updated BETWEEN ? AND ?', params: [from, to] };
}

function rangeFilter(def: GroupDef, key: string, [rawFrom, rawTo]: [string, string]): SqlPart {
  if (!def.ranges.has(key)) {
    const where = key === 'updated' ? ' (only referrals can be filtered by updated)' : '';
    throw badRequest(`${key} is not a filter of ${def.label}${where}`);
  }
  const from = rangeBound(key, 'start', rawFrom);
  const to = rangeBound(key, 'end', rawTo);
  if (to < from) throw badRequest(`${key} range ends (${rawTo}) before it starts (${rawFrom})`);
  if (key === 'updated') return updatedRange(key, [rawFrom, rawTo]);
  if (key === 'date') return { sql: 't.date BETWEEN ? AND ?', params: [from.slice(0, 10), to.slice(0, 10)] };
  // date_active
  if (def.table === 'contacts') return { sql: 't.start_date BETWEEN ? AND ?', params: [from, to] };
  if (def.table === 'referrals') {
    return { sql: 'EXISTS (SELECT 1 FROM contacts x WHERE x.referral = t.id AND x.start_date BETWEEN ? AND ?)', params: [from, to] };
  }
  if (def.table === 'schedules') return { sql: 't.start_date <= ? AND (t.end_date IS NULL OR t.end_date >= ?)', params: [to, from] };
  throw badRequest(`${key} is not a filter of ${def.label}`);
}

/**
 * `extra`: the filter keys the connection's dialect adds to this group (dialects.ts READ_FEATURES):
 * in the current manual, `date` on contacts (their day), `email` and `type` on clients, `branch` on
 * done contacts — refused (400) where the dialect does not have them.
 */
export function filterCondition(def: GroupDef, pairs: FilterPair[], extra: readonly string[] = [], updatedEverywhere = false): SqlPart {
  const parts: SqlPart[] = pairs.map((pair) => {
    if (extra.includes(pair.key)) return extraFilter(def, pair);
    // A server run with `--updated-filter all`: every group (extension databases too) filters by its change time.
    if (updatedEverywhere && pair.key === 'updated' && 'range' in pair) return updatedRange(pair.key, pair.range);
    return 'range' in pair ? rangeFilter(def, pair.key, pair.range) : plainFilter(def, pair.key, pair.values);
  });
  return joinAnd(parts);
}

function extraFilter(def: GroupDef, pair: FilterPair): SqlPart {
  if (pair.key === 'date' && 'range' in pair) {
    if (def.table === 'contacts') {
      const from = rangeBound('date', 'start', pair.range[0]);
      const to = rangeBound('date', 'end', pair.range[1]);
      return { sql: 't.start_date BETWEEN ? AND ?', params: [from, to] };
    }
    return rangeFilter(def, pair.key, pair.range); // a referral's own date, as the seed's
  }
  if ((pair.key === 'email' || pair.key === 'type') && 'values' in pair) return columnCondition(`t."${pair.key}"`, pair.key, def.kinds.get(pair.key) ?? 'text', pair.values);
  if (pair.key === 'branch') throw badRequest('branch: this system has no branches (see dictionary/branch)');
  throw badRequest(`${pair.key} is not a filter of ${def.label}`);
}

export function joinAnd(parts: SqlPart[]): SqlPart {
  const kept = parts.filter((p) => p.sql !== '1');
  if (kept.length === 0) return { sql: '1', params: [] };
  return { sql: kept.map((p) => `(${p.sql})`).join(' AND '), params: kept.flatMap((p) => p.params) };
}

// ---- visibility (assumptions table) ---------------------------------------------------------------

const MEMBER_PROJECTS = 'SELECT project_id FROM user_projects WHERE user_id = ?';

/** A client (given by an SQL expression for its id, or `t` itself) is visible to the user. */
export function clientVisible(user: SimUser, idExpression: string, self = false): SqlPart {
  const viaReferral = `EXISTS (SELECT 1 FROM referrals vr WHERE vr.client = ${idExpression} AND vr.project IN (${MEMBER_PROJECTS}))`;
  if (self) {
    return { sql: `t.usual_support_worker = ? OR t.created_by_user = ? OR ${viaReferral}`, params: [user.worker ?? -1, user.id, user.id] };
  }
  return {
    sql: `EXISTS (SELECT 1 FROM clients vc WHERE vc.id = ${idExpression} AND (vc.usual_support_worker = ? OR vc.created_by_user = ? OR EXISTS (SELECT 1 FROM referrals vr WHERE vr.client = vc.id AND vr.project IN (${MEMBER_PROJECTS}))))`,
    params: [user.worker ?? -1, user.id, user.id],
  };
}

/** Which rows of a group the user may see: referrals and contacts by project, clients as above,
 * schedules of visible clients, extension rows of a visible referral or client; workers all. */
export function visibility(def: GroupDef, user: SimUser): SqlPart {
  switch (def.table) {
    case 'clients':
      return clientVisible(user, 't.id', true);
    case 'referrals':
    case 'contacts':
      return { sql: `t.project IN (${MEMBER_PROJECTS})`, params: [user.id] };
    case 'schedules':
      return clientVisible(user, 't.client');
    case 'workers':
      return { sql: '1', params: [] };
    default: {
      const client = clientVisible(user, 't.client');
      return {
        sql: `t.referral IN (SELECT id FROM referrals WHERE project IN (${MEMBER_PROJECTS})) OR ${client.sql}`,
        params: [user.id, ...client.params],
      };
    }
  }
}
