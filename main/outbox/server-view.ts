// How the outbox looks at the server before it writes (conflict check) and after a reply was lost
// (reconciliation): reads of single records and narrow searches, printed through the URL grammar,
// and one notion of "the same value" — the server may send numbers for what we sent as text, and
// may tidy case and spacing, so values are compared as the API's text, loosely for free text.

import { isRangeKey } from '../../shared/dizions/model.js';
import type { FilterPair, RecordsPath } from '../../shared/url-grammar.js';
import type { DizionsClient } from '../api/client.js';
import { formText } from './apply.js';

export type ServerRecord = Record<string, unknown>;

/** The API group and extension database of a family. */
export function groupOfFamily(family: string, state: 'due' | 'done' = 'due'): { group: string; extensionDatabase?: string } {
  if (family === 'contacts') return { group: state === 'done' ? 'done_contacts' : 'due_contacts' };
  if (family.startsWith('extension_database/')) return { group: 'extension_database', extensionDatabase: family.slice('extension_database/'.length) };
  return { group: family };
}

function recordsPath(group: string, extensionDatabase: string | undefined, pairs: FilterPair[], fields?: string[]): RecordsPath {
  const path: RecordsPath = { kind: 'records', group, pairs };
  if (extensionDatabase) path.extensionDatabase = extensionDatabase;
  if (fields && fields.length > 0) path.fields = [...new Set(fields)];
  return path;
}

async function getRows(client: DizionsClient, path: RecordsPath, timeoutMs?: number): Promise<ServerRecord[]> {
  const reply = await client.request('GET', path, undefined, timeoutMs === undefined ? {} : { timeoutMs });
  if (!Array.isArray(reply.json)) throw new Error(`GET ${path.group} did not return a list`);
  return reply.json.filter((r): r is ServerRecord => !!r && typeof r === 'object');
}

/** One record by id with the given fields (plus id and updated), or undefined when the server has none. */
export async function fetchRecord(
  client: DizionsClient,
  family: string,
  id: number,
  fields: readonly string[],
  options: { state?: 'due' | 'done'; timeoutMs?: number } = {},
): Promise<ServerRecord | undefined> {
  const { group, extensionDatabase } = groupOfFamily(family, options.state);
  const path = recordsPath(group, extensionDatabase, [{ key: 'id', values: [String(id)] }], ['id', 'updated', ...fields]);
  const rows = await getRows(client, path, options.timeoutMs);
  return rows.find((r) => Number(r.id) === id);
}

/** Records of a group matching exact filter values (each key: one value), with the given fields. */
export async function searchRecords(
  client: DizionsClient,
  group: string,
  extensionDatabase: string | undefined,
  filters: Record<string, string | [string, string]>,
  fields: readonly string[],
  timeoutMs?: number,
): Promise<ServerRecord[]> {
  const pairs: FilterPair[] = Object.entries(filters).map(([key, value]) =>
    Array.isArray(value) || isRangeKey(key) ? { key, range: Array.isArray(value) ? value : [value, value] } : { key, values: [value] },
  );
  return getRows(client, recordsPath(group, extensionDatabase, pairs.slice(0, 10), ['id', 'updated', ...fields]), timeoutMs);
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** The same value as the API would store it: numbers by value, Y/N and text case- and space-insensitively. */
export function sameValue(a: unknown, b: unknown): boolean {
  const x = formText(a);
  const y = formText(b);
  if (x === null || y === null) return x === y;
  if (NUMBER.test(x) && NUMBER.test(y)) return Number(x) === Number(y);
  return normaliseText(x) === normaliseText(y);
}

function normaliseText(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
