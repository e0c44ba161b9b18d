// The Dizions path language, parsed and printed in one place. The API client prints it, the
// simulator parses it, and the local replica answers it. A path here is relative to the `/v2`
// base and never starts with `/`; the query string carries only `resolveIds[]=`.
// Invariant: print(parse(p)) is canonical, and parse(print(ast)) deep-equals ast.

import { MAX_FILTER_PAIRS, isRangeKey } from './dizions/model.js';

export class GrammarError extends Error {
  override name = 'GrammarError';
}

/** A filter pair: `key/a;b;c` (any alternative matches) or a range `key/from,to`. */
export type FilterPair = { key: string; values: string[] } | { key: string; range: [string, string] };

export interface RecordsPath {
  kind: 'records';
  /** `clients`, `referrals`, …, or `extension_database` (then `extensionDatabase` is set). */
  group: string;
  extensionDatabase?: string; // e.g. `staff_disciplinary_13`
  pairs: FilterPair[];
  fields?: string[];
  report?: { dimension: string; metric?: string };
  /** `<group>/id/X/uploads` — the upload target of a client or referral. */
  uploads?: boolean;
  /** The single-record form of the current manual, `clients/37`, read and printed for pairs[0] (`id`). */
  bareId?: boolean;
  resolveIds?: string[];
}

export type DizionsPath =
  | RecordsPath
  | { kind: 'selectable_fields'; group: string; extensionDatabase?: string }
  /** Discovery of the current manual: `<group>/filterable_fields`, `<group>/metrics`. */
  | { kind: 'filterable_fields' | 'metrics'; group: string; extensionDatabase?: string }
  /** The current manual's relationship write, `relationship_details/A/B` (ids; negative = temp ids in typed paths). */
  | { kind: 'relationship_details'; first: string; second: string }
  | { kind: 'dictionary_all' }
  | { kind: 'dictionary'; apiGroup: string; table: string }
  /** A dictionary of the current manual named by one word: `dictionary/branch`, `dictionary/client_type`. */
  | { kind: 'dictionary_named'; name: string }
  | { kind: 'relationships'; carer: boolean }
  | { kind: 'dictionary_search'; apiGroup: string; table: string; term: string }
  | { kind: 'external_referral' };

const NAME = /^[a-z][a-z0-9_]*$/;
// Everything encodeURIComponent leaves alone except `.`, which we keep (`..` is refused outright).
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkName(what: string, name: string): string {
  if (!NAME.test(name)) throw new GrammarError(`${what} "${printable(name)}" is not a valid name (lowercase letters, digits and _)`);
  return name;
}

function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1).slice(0, 60);
}

/** Encodes one value (one alternative) so that it stays inside its path segment. */
export function encodeValue(value: string, what = 'value'): string {
  if (value === '') throw new GrammarError(`${what} is empty`);
  if (CONTROL.test(value)) throw new GrammarError(`${what} "${printable(value)}" contains a control character`);
  if (value.includes('..')) throw new GrammarError(`${what} "${printable(value)}" contains ".." and could escape its path segment`);
  // encodeURIComponent escapes `/`, `;`, `,`, `?`, `#`, `%`, spaces and every non-ASCII character.
  return encodeURIComponent(value);
}

function decodeValue(raw: string, what: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new GrammarError(`${what} "${printable(raw)}" is not valid percent-encoding`);
  }
  if (value === '') throw new GrammarError(`${what} is empty`);
  if (CONTROL.test(value)) throw new GrammarError(`${what} contains a control character`);
  if (value.includes('..')) throw new GrammarError(`${what} contains ".."`);
  return value;
}

function countPairs(pairs: FilterPair[]): void {
  if (pairs.length > MAX_FILTER_PAIRS) {
    throw new GrammarError(`at most ${MAX_FILTER_PAIRS} filter pairs are allowed; this path has ${pairs.length}`);
  }
}

// ---- printing -----------------------------------------------------------------------------------

function printPair(pair: FilterPair): string {
  const key = checkName('filter key', pair.key);
  if ('range' in pair) {
    if (!isRangeKey(key)) throw new GrammarError(`"${key}" is not a date-range filter`);
    const [from, to] = pair.range;
    return `${key}/${encodeValue(from, `${key} start`)},${encodeValue(to, `${key} end`)}`;
  }
  if (pair.values.length === 0) throw new GrammarError(`filter "${key}" has no value`);
  return `${key}/${pair.values.map((v) => encodeValue(String(v), `value of ${key}`)).join(';')}`;
}

