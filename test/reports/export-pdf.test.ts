// The PDF a field worker hands to a funder, read back with pdf.js: its text holds the title,
// the filters by name, the freshness note, the rows and "Page N of M"; a long table runs onto
// more pages with its header repeated; every Latin name prints as written (the embedded DejaVu Sans),
// and a character the font lacks degrades, never crashes.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, describe, expect, it } from 'vitest';
import { exportReport } from '../../main/reports/export.js';
import { exportPdf } from '../../main/reports/export-pdf.js';
import { toPdfText } from '../../main/reports/export-pdf-text.js';
import type { ReportTable } from '../../shared/reports/report-table.js';
import { clientsByDistrictAndGender, contactsByDay, fiveHundredWards } from '../support/report-export-fixtures.js';

const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/** The text of each page, items joined by spaces and whitespace collapsed. */
async function pageTexts(bytes: Buffer): Promise<string[]> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: join(pdfjsRoot, 'standard_fonts') + '/', verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(
      content.items
        .map((item) => ('str' in item ? item.str : ''))
        .join(' ')
        .replace(/\s+/g, ' '),
    );
  }
  await pdf.destroy();
  return pages;
}

const dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PDF export', () => {
  it('prints the title, path, filters, freshness and the table, with page numbers', async () => {
    const pages = await pageTexts(await exportPdf(clientsByDistrictAndGender()));
    const text = pages.join(' ');
    expect(text).toContain('Clients by district and gender');
    expect(text).toContain('Path: clients/dimension/district/metric/gender/blue_badge_holder/Y');
    expect(text).toContain('Blue badge holder: Yes');
    expect(text).toContain('Replica last synced: 03/11/2025 14:02 (UK time) (19 hours before this report was made).');
    expect(text).toContain('Generated 04/11/2025 09:30 GMT');
    expect(text).toContain('Scoped replica: the figures cover only the records synced to this device');
    expect(text).toContain("Covers what was synced to this device: Ann Smith's caseload.");
    expect(text).toContain('Records matched: 100');
    // A row: name then its counts, in column order (Female, Male, Non-binary, no value, Total).
    expect(text).toMatch(/Leeds 12 9 0 1 22/);
    expect(text).toContain("Ynys Môn (Siân's patch) 20 11 0 0 31");
    expect(pages[0]).toContain(`Page 1 of ${pages.length}`);
    pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`));
  });

  it('draws the chart: its title, axis and legend are text on the page', async () => {
    const [first] = await pageTexts(await exportPdf(clientsByDistrictAndGender()));
    for (const label of ['Female', 'Male', 'Non-binary', 'District', 'Count']) expect(first).toContain(label);
    expect(first!.split('Clients by district and gender').length - 1).toBeGreaterThanOrEqual(2); // heading and chart title
  });

  it('runs a 500-row table over several pages, repeating the header on each', async () => {
    const pages = await pageTexts(await exportPdf(fiveHundredWards()));
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(page).toMatch(/District Count/);
    });
    const text = pages.join(' ');
    expect(text).toContain('Ward 1 1');
    expect(text).toContain('Ward 500 500');
    expect(text).toContain('Showing the 30 largest of 500 district values');
  });

  it('prints travel sums and the note that undated contacts are left out of the line chart', async () => {
    const text = (await pageTexts(await exportPdf(contactsByDay()))).join(' ');
    expect(text).toContain('User: Siân Llewelyn');
    expect(text).toContain('Replica last synced: never');
    expect(text).toContain('2018-10-05 1 30 -2.5');
    expect(text).toContain('2 records with no day not shown');
  });

  it('prints Welsh and Polish names as written, with no "cannot be shown" note', async () => {
    const table: ReportTable = clientsByDistrictAndGender();
    table.names = { ...table.names, district: { ...table.names.district, '1': 'Dŵr Łódź', '2': 'Łukasz Harrison ŷ' } };
    const bytes = await exportPdf(table);
    const text = (await pageTexts(bytes)).join(' ');
    expect(text).toContain('Dŵr Łódź 12 9 0 1 22');
    expect(text).toContain('Łukasz Harrison ŷ');
    expect(text).not.toContain('Some characters cannot be shown in this PDF');
    // The font is embedded as a subset (the whole DejaVu Sans is ~750 kB).
    expect(bytes.toString('latin1')).toMatch(/\/FontFile2/);
    expect(bytes.length).toBeLessThan(200_000);
  });

  it('degrades only what the embedded font lacks instead of crashing or printing garbage', async () => {
    const table: ReportTable = clientsByDistrictAndGender();
    table.names = { ...table.names, district: { ...table.names.district, '1': 'Dŵr 中文' } };
    const text = (await pageTexts(await exportPdf(table))).join(' ');
    expect(text).toContain('Dŵr ?? 12 9 0 1 22'); // DejaVu Sans has no CJK
    expect(text).toContain('Some characters cannot be shown in this PDF');
    expect(toPdfText('Siân Zoë – “quoted” €5')).toEqual({ text: 'Siân Zoë – “quoted” €5', lossy: false });
    expect(toPdfText('Sia\u0302n').text).toBe('Siân');
  });

  it('splits a crosstab too wide for the page into column panels, never cutting off a count', async () => {
    const table = clientsByDistrictAndGender();
    table.rows = [];
    const ethnicities: Record<string, string> = {};
    for (let m = 1; m <= 40; m++) {
      ethnicities[String(m)] = `Ethnic group ${m}`;
      for (const d of [1, 2, 4]) table.rows.push({ district: d, gender: m, count: d * 1000 + m });
    }
    table.names = { ...table.names, gender: ethnicities };
    const pages = await pageTexts(await exportPdf(table));
    const text = pages.join(' ');
    expect(text).toMatch(/Columns 2–\d+ of 42 \(part 1 of [2-9]\)/);
    for (const row of table.rows) expect(text).toContain(` ${(row.count as number).toLocaleString('en-GB')} `);
    expect(text).toContain('Leeds');
    pages.forEach((page, i) => expect(page).toContain(`Page ${i + 1} of ${pages.length}`));
  });

  it('writes a PDF file when given a path', async () => {
    const out = join(dir, 'report.pdf');
    await exportReport(clientsByDistrictAndGender(), 'pdf', out);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
