// Answers GET of a records path: a collection (streamed in id-ordered chunks, so a 100,000-client
// answer never sits in memory and the connection is never held by an open cursor between
// chunks), or a report (SQL GROUP BY). Both apply the same filters and the user's visibility.

import { isTimeDimension } from '../../shared/dizions/model.js';
import type { RecordsPath } from '../../shared/url-grammar.js';
import { badRequest } from './data-errors.js';
import { filterCondition, joinAnd, visibility, type SqlPart } from './query-filters.js';
import { READ_FEATURES, type Dialect } from '../../shared/dizions/dialects.js';
import { RELATIONSHIP_DETAILS, dictionaryOf, type GroupDef } from './query-groups.js';
import type { SimStore } from './store.js';
import type { SimUser, UpdatedFilterGroups } from './types.js';

const CHUNK = 2000;

/** Rows of a group the user may see that match the path's filters. */
export function matchCondition(def: GroupDef, path: RecordsPath, user: SimUser, dialect: Dialect = '2019', updatedFilter: UpdatedFilterGroups = 'referrals'): SqlPart {
  const extra = def.recordGroup ? (READ_FEATURES[dialect].extraFilters[def.recordGroup] ?? []) : [];
  return joinAnd([{ sql: def.base, params: [] }, visibility(def, user), filterCondition(def, path.pairs, extra, updatedFilter === 'all')]);
}

/** The fields whose ids `resolveIds[]` turns into names (ALL: every dictionary field). */
function resolvedFields(def: GroupDef, path: RecordsPath, fields: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const name of path.resolveIds ?? []) {
    if (name === 'ALL') {
      for (const field of fields) if (dictionaryOf(def, field) || field === RELATIONSHIP_DETAILS) out.add(field);
    } else if (dictionaryOf(def, name) || (name === RELATIONSHIP_DETAILS && def.label === 'clients')) {
      out.add(name);
    } else {
      throw badRequest(`resolveIds: "${name}" is not a dictionary field of ${def.label}`);
    }
  }
  return out;
}

/** A function replacing an id by its dictionary name (unknown ids stay as they are). */
function nameResolver(store: SimStore, table: string): (id: unknown) => unknown {
  const names = new Map((store.dictionaries().get(table) ?? []).map((item) => [item.id, item.name]));
  return (id) => (typeof id === 'number' ? (names.get(id) ?? id) : id);
}

export function listRecords(store: SimStore, def: GroupDef, path: RecordsPath, user: SimUser): Iterable<Record<string, unknown>> {
  const fields = [...new Set(path.fields ?? def.defaultFields)];
  for (const field of fields) {
    if (!def.selectable.includes(field)) throw badRequest(`unknown field "${field}" for ${def.label} (see ${def.label}/selectable_fields)`);
  }
  const resolve = resolvedFields(def, path, fields);
  const resolvers = new Map<string, (id: unknown) => unknown>();
  for (const field of resolve) {
    const table = dictionaryOf(def, field);
    if (table) resolvers.set(field, nameResolver(store, table));
  }
  const stored = fields.filter((f) => def.kinds.has(f));
  const where = matchCondition(def, path, user, store.dialect, store.updatedFilter);
  const columns = ['t.id AS "__key"', ...stored.map((f) => `t."${f}" AS "${f}"`)].join(', ');
  const statement = store.db.prepare(`SELECT ${columns} FROM ${def.table} t WHERE (${where.sql}) AND t.id > ? ORDER BY t.id LIMIT ${CHUNK}`);
  const details = fields.includes(RELATIONSHIP_DETAILS) ? relationshipReader(store, resolve.has(RELATIONSHIP_DETAILS)) : undefined;

  function shape(row: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (field === RELATIONSHIP_DETAILS) out[field] = details!(row.__key as number);
      else out[field] = resolvers.get(field)?.(row[field]) ?? row[field];
    }
    return out;
  }

  return {
    *[Symbol.iterator]() {
      let after = -1;
      for (;;) {
        const batch = statement.all(...where.params, after) as Array<Record<string, unknown>>;
        for (const row of batch) yield shape(row);
        if (batch.length < CHUNK) return;
        after = batch[batch.length - 1]!.__key as number;
      }
    },
  };
}

