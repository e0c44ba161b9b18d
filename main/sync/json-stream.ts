// Parses a JSON array as its text arrives, chunk by chunk, handing back runs of whole elements, so
// a reply of a million records is ingested while it streams and never held whole (memory stays at
// one run plus one chunk). JSON.parse stays the one judge of validity.
// Finding where a run may end: each run starts just after a top-level comma, so a cut is tried at
// the last `},` of the text gathered; if `[` + text up to that `}` + `]` parses, the cut was at the
// top level (a cut inside a string leaves it unterminated, one inside a nested value leaves a
// bracket open: neither parses). Only when that fails (a nested list of objects, an odd string) is
// the text scanned character by character for the last top-level boundary.
// A body that is not a JSON array, or that ends before the array closes, is a MalformedReply.

/** A body that is not a JSON array, or one cut off: the caller treats it as a damaged reply. */
export class MalformedReply extends Error {
  override name = 'MalformedReply';
}

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
  /** Unparsed text, starting just after the `[` or after the comma that ended the last run. */
  private text = '';
  private started = false;

  constructor(private readonly runChars = RUN_CHARS) {}

  /** Feeds the next piece of the body; returns the runs of elements it completed (often none). */
  push(chunk: string): unknown[][] {
    if (!this.started) {
      const text = (this.text + chunk).trimStart();
      if (text === '') {
        this.text = '';
        return [];
      }
      if (text.charCodeAt(0) !== OPEN_BRACKET) throw new MalformedReply(`the reply is not a JSON array (it starts ${JSON.stringify(text.slice(0, 40))})`);
      this.started = true;
      this.text = text.slice(1);
    } else {
      this.text += chunk;
    }
    if (this.text.length < this.runChars) return [];
    const run = this.cut();
    return run ? [run] : [];
  }

  /** The body has ended: the last elements, or a MalformedReply when the array never closed or goes on after. */
  end(): unknown[] {
    if (!this.started) throw new MalformedReply('the reply is empty, not a JSON array');
    const text = this.text;
    this.text = '';
    if (!text.trimEnd().endsWith(']')) throw new MalformedReply('the reply was cut off: its JSON array never closes');
    let items: unknown;
    try {
      items = JSON.parse(`[${text}`);
    } catch (error) {
      throw new MalformedReply(`the reply is not valid JSON (${(error as Error).message})`);
    }
    return items as unknown[];
  }

  /** Parses and drops the whole elements at the start of the text, if a boundary is found. */
  private cut(): unknown[] | undefined {
    const text = this.text;
    const candidate = text.lastIndexOf('},');
    if (candidate > 0) {
      try {
        const items = JSON.parse(`[${text.slice(0, candidate + 1)}]`) as unknown[];
        this.text = text.slice(candidate + 2);
        return items;
      } catch {
        // not a top-level boundary: scan for one
      }
    }
    const boundary = lastTopLevelComma(text);
    if (boundary < 0) return undefined;
    let items: unknown[];
    try {
      items = JSON.parse(`[${text.slice(0, boundary)}]`) as unknown[];
    } catch (error) {
      throw new MalformedReply(`the reply is not valid JSON (${(error as Error).message})`);
    }
    this.text = text.slice(boundary + 1);
    return items;
  }
}

/** The index of the last comma between top-level elements, or -1 (the text starts at the top level). */
function lastTopLevelComma(text: string): number {
  let depth = 0;
  let inString = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth < 0) return last; // the array's own `]`
    } else if (c === COMMA && depth === 0) last = i;
  }
  return last;
}
