// Exports with characters XML 1.0 forbids in a title, a dictionary name or a filter value
// (U+FFFE, U+FFFF, NUL and other C0 controls, a lone surrogate): the XLSX is well-formed XML in
// every part (read by a strict XML parser), the SVG chart too, the CSV carries none of them, the
// PDF's metadata title is clean — and the readable text around them survives.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import JSZip from 'jszip';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { reportChartSvg } from '../../main/reports/chart-svg.js';
import { exportReport } from '../../main/reports/export.js';
import type { ReportTable } from '../../shared/reports/report-table.js';
import { xmlSafeText } from '../../shared/text-characters.js';
import { clientsByDistrictAndGender } from '../support/report-export-fixtures.js';

const FORBIDDEN = ['\uFFFE', '\uFFFF', '\u0000', '\u0001', '\u0008', '\u000B', '\u001F', '\uD800', '\uDFFF'];
/** Forbidden characters as literals, or smuggled as character references. */
const FORBIDDEN_IN_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]|&#x0*(?:[0-8bcef]|1[0-9a-f]|d[89a-f][0-9a-f]{2}|fff[ef]);|&#0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|65534|65535);/i;

function hostileTable(): ReportTable {
  const table = clientsByDistrictAndGender();
  table.definition.title = `Clients\uFFFE by\uFFFF district\u0000 \uD800and gender`;
  table.definition.filters = [{ key: 'blue_badge_holder', label: 'Blue badge\u0007 holder', values: ['Yes\uFFFF'] }];
  table.names.district = { ...table.names.district, '1': 'Leeds\uFFFE', '2': `Harrogate\u0000\u0001, North\uDC00` };
  table.names.gender = { ...table.names.gender, '1': 'Female\uFFFF' };
  table.replicaFreshness.note = "Ann\u000B Smith's caseload";
  return table;
}

/** Parses one XML document strictly (XML 1.0 characters and entities); returns the errors. */
function xmlErrors(text: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser({ xmlns: false });
  parser.on('error', (error) => errors.push(error.message));
  parser.write(text).close();
  return errors;
}

describe('an export with characters XML forbids', () => {
  it('the control case: the strict parser and the pattern catch what an unsafe writer would emit', () => {
    expect(xmlErrors('<t>Leeds\uFFFE</t>')).not.toEqual([]);
    expect(xmlErrors('<t>Leeds&#xFFFE;</t>')).not.toEqual([]);
    expect(FORBIDDEN_IN_XML.test('<t>&#0;</t>')).toBe(true);
    expect(FORBIDDEN_IN_XML.test('<t>&#x9;&#10;Leeds</t>')).toBe(false);
  });

  it('XLSX: every XML part is well-formed and holds no forbidden character; the names still read', async () => {
    const bytes = (await exportReport(hostileTable(), 'xlsx')) as Buffer;
    const zip = await JSZip.loadAsync(bytes);
    const parts = Object.keys(zip.files).filter((name) => /\.(xml|rels)$/.test(name));
    expect(parts.length).toBeGreaterThan(5);
    let all = '';
    for (const name of parts) {
      const text = await zip.file(name)!.async('string');
      expect(xmlErrors(text), name).toEqual([]);
      expect(FORBIDDEN_IN_XML.exec(text)?.[0], name).toBeUndefined();
      all += text;
    }
    for (const readable of ['Leeds', 'Harrogate, North', 'Female', 'Clients by district and gender', 'Blue badge holder', 'Ann Smith']) {
      expect(all, readable).toContain(readable);
    }
  });

  it('CSV holds none of them, and the names still read', async () => {
    const csv = (await exportReport(hostileTable(), 'csv')) as string;
    for (const char of FORBIDDEN) expect(csv.includes(char), JSON.stringify(char)).toBe(false);
    expect(csv).toContain('Leeds');
    expect(csv).toContain('"Harrogate, North"');
  });

  it('the SVG chart is well-formed XML', () => {
    const svg = reportChartSvg(hostileTable());
    expect(xmlErrors(svg)).toEqual([]);
    expect(FORBIDDEN_IN_XML.exec(svg)?.[0]).toBeUndefined();
    expect(svg).toContain('Leeds');
  });

  it('PDF: the metadata title is the readable title; pdf.js opens it', async () => {
    const bytes = (await exportReport(hostileTable(), 'pdf')) as Buffer;
    const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
    const pdf = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: join(root, 'standard_fonts') + '/', verbosity: 0 }).promise;
    const { info } = (await pdf.getMetadata()) as { info: { Title?: string } };
    await pdf.destroy();
    expect(info.Title).toBe('Clients by district and gender');
  });

  it("JSON stays the server's rows exactly (ids, not names), and is valid JSON", async () => {
    const json = (await exportReport(hostileTable(), 'json')) as string;
    expect(JSON.parse(json)).toEqual(hostileTable().rows);
  });

  it('xmlSafeText keeps tab, line breaks, astral characters and everything readable', () => {
    expect(xmlSafeText('a\tb\nc\r\nd 😀 Siân \uE000 \uFFFD')).toBe('a\tb\nc\r\nd 😀 Siân \uE000 \uFFFD');
    expect(xmlSafeText('\uD83D\uDE00\uD83D x\uDE00')).toBe('\uD83D\uDE00 x');
  });
});
