// What the simulator knows about each API group: its table, the fields it returns by default and
// on request, its filter keys and date ranges, its report date, and where its dictionaries live.
// Built from shared/dizions/model.ts, so a field added to the model is served without changes here.

import { CLIENT_FIELDS, GROUP_FIELDS, GROUP_FILTERS, GROUP_RANGES, dictionaryFor, isRecordGroup, type RecordGroup } from '../../shared/dizions/model.js';
import type { RecordsPath } from '../../shared/url-grammar.js';
import { ApiError, notFound } from './data-errors.js';
import { CLIENT_EXTENSION_FIELDS, EXTENSION_DATABASES, TABLES, type ColumnKind } from './data-schema.js';

export interface GroupDef {
  /** The group as it appears in a path: `clients`, `due_contacts`, `extension_database/wellcheck_notes_9`. */
  label: string;
  /** The group used for dictionary lookups (model.ts DICTIONARY_FIELDS keys). */
  dictionaryGroup: string;
  recordGroup?: RecordGroup;
  extensionDatabase?: string;
  table: string;
  /** Extra condition that picks this group's rows out of a shared table (due vs done contacts). */
  base: string;
  defaultFields: readonly string[];
  selectable: readonly string[];
  /** Stored columns and their kinds (everything selectable except computed fields). */
  kinds: ReadonlyMap<string, ColumnKind>;
  filterKeys: ReadonlySet<string>;
  ranges: ReadonlySet<string>;
  /** The date that time dimensions (day, week, month, year) and contact ranges read. */
  dateColumn?: string;
}

/** Computed on read: a client's relationships (assumptions table). */
export const RELATIONSHIP_DETAILS = 'relationship_details';

function recordGroupDef(group: RecordGroup): GroupDef {
  const spec = group === 'due_contacts' || group === 'done_contacts' ? TABLES.contacts! : TABLES[group]!;
  const kinds = new Map(spec.columns.map(([name, kind]) => [name, kind] as const));
  const isClients = group === 'clients';
  return {
    label: group,
    dictionaryGroup: group,
    recordGroup: group,
    table: spec.table,
    base: group === 'due_contacts' ? 't.done = 0' : group === 'done_contacts' ? 't.done = 1' : '1',
    defaultFields: GROUP_FIELDS[group],
    selectable: isClients ? [...CLIENT_FIELDS, ...CLIENT_EXTENSION_FIELDS, RELATIONSHIP_DETAILS] : GROUP_FIELDS[group],
    kinds,
    filterKeys: new Set([...GROUP_FILTERS[group], ...(isClients ? CLIENT_EXTENSION_FIELDS : [])]),
    ranges: new Set(GROUP_RANGES[group]),
    ...(group === 'referrals' ? { dateColumn: 'date' } : group === 'clients' || group === 'workers' ? {} : { dateColumn: 'start_date' }),
  };
}

function extensionDef(name: string): GroupDef {
  const spec = TABLES[name]!;
  const fields = spec.columns.map(([field]) => field);
  const dateColumn = fields.find((f) => /^date_\d+$/.test(f));
  return {
    label: `extension_database/${name}`,
    dictionaryGroup: name,
    extensionDatabase: name,
    table: spec.table,
    base: '1',
    defaultFields: fields,
    selectable: fields,
    kinds: new Map(spec.columns.map(([field, kind]) => [field, kind] as const)),
    filterKeys: new Set(fields.filter((f) => f !== 'updated')),
    ranges: new Set(),
    ...(dateColumn ? { dateColumn } : {}),
  };
}

const DEFS = new Map<string, GroupDef>();

/** The definition of a records group, or a 404 naming the unknown group or extension database. */
export function groupDef(group: string, extensionDatabase?: string): GroupDef {
  if (extensionDatabase !== undefined) extensionDatabase = extensionDatabaseName(extensionDatabase);
  const key = extensionDatabase ? `extension_database/${extensionDatabase}` : group;
  let def = DEFS.get(key);
  if (!def) {
    if (extensionDatabase) {
      if (!(extensionDatabase in EXTENSION_DATABASES)) {
        throw notFound(`unknown extension database "${extensionDatabase}" (this system has ${Object.keys(EXTENSION_DATABASES).join(', ')})`);
      }
      def = extensionDef(extensionDatabase);
    } else if (isRecordGroup(group)) {
      def = recordGroupDef(group);
    } else {
      throw notFound(`unknown group "${group}"`);
    }
    DEFS.set(key, def);
  }
  return def;
}

/**
 * The database an API name means: the seed's `<name>_<id>`, or the name an admin generated for API
 * access in the current manual (`wellcheck_notes`, no suffix). Both name the same database.
 */
export function extensionDatabaseName(name: string): string {
  if (name in EXTENSION_DATABASES) return name;
  const match = Object.keys(EXTENSION_DATABASES).find((key) => key.replace(/_\d+$/, '') === name);
  return match ?? name;
}

export function groupDefOf(path: Pick<RecordsPath, 'group' | 'extensionDatabase'>): GroupDef {
  if (path.group === 'extension_database' && !path.extensionDatabase) throw new ApiError(400, 'extension_database needs a <name>_<id>');
  return groupDef(path.group, path.extensionDatabase);
}

/** The dictionary (`<api_group>/<table>`) a field of a group refers to, if any. */
export function dictionaryOf(def: GroupDef, field: string): string | undefined {
  return dictionaryFor(def.dictionaryGroup, field);
}