/** Prints a path (relative to `/v2`, no leading slash), with the `resolveIds[]` query when present. */
export function printPath(path: DizionsPath): string {
  switch (path.kind) {
    case 'external_referral':
      return 'external_referral';
    case 'dictionary_all':
      return 'dictionary';
    case 'relationships':
      return path.carer ? 'dictionary/carer_relationships' : 'dictionary/relationships';
    case 'dictionary':
      return `dictionary/${checkName('dictionary group', path.apiGroup)}/${checkName('dictionary table', path.table)}`;
    case 'dictionary_named':
      return `dictionary/${checkName('dictionary', path.name)}`;
    case 'dictionary_search':
      return `dictionary/search/${checkName('dictionary group', path.apiGroup)}/${checkName('dictionary table', path.table)}/${encodeValue(path.term, 'search term')}`;
    case 'selectable_fields':
    case 'filterable_fields':
    case 'metrics':
      return `${printGroup(path.group, path.extensionDatabase)}/${path.kind}`;
    case 'relationship_details':
      return `relationship_details/${checkIdText('first client', path.first)}/${checkIdText('second client', path.second)}`;
    case 'records': {
      countPairs(path.pairs);
      const segments = [printGroup(path.group, path.extensionDatabase)];
      // A bare id (`clients/37`) stands straight after the group, before any report, as typed.
      if (path.bareId) {
        const pair = path.pairs[0];
        if (!pair || pair.key !== 'id' || !('values' in pair) || pair.values.length !== 1) throw new GrammarError('a bare record id is one id: <group>/<id>');
        segments.push(checkIdText('record id', pair.values[0]!));
      }
      if (path.report) {
        segments.push(`dimension/${checkName('dimension', path.report.dimension)}`);
        if (path.report.metric !== undefined) segments.push(`metric/${checkName('metric', path.report.metric)}`);
      }
      path.pairs.forEach((pair, i) => {
        if (!(i === 0 && path.bareId)) segments.push(printPair(pair));
      });
      if (path.fields) {
        if (path.fields.length === 0) throw new GrammarError('field/ needs at least one field name');
        segments.push(`field/${path.fields.map((f) => checkName('field', f)).join(';')}`);
      }
      if (path.uploads) {
        const only = path.pairs.length === 1 && path.pairs[0]!.key === 'id' && 'values' in path.pairs[0]! && path.pairs[0]!.values.length === 1 && !path.bareId;
        if (!only || path.report || path.fields) throw new GrammarError('uploads take exactly one record: <group>/id/<id>/uploads');
        segments.push('uploads');
      }
      let printed = segments.join('/');
      if (path.resolveIds && path.resolveIds.length > 0) {
        printed += '?' + path.resolveIds.map((r) => `resolveIds[]=${encodeURIComponent(r === 'ALL' ? r : checkName('resolveIds', r))}`).join('&');
      }
      return printed;
    }
  }
}

function printGroup(group: string, extensionDatabase?: string): string {
  if (group === 'extension_database') {
    if (!extensionDatabase) throw new GrammarError('extension_database needs a <name>_<id>');
    return `extension_database/${checkExtensionName(extensionDatabase)}`;
  }
  if (extensionDatabase) throw new GrammarError('only extension_database takes a database name');
  return checkName('group', group);
}

/** `<name>_<id>` (the seed) or the API name an admin generates (`wellcheck_notes`, current manual): both are names. */
/** An extension database's API name, with or without the seed's `_<id>` (`wellcheck_notes`, `wellcheck_notes_9`). */
export function isExtensionDatabaseName(name: string): boolean {
  return NAME.test(name);
}

function checkExtensionName(name: string): string {
  if (!NAME.test(name)) throw new GrammarError(`extension database "${printable(name)}" must be a name such as wellcheck_notes or wellcheck_notes_9`);
  return name;
}

const ID_TEXT = /^-?[1-9]\d{0,15}$/;

/** A record id written as a path segment: a whole number (negative for a temp id in a typed path). */
function checkIdText(what: string, text: string): string {
  if (!ID_TEXT.test(text)) throw new GrammarError(`${what} "${printable(text)}" is not a record id`);
  return text;
}

