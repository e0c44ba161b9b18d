// Parses a collection reply (a JSON array of objects) in slices, yielding to the event loop between
// them, so a listing of a million ids never blocks the process for more than a few milliseconds.
// A body that is not a JSON array is a MalformedReply: the caller treats it as a damaged reply.

import { setImmediate as yieldToLoop } from 'node:timers/promises';

export class MalformedReply extends Error {
  override name = 'MalformedReply';
}

/** Below this many characters a reply is parsed in one go (JSON.parse of 4 MB takes ~20 ms). */
const WHOLE_PARSE_LIMIT = 4 << 20;
/** Characters per slice when parsing in pieces. */
const SLICE_CHARS = 1 << 19;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Calls `onItems` with consecutive runs of the array's elements, in order. */
export async function forEachArraySlice(text: string, onItems: (items: unknown[]) => void | Promise<void>): Promise<void> {
  if (text.length <= WHOLE_PARSE_LIMIT) {
    await onItems(parseWhole(text));
    return;
  }
  let start = text.indexOf('[');
  if (start < 0 || text.slice(0, start).trim() !== '') throw new MalformedReply(`the reply is not a JSON array (it starts ${JSON.stringify(text.slice(0, 40))})`);
  start++;
  let depth = 0;
  let inString = false;
  let sliceStart = start;
  let lastBoundary = -1; // index just after the last complete top-level element
  let closed = -1;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || (c === CLOSE_BRACKET && depth > 0)) {
      depth--;
      if (depth === 0) lastBoundary = i + 1;
    } else if (c === CLOSE_BRACKET) {
      closed = i;
      break;
    }
    if (depth === 0 && lastBoundary > 0 && i - sliceStart >= SLICE_CHARS) {
      await onItems(parseSlice(text, sliceStart, lastBoundary));
      sliceStart = skipComma(text, lastBoundary);
      lastBoundary = -1;
      await yieldToLoop();
    }
  }
  if (closed < 0 || text.slice(closed + 1).trim() !== '') throw new MalformedReply('the reply was cut off: its JSON array never closes');
  if (text.slice(sliceStart, closed).trim() !== '') await onItems(parseSlice(text, sliceStart, closed));
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

function parseSlice(text: string, from: number, to: number): unknown[] {
  try {
    return JSON.parse(`[${text.slice(from, to)}]`) as unknown[];
  } catch (error) {
    throw new MalformedReply(`the reply is not valid JSON (${(error as Error).message})`);
  }
}

function skipComma(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (text[i] === ',') i++;
  return i;
}
