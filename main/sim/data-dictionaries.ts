// The dictionary endpoints: every dictionary at once, one by `<api_group>/<table>`, the two
// relationship dictionaries, and a case-insensitive substring search. Entries are `{id, name}`
// plus their extras flattened in (stage: template and status; project: category, active, template).

import { DICTIONARY_TABLES, RELATIONSHIP_DICTIONARIES } from '../../shared/dizions/model.js';
import { notFound } from './data-errors.js';
import type { SimStore } from './store.js';
import type { DictionaryItem } from './data-vocabulary.js';

type Entry = Record<string, unknown> & { id: number; name: string };

function flatten(item: DictionaryItem): Entry {
  return { id: item.id, name: item.name, ...(item.extra ?? {}) };
}

function entries(store: SimStore, table: string): Entry[] {
  return (store.dictionaries().get(table) ?? []).map(flatten);
}

/** `dictionary`: an object keyed `<group>/<table>`, plus `relationships` and `carer_relationships`. */
export function allDictionaries(store: SimStore): Record<string, Entry[]> {
  const out: Record<string, Entry[]> = {};
  for (const table of [...DICTIONARY_TABLES, ...RELATIONSHIP_DICTIONARIES]) out[table] = entries(store, table);
  return out;
}

function knownTable(apiGroup: string, table: string): string {
  const ref = `${apiGroup}/${table}`;
  if (!DICTIONARY_TABLES.includes(ref)) throw notFound(`unknown dictionary "${ref}"`);
  return ref;
}

export function dictionaryTable(store: SimStore, apiGroup: string, table: string): Entry[] {
  return entries(store, knownTable(apiGroup, table));
}

export function relationshipDictionary(store: SimStore, carer: boolean): Entry[] {
  return entries(store, carer ? 'carer_relationships' : 'relationships');
}

export function searchDictionary(store: SimStore, apiGroup: string, table: string, term: string): Entry[] {
  const needle = term.toLocaleLowerCase('en-GB');
  return entries(store, knownTable(apiGroup, table)).filter((e) => e.name.toLocaleLowerCase('en-GB').includes(needle));
}