// ---- parsing ------------------------------------------------------------------------------------

export interface ParseOptions {
  /** Refuse more than this many filter pairs (default: the API's 10). */
  maxPairs?: number;
}

/** Parses a path relative to `/v2` (a leading `/`, `/v2/` or full URL is tolerated). */
export function parsePath(input: string, options: ParseOptions = {}): DizionsPath {
  let text = input.trim();
  const full = /^https?:\/\/[^/]+(\/.*)?$/i.exec(text);
  if (full) text = full[1] ?? '/';
  let query = '';
  const q = text.indexOf('?');
  if (q >= 0) {
    query = text.slice(q + 1);
    text = text.slice(0, q);
  }
  text = text
    .replace(/^\/+/, '')
    .replace(/^v2(\/|$)/, '')
    .replace(/\/+$/, '');
  if (text === '') throw new GrammarError('the path names no group');
  const segments = text.split('/');
  if (segments.some((s) => s === '')) throw new GrammarError('the path has an empty segment ("//")');
  const resolveIds = parseQuery(query);

  const head = segments[0]!;
  if (head === 'external_referral') {
    if (segments.length !== 1) throw new GrammarError('external_referral takes no further segments');
    return { kind: 'external_referral' };
  }
  if (head === 'dictionary') return parseDictionary(segments.slice(1));
  if (head === 'relationship_details') {
    if (segments.length !== 3) throw new GrammarError('a relationship is relationship_details/<client id>/<client id>');
    return { kind: 'relationship_details', first: checkIdText('first client', segments[1]!), second: checkIdText('second client', segments[2]!) };
  }

  const group = checkName('group', head);
  let extensionDatabase: string | undefined;
  let rest = segments.slice(1);
  if (group === 'extension_database') {
    if (rest.length === 0) throw new GrammarError('extension_database needs a name, e.g. extension_database/wellcheck_notes or extension_database/wellcheck_notes_9');
    extensionDatabase = checkExtensionName(rest[0]!);
    rest = rest.slice(1);
  }
  if (rest.length === 1 && (rest[0] === 'selectable_fields' || rest[0] === 'filterable_fields' || rest[0] === 'metrics')) {
    const kind = rest[0];
    return extensionDatabase ? { kind, group, extensionDatabase } : { kind, group };
  }

  const path: RecordsPath = { kind: 'records', group, pairs: [] };
  if (extensionDatabase) path.extensionDatabase = extensionDatabase;
  if (rest.length > 0 && ID_TEXT.test(rest[0]!)) {
    // `clients/37` (current manual) is `clients/id/37`; what follows reads as usual.
    path.bareId = true;
    path.pairs.push({ key: 'id', values: [rest[0]!] });
    rest = rest.slice(1);
  } else if (rest[0] === 'id' && rest[2] === 'dimension' && rest[1] !== undefined && ID_TEXT.test(rest[1])) {
    // `clients/id/37/dimension/…`: one record's report typed the way its single-record path reads;
    // printed in the seed's order (`clients/dimension/…/id/37`).
    path.pairs.push({ key: 'id', values: [rest[1]] });
    rest = rest.slice(2);
  }
  if (rest[0] === 'dimension') {
    if (rest.length < 2) throw new GrammarError('dimension/ needs a dimension name');
    path.report = { dimension: checkName('dimension', rest[1]!) };
    rest = rest.slice(2);
    if (rest[0] === 'metric') {
      if (rest.length < 2) throw new GrammarError('metric/ needs a metric name');
      path.report.metric = checkName('metric', rest[1]!);
      rest = rest.slice(2);
    }
  }
  if (rest.length % 2 === 1) {
    if (rest[rest.length - 1] === 'uploads') {
      path.uploads = true;
      rest = rest.slice(0, -1);
    } else {
      throw new GrammarError(`"${printable(rest[rest.length - 1]!)}" has no value: filters come in key/value pairs`);
    }
  }
  const maxPairs = options.maxPairs ?? MAX_FILTER_PAIRS;
  for (let i = 0; i < rest.length; i += 2) {
    const key = checkName('filter key', rest[i]!);
    const raw = rest[i + 1]!;
    if (key === 'field') {
      if (path.fields) throw new GrammarError('field/ appears twice');
      path.fields = raw.split(';').map((f) => checkName('field', decodeValue(f, 'field name')));
      continue;
    }
    if (key === 'dimension' || key === 'metric') throw new GrammarError(`${key}/ must come straight after the group`);
    if (isRangeKey(key)) {
      const bounds = raw.split(',');
      if (bounds.length !== 2) throw new GrammarError(`${key} takes a range "from,to", e.g. ${key}/2018-10-01,2018-10-31`);
      path.pairs.push({ key, range: [decodeValue(bounds[0]!, `${key} start`), decodeValue(bounds[1]!, `${key} end`)] });
    } else {
      path.pairs.push({ key, values: raw.split(';').map((v) => decodeValue(v, `value of ${key}`)) });
    }
    if (path.pairs.length > maxPairs) {
      throw new GrammarError(`at most ${maxPairs} filter pairs are allowed; this path has ${countRawPairs(rest)}`);
    }
  }
  if (path.uploads) {
    const pair = path.pairs[0];
    if (path.pairs.length !== 1 || !pair || pair.key !== 'id' || !('values' in pair) || pair.values.length !== 1 || path.report || path.fields || path.bareId) {
      throw new GrammarError('uploads take exactly one record: <group>/id/<id>/uploads');
    }
  }
  if (resolveIds.length > 0) path.resolveIds = resolveIds;
  return path;
}

