// What people read instead of ids in a report: dictionary names for dictionary fields (the group's
// own, a client_* key's client field, a contact's referral-level field), worker names for users and
// workers, client names for clients, Yes/No for flags. Read by SQL from the replica, only for the
// ids a report actually shows; an id the replica has no name for is simply left out (shown as is).

import { DATE_PATTERN } from '../../shared/dizions/assumptions.js';
import { FLAG_FIELDS, dictionaryFor, isTimeDimension } from '../../shared/dizions/model.js';
import type { FilterPair } from '../../shared/url-grammar.js';
import type { Replica } from '../db/open.js';
import { fieldLabel } from '../../shared/field-labels.js';
import type { ReportFilter, ReportValue } from '../../shared/reports/report-table.js';

type Handle = Pick<Replica, 'sqlite'>;

/** Where a field's names live: a dictionary table, workers (by id or by their login), clients, or Y/N. */
export type NameSource = { kind: 'dictionary'; table: string } | { kind: 'workers-by-user' } | { kind: 'workers-by-id' } | { kind: 'clients-by-id' } | { kind: 'flag' };

const CONTACT_GROUPS = new Set(['due_contacts', 'done_contacts']);

/** The name source of `field` (a dimension, metric or filter key) of `group`, if it has one. */
export function nameSourceOf(group: string, field: string): NameSource | undefined {
  if (isTimeDimension(field)) return undefined;
  const own = dictionaryFor(group, field);
  if (own) return { kind: 'dictionary', table: own };
  if (field === 'user') return { kind: 'workers-by-user' };
  if (field === 'usual_support_worker' || field === 'worker') return { kind: 'workers-by-id' };
  if (field === 'client') return { kind: 'clients-by-id' };
  if (FLAG_FIELDS.has(field)) return { kind: 'flag' };
  const joinsClients = group === 'referrals' || CONTACT_GROUPS.has(group);
  if (joinsClients && field.startsWith('client_')) {
    const clientField = field === 'client_type' ? 'type' : field.slice('client_'.length);
    const table = dictionaryFor('clients', clientField);
    if (table) return { kind: 'dictionary', table };
    if (FLAG_FIELDS.has(clientField)) return { kind: 'flag' };
  }
  if (CONTACT_GROUPS.has(group)) {
    const table = dictionaryFor('referrals', field);
    if (table) return { kind: 'dictionary', table };
  }
  return undefined;
}

const FLAG_NAMES: Record<string, string> = { Y: 'Yes', N: 'No' };

/** id (as text) → name, for the given ids only; one indexed query per column. */
export function namesFor(replica: Handle, source: NameSource, ids: readonly ReportValue[]): Record<string, string> {
  const wanted = [...new Set(ids.filter((v): v is string | number => v !== null).map(String))];
  if (wanted.length === 0) return {};
  if (source.kind === 'flag') {
    return Object.fromEntries(wanted.filter((v) => FLAG_NAMES[v.toUpperCase()]).map((v) => [v, FLAG_NAMES[v.toUpperCase()]!]));
  }
  const list = JSON.stringify(wanted.filter((v) => /^-?\d+$/.test(v)).map(Number));
  const personName = `trim(coalesce(first_name, '') || ' ' || coalesce(surname, ''))`;
  const sql =
    source.kind === 'dictionary'
      ? `SELECT id, name FROM dictionaries WHERE table_ref = ? AND id IN (SELECT value FROM json_each(?))`
      : source.kind === 'workers-by-user'
        ? // Several /workers records may share a login: the lowest id speaks for it.
          `SELECT user AS id, ${personName} AS name FROM workers w WHERE user IN (SELECT value FROM json_each(?))
           AND id = (SELECT min(id) FROM workers x WHERE x.user = w.user)`
        : source.kind === 'workers-by-id'
          ? `SELECT id, ${personName} AS name FROM workers WHERE id IN (SELECT value FROM json_each(?))`
          : `SELECT id, ${personName} AS name FROM clients WHERE id IN (SELECT value FROM json_each(?))`;
  const params = source.kind === 'dictionary' ? [source.table, list] : [list];
  const rows = replica.sqlite.prepare(sql).all(...params) as Array<{ id: number; name: string }>;
  return Object.fromEntries(rows.filter((r) => r.name !== '').map((r) => [String(r.id), r.name]));
}

/** `2018-10-01` → `01/10/2018`; a timestamp keeps its time. */
function ukDate(value: string): string {
  const day = value.slice(0, 10);
  if (!DATE_PATTERN.test(day)) return value;
  const uk = `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
  return value.length > 10 ? `${uk}${value.slice(10)}` : uk;
}

/** The report's filters as people read them: labels, dictionary names, `01/10/2018 to 31/10/2018`. */
export function filterLabels(replica: Handle, group: string, pairs: readonly FilterPair[]): ReportFilter[] {
  return pairs.map((pair) => {
    const label = fieldLabel(pair.key);
    if ('range' in pair) return { key: pair.key, label, values: [`${ukDate(pair.range[0])} to ${ukDate(pair.range[1])}`] };
    const source = nameSourceOf(group, pair.key);
    const names = source ? namesFor(replica, source, pair.values) : {};
    return { key: pair.key, label, values: pair.values.map((v) => names[v] ?? v) };
  });
}
