// Parses a JSON array as its text arrives, chunk by chunk, handing back runs of whole elements, so
// a reply of a million records is ingested while it streams and never held whole (memory stays at
// one run plus one chunk). The scanner only finds element boundaries (strings, escapes and nesting
// carried across chunks); each run is parsed by JSON.parse, which stays the one judge of validity.
// A body that is not a JSON array, or that ends before the array closes, is a MalformedReply.

import { MalformedReply } from './json-array.js';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

/** Characters of whole elements gathered before they are parsed as one run. */
const RUN_CHARS = 1 << 18;

export class JsonArrayStream {
  /** Unparsed text: from the start of the current run to the end of what has arrived. */
  private text = '';
  /** Where scanning resumes in `text`. */
  private at = 0;
  private started = false;
  private closed = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Just after the last whole top-level element in `text` (0: none yet). */
  private boundary = 0;

  constructor(private readonly runChars = RUN_CHARS) {}

  /** Feeds the next piece of the body; returns the runs of elements it completed (often none). */
  push(chunk: string): unknown[][] {
    if (this.closed) {
      if (chunk.trim() !== '') throw new MalformedReply('the reply goes on after its JSON array closed');
      return [];
    }
    this.text += chunk;
    const runs: unknown[][] = [];
    const text = this.text;
    let i = this.at;
    if (!this.started) {
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      if (i >= text.length) {
        this.text = '';
        this.at = 0;
        return runs;
      }
      if (text.charCodeAt(i) !== OPEN_BRACKET) throw new MalformedReply(`the reply is not a JSON array (it starts ${JSON.stringify(text.slice(i, i + 40))})`);
      this.started = true;
      this.text = text.slice(i + 1);
      return this.scanFrom(0, runs);
    }
    return this.scanFrom(i, runs);
  }

  /** The body has ended: the last run, or a MalformedReply when the array never closed. */
  end(): unknown[] {
    if (!this.closed) throw new MalformedReply(this.started ? 'the reply was cut off: its JSON array never closes' : 'the reply is empty, not a JSON array');
    return [];
  }

  private scanFrom(start: number, runs: unknown[][]): unknown[][] {
    const text = this.text;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let boundary = this.boundary;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || (c === CLOSE_BRACKET && depth > 0)) {
        depth--;
        if (depth === 0) boundary = i + 1;
      } else if (c === CLOSE_BRACKET) {
        // The array closes: whatever is before it is the last run.
        const last = text.slice(0, i);
        if (last.trim() !== '') runs.push(parseRun(last));
        if (text.slice(i + 1).trim() !== '') throw new MalformedReply('the reply goes on after its JSON array closed');
        this.closed = true;
        this.text = '';
        this.at = 0;
        return runs;
      } else if (c === COMMA && depth === 0 && boundary > 0 && boundary >= this.runChars) {
        // A run is long enough: parse it and start the next one after this comma.
        runs.push(parseRun(text.slice(0, boundary)));
        this.text = text.slice(i + 1);
        this.depth = depth;
        this.inString = inString;
        this.escaped = escaped;
        this.boundary = 0;
        return this.scanFrom(0, runs);
      }
    }
    this.at = i;
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.boundary = boundary;
    return runs;
  }
}

function parseRun(text: string): unknown[] {
  try {
    return JSON.parse(`[${text}]`) as unknown[];
  } catch (error) {
    throw new MalformedReply(`the reply is not valid JSON (${(error as Error).message})`);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