/** Reads a client's relationships from either side, always phrased from that client's point of view. */
function relationshipReader(store: SimStore, byName: boolean): (client: number) => Array<Record<string, unknown>> {
  const statement = store.db.prepare(`
    SELECT second AS id_second, relationship_first_to_second, relationship_second_to_first,
           relationship_first_to_second_carer, relationship_second_to_first_carer
      FROM relationships WHERE first = ?
    UNION ALL
    SELECT first, relationship_second_to_first, relationship_first_to_second,
           relationship_second_to_first_carer, relationship_first_to_second_carer
      FROM relationships WHERE second = ?
    ORDER BY id_second`);
  const relation = nameResolver(store, 'relationships');
  const carer = nameResolver(store, 'carer_relationships');
  return (client) => {
    const rows = statement.all(client, client) as Array<Record<string, unknown>>;
    if (!byName) return rows;
    return rows.map((row) => ({
      id_second: row.id_second,
      relationship_first_to_second: relation(row.relationship_first_to_second),
      relationship_second_to_first: relation(row.relationship_second_to_first),
      relationship_first_to_second_carer: carer(row.relationship_first_to_second_carer),
      relationship_second_to_first_carer: carer(row.relationship_second_to_first_carer),
    }));
  };
}

// ---- reports --------------------------------------------------------------------------------------

function axisExpression(def: GroupDef, name: string, role: 'dimension' | 'metric'): string {
  if (isTimeDimension(name)) {
    if (!def.dateColumn) throw badRequest(`${def.label} have no date to report by ${name}: use a field such as district as the ${role}`);
    const column = `t."${def.dateColumn}"`;
    switch (name) {
      case 'day':
        return `substr(${column}, 1, 10)`;
      case 'week':
        return `strftime('%G-W%V', substr(${column}, 1, 10))`;
      case 'month':
        return `substr(${column}, 1, 7)`;
      case 'year':
        return `substr(${column}, 1, 4)`;
    }
  }
  if (!def.kinds.has(name) || name === 'id') throw badRequest(`unknown ${role} "${name}" for ${def.label}`);
  return `t."${name}"`;
}

/** `[{<dimension>: value, [<metric>: value,] count}]`; records without a value count under null. */
export function reportRecords(store: SimStore, def: GroupDef, path: RecordsPath, user: SimUser): Array<Record<string, unknown>> {
  const { dimension, metric } = path.report!;
  if (path.fields) throw badRequest('field/ cannot be combined with dimension/: a report returns its dimension, metric and count');
  if (metric === dimension) throw badRequest(`metric "${metric}" must differ from the dimension`);
  const axes = [dimension, ...(metric === undefined ? [] : [metric])];
  const expressions = axes.map((name, i) => axisExpression(def, name, i === 0 ? 'dimension' : 'metric'));
  const resolve = resolvedFields(def, path, axes);
  const where = matchCondition(def, path, user, store.dialect, store.updatedFilter);
  const select = expressions.map((e, i) => `${e} AS a${i}`).join(', ');
  const groupBy = expressions.map((_, i) => String(i + 1)).join(', ');
  const rows = store.db.prepare(`SELECT ${select}, COUNT(*) AS count FROM ${def.table} t WHERE ${where.sql} GROUP BY ${groupBy} ORDER BY ${groupBy}`).all(...where.params) as Array<
    Record<string, unknown>
  >;
  const resolvers = axes.map((name) => {
    const table = resolve.has(name) ? dictionaryOf(def, name) : undefined;
    return table ? nameResolver(store, table) : (v: unknown) => v;
  });
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    axes.forEach((name, i) => {
      out[name] = resolvers[i]!(row[`a${i}`] ?? null);
    });
    out.count = row.count;
    return out;
  });
}
