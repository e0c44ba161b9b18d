// Characters that must not travel: what XML 1.0 forbids (every export passes through xmlSafeText,
// since XLSX and SVG are XML and PDF metadata and CSV readers choke on the same), and what an edit
// may not send to the server (control characters, unpaired bidi controls that reorder what people
// read: "\u202EeciL" shows as "Lice"). Pure: used by main's exporters and by the shared validation.

/** Anything outside XML 1.0's Char production (tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, astral), lone surrogates included. */
const XML_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Drops every character XML 1.0 forbids (none of them is something a person could read). */
export function xmlSafeText(text: string): string {
  return text.replace(XML_FORBIDDEN, '');
}

/** C0 controls except tab/LF/CR, DEL, C1 controls, U+FFFE/U+FFFF, and (via the u flag) lone surrogates. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDFFF]/u;

const EMBEDDINGS = new Set(['\u202A', '\u202B', '\u202D', '\u202E']); // LRE RLE LRO RLO, closed by PDF U+202C
const ISOLATES = new Set(['\u2066', '\u2067', '\u2068']); // LRI RLI FSI, closed by PDI U+2069

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why a text value may not be sent, in words, or undefined when it is fine. Bidi controls are
 * allowed only in matched, properly nested pairs (as right-to-left names legitimately use them).
 */
export function textCharacterProblem(text: string): string | undefined {
  const control = CONTROL.exec(text);
  if (control) return `contains a control character (${codePoint(control[0])}) that cannot be sent`;
  const open: string[] = [];
  for (const char of text) {
    if (EMBEDDINGS.has(char) || ISOLATES.has(char)) {
      open.push(char);
    } else if (char === '\u202C' || char === '\u2069') {
      const top = open.pop();
      const matches = top !== undefined && (char === '\u202C' ? EMBEDDINGS.has(top) : ISOLATES.has(top));
      if (!matches) return `contains a right-to-left/left-to-right control (${codePoint(char)}) that closes nothing`;
    }
  }
  if (open.length > 0) return `contains a right-to-left/left-to-right control (${codePoint(open[open.length - 1]!)}) that is never closed, which would show the text reordered`;
  return undefined;
}
