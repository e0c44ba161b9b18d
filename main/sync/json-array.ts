// Parses a collection reply (a JSON array of objects) in slices, yielding to the event loop between
// them, so a listing of a million ids never blocks the process for more than a few milliseconds.
// A body that is not a JSON array is a MalformedReply: the caller treats it as a damaged reply.

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { JsonArrayStream, MalformedReply } from './json-stream.js';

export { MalformedReply };

/** Below this many characters a reply is parsed in one go (JSON.parse of 4 MB takes ~20 ms). */
const WHOLE_PARSE_LIMIT = 4 << 20;
/** Characters per slice when parsing in pieces. */
const SLICE_CHARS = 1 << 19;

/** Calls `onItems` with consecutive runs of the array's elements, in order. */
export async function forEachArraySlice(text: string, onItems: (items: unknown[]) => void | Promise<void>): Promise<void> {
  if (text.length <= WHOLE_PARSE_LIMIT) {
    await onItems(parseWhole(text));
    return;
  }
  // A large reply goes through the streaming parser in pieces, yielding between runs of elements.
  const stream = new JsonArrayStream(SLICE_CHARS);
  for (let at = 0; at < text.length; at += SLICE_CHARS) {
    for (const run of stream.push(text.slice(at, at + SLICE_CHARS))) {
      await onItems(run);
      await yieldToLoop();
    }
  }
  const last = stream.end();
  if (last.length > 0) await onItems(last);
}

function parseWhole(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MalformedReply(`the reply is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new MalformedReply(`the reply is not a JSON array (it starts ${JSON.stringify(text.slice(0, 40))})`);
  return parsed;
}
