// Splits a list of ids into paths `<base>/<key>/1;2;3…` whose printed length stays under a URL
// budget (servers and proxies commonly refuse request lines over 8 KB), and whose size stays small
// enough to ingest in one short transaction. The grammar prints every path: no hand-built URLs.

import { printPath, type RecordsPath } from '../../shared/url-grammar.js';

/** Printed path length we allow (the request line adds the base URL and `GET … HTTP/1.1`). */
export const MAX_PATH_CHARS = 7000;
/** Records per batch: one transaction each, short enough never to block the event loop for long. */
export const MAX_IDS_PER_BATCH = 1000;

export interface IdBatch {
  path: RecordsPath;
  ids: number[];
}

export interface BatchLimits {
  maxPathChars?: number;
  maxIds?: number;
}

/** Yields paths covering `ids` in order, each `base` plus one `key/…` pair of at most the limits. */
export function* idBatches(base: RecordsPath, key: string, ids: ArrayLike<number>, limits: BatchLimits = {}): Generator<IdBatch> {
  const maxChars = limits.maxPathChars ?? MAX_PATH_CHARS;
  const maxIds = limits.maxIds ?? MAX_IDS_PER_BATCH;
  const fixed = printPath(withPair(base, key, ['0'])).length - 1;
  if (fixed >= maxChars) throw new Error(`the path ${printPath(base)} leaves no room for ids within ${maxChars} characters`);
  let chunk: string[] = [];
  let chunkIds: number[] = [];
  let length = fixed;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const text = String(id);
    const extra = text.length + (chunk.length > 0 ? 1 : 0);
    if (chunk.length > 0 && (length + extra > maxChars || chunk.length >= maxIds)) {
      yield { path: withPair(base, key, chunk), ids: chunkIds };
      chunk = [];
      chunkIds = [];
      length = fixed;
    }
    length += text.length + (chunk.length > 0 ? 1 : 0);
    chunk.push(text);
    chunkIds.push(id);
  }
  if (chunk.length > 0) yield { path: withPair(base, key, chunk), ids: chunkIds };
}

function withPair(base: RecordsPath, key: string, values: string[]): RecordsPath {
  return { ...base, pairs: [...base.pairs, { key, values }] };
}

/** The paths alone, lazily (for listing requests that need no id bookkeeping). */
export function* idBatchPaths(base: RecordsPath, key: string, ids: ArrayLike<number>, limits: BatchLimits = {}): Generator<RecordsPath> {
  for (const batch of idBatches(base, key, ids, limits)) yield batch.path;
}
