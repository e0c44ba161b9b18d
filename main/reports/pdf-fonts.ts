// The PDF exports' fonts: DejaVu Sans (npm `dejavu-fonts-ttf`), embedded and subset by pdfkit to the
// glyphs a document uses, so Welsh ŵ ŷ, Polish Ł and every other Latin Extended name print as
// written. The faces are registered under the standard-font names the layout code already uses
// ('Helvetica', 'Helvetica-Bold', 'Helvetica-Oblique'), so only font loading changes here; text is
// kept as written unless the font truly lacks a glyph (then "?", and the export says so).
// Speed: each face is parsed once per process, and since fontkit's full OpenType shaping costs
// ~0.4 ms a word with DejaVu's large tables (a 500-row table took 5 s instead of 0.3 s), text that
// needs no shaping (no combining marks, no complex script) is laid out from the glyphs' advance
// widths alone; anything else is still shaped.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type PDFDocument from 'pdfkit';
import type { PdfText } from './export-pdf-text.js';

type Doc = InstanceType<typeof PDFDocument>;

/** The standard-font name the layout uses → the DejaVu face that replaces it. */
const FACES = {
  Helvetica: 'DejaVuSans.ttf',
  'Helvetica-Bold': 'DejaVuSans-Bold.ttf',
  'Helvetica-Oblique': 'DejaVuSans-Oblique.ttf',
} as const;

let fontDir: string | undefined;
/** Each face parsed once per process (fontkit's font object, which pdfkit accepts in place of bytes). */
const parsedFaces = new Map<string, object>();

/** Where the package's .ttf files are (inside app.asar in the packaged app: Electron's fs reads there). */
export function reportFontDir(): string {
  if (fontDir) return fontDir;
  const packageJson = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json');
  const dir = path.join(path.dirname(packageJson), 'ttf');
  if (!fs.existsSync(path.join(dir, FACES.Helvetica))) throw new Error(`the PDF font is missing from ${dir}: reinstall dependencies (npm ci)`);
  return (fontDir = dir);
}

/**
 * PDFDocument's `font` option for a report: no font at construction. pdfkit caches fonts by name, so
 * a built-in 'Helvetica' loaded first would shadow ours, and a face given by path would be re-parsed
 * at every later doc.font('Helvetica') (its cache key is the path). useReportFonts then opens each
 * face once, under its registered name.
 */
export const NO_DEFAULT_FONT = null as unknown as string;

/** Registers the embedded faces on `doc` and makes the body face current. */
export function useReportFonts(doc: Doc): void {
  for (const [name, file] of Object.entries(FACES)) {
    // pdfkit's types name only paths and bytes; its font factory also takes a parsed fontkit font.
    doc.registerFont(name, (parsedFaces.get(file) ?? fs.readFileSync(path.join(reportFontDir(), file))) as Buffer);
    doc.font(name);
    const embedded = (doc as unknown as { _font?: { font?: { layout?: unknown } } })._font;
    if (!parsedFaces.has(file) && typeof embedded?.font?.layout === 'function') parsedFaces.set(file, embedded.font);
    withPlainLayout(embedded);
  }
  doc.font('Helvetica');
}

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}
interface EmbeddedFontInternals {
  scale: number;
  font: { glyphsForString?(text: string): FontkitGlyph[] };
  layoutRun?(text: string, features?: unknown): unknown;
}

/** Letters, digits, punctuation and symbols of scripts laid out one glyph per character, left to right
 * (no combining marks, no controls, no bidi or joiner characters). */
const PLAIN_TEXT = /^[\u0020-\u007e\u00a0-\u02af\u0370-\u03ff\u0400-\u0482\u048a-\u04ff\u1e00-\u1eff\u2010-\u2027\u2030-\u205e\u20a0-\u20cf\u2100-\u214f]*$/u;

/**
 * pdfkit lays out each word with fontkit's shaper; for plain text the result is the glyphs in order
 * with their advance widths (kerning aside), which is what this gives at a fraction of the cost.
 * Relies on pdfkit's EmbeddedFont internals (layoutRun, scale, font): if they are not there, the
 * font is left as it is (slower, never wrong).
 */
function withPlainLayout(candidate: unknown): void {
  const font = candidate as EmbeddedFontInternals | undefined;
  if (!font || typeof font.layoutRun !== 'function' || typeof font.font?.glyphsForString !== 'function' || typeof font.scale !== 'number') return;
  const shaped = font.layoutRun.bind(font);
  const glyphsFor = font.font.glyphsForString.bind(font.font);
  font.layoutRun = (text: string, features?: unknown) => {
    if (features || !PLAIN_TEXT.test(text)) return shaped(text, features);
    const glyphs = glyphsFor(text);
    let advanceWidth = 0;
    const positions = glyphs.map((glyph) => {
      const width = glyph.advanceWidth * font.scale;
      advanceWidth += width;
      return { xAdvance: width, yAdvance: 0, xOffset: 0, yOffset: 0, advanceWidth: width };
    });
    return { glyphs, positions, advanceWidth };
  };
}

interface GlyphFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

/**
 * A text cleaner for `doc`'s embedded body face: control characters and line breaks become spaces
 * (each call draws one line), a character the font has no glyph for becomes "?" and marks the
 * text lossy. Call after useReportFonts.
 */
export function embeddedFontText(doc: Doc): (input: string) => PdfText {
  doc.font('Helvetica');
  // pdfkit keeps the fontkit font of an embedded face as `.font`; its cmap answers coverage.
  const font = (doc as unknown as { _font?: { font?: Partial<GlyphFont> } })._font?.font;
  const covers = (codePoint: number) => (typeof font?.hasGlyphForCodePoint === 'function' ? font.hasGlyphForCodePoint(codePoint) : codePoint < 0x80);
  const seen = new Map<number, boolean>();
  return (input: string) => {
    let lossy = false;
    let out = '';
    for (const char of input.normalize('NFC').replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ')) {
      const code = char.codePointAt(0)!;
      let ok = seen.get(code);
      if (ok === undefined) seen.set(code, (ok = covers(code)));
      if (ok) out += char;
      else {
        lossy = true;
        out += /\p{M}/u.test(char) ? '' : '?';
      }
    }
    return { text: out, lossy };
  };
}