function countRawPairs(rest: string[]): number {
  let n = 0;
  for (let i = 0; i < rest.length; i += 2) if (rest[i] !== 'field') n++;
  return n;
}

function parseDictionary(rest: string[]): DizionsPath {
  if (rest.length === 0) return { kind: 'dictionary_all' };
  if (rest.length === 1 && rest[0] === 'relationships') return { kind: 'relationships', carer: false };
  if (rest.length === 1 && rest[0] === 'carer_relationships') return { kind: 'relationships', carer: true };
  if (rest.length === 1 && rest[0] !== 'search') return { kind: 'dictionary_named', name: checkName('dictionary', rest[0]!) };
  if (rest[0] === 'search') {
    if (rest.length !== 4) throw new GrammarError('dictionary search is dictionary/search/<group>/<table>/<term>');
    return {
      kind: 'dictionary_search',
      apiGroup: checkName('dictionary group', rest[1]!),
      table: checkName('dictionary table', rest[2]!),
      term: decodeValue(rest[3]!, 'search term'),
    };
  }
  if (rest.length === 2) {
    return { kind: 'dictionary', apiGroup: checkName('dictionary group', rest[0]!), table: checkName('dictionary table', rest[1]!) };
  }
  throw new GrammarError('a dictionary path is dictionary, dictionary/<group>/<table>, dictionary/relationships, dictionary/carer_relationships or dictionary/search/<group>/<table>/<term>');
}

function parseQuery(query: string): string[] {
  if (!query) return [];
  const out: string[] = [];
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1));
    } catch {
      throw new GrammarError('the query string is not valid percent-encoding');
    }
    if (key !== 'resolveIds[]' && key !== 'resolveIds') throw new GrammarError(`unknown query parameter "${printable(key)}" (only resolveIds[] is supported)`);
    out.push(value === 'ALL' ? value : checkName('resolveIds', value));
  }
  return out;
}

// ---- convenience --------------------------------------------------------------------------------

/** Builds a records path from a group and a plain `{key: value | values}` filter object. */
export function recordsPath(group: string, filters: Record<string, string | number | Array<string | number>> = {}, extra: Partial<RecordsPath> = {}): RecordsPath {
  const pairs: FilterPair[] = Object.entries(filters).map(([key, value]) => {
    if (isRangeKey(key)) {
      const [from, to] = Array.isArray(value) ? value.map(String) : String(value).split(',');
      return { key, range: [from ?? '', to ?? ''] };
    }
    return { key, values: (Array.isArray(value) ? value : [value]).map(String) };
  });
  return { kind: 'records', group, pairs, ...extra };
}

/** The plain `values` of a filter key in a records path, if present (not ranges). */
export function pairValues(path: RecordsPath, key: string): string[] | undefined {
  const pair = path.pairs.find((p) => p.key === key);
  return pair && 'values' in pair ? pair.values : undefined;
}
