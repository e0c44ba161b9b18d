// The PDF exports' fonts: DejaVu Sans (npm `dejavu-fonts-ttf`), embedded and subset by pdfkit to the
// glyphs a document uses, so Welsh ŵ ŷ, Polish Ł and every other Latin Extended name print as
// written. The faces are registered under the standard-font names the layout code already uses
// ('Helvetica', 'Helvetica-Bold', 'Helvetica-Oblique'), so only font loading changes here; text is
// kept as written unless the font truly lacks a glyph (then "?", and the export says so).

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

/** Where the package's .ttf files are (inside app.asar in the packaged app: Electron's fs reads there). */
export function reportFontDir(): string {
  if (fontDir) return fontDir;
  const packageJson = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json');
  const dir = path.join(path.dirname(packageJson), 'ttf');
  if (!fs.existsSync(path.join(dir, FACES.Helvetica))) throw new Error(`the PDF font is missing from ${dir}: reinstall dependencies (npm ci)`);
  return (fontDir = dir);
}

/**
 * The body face's file: give it as PDFDocument's `font` option, so the built-in Helvetica is never
 * loaded (pdfkit caches fonts by name, and a loaded standard 'Helvetica' would win over ours).
 */
export function reportBodyFont(): string {
  return path.join(reportFontDir(), FACES.Helvetica);
}

/** Every face the report PDFs embed, by file (for packaging checks). */
export function reportFontFiles(): string[] {
  return Object.values(FACES).map((file) => path.join(reportFontDir(), file));
}

/** Registers the embedded faces on `doc` and makes the body face current. */
export function useReportFonts(doc: Doc): void {
  const dir = reportFontDir();
  for (const [name, file] of Object.entries(FACES)) doc.registerFont(name, path.join(dir, file));
  doc.font('Helvetica');
}

interface GlyphFont { hasGlyphForCodePoint(codePoint: number): boolean }

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
