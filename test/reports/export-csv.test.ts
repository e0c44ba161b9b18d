// The CSV a funder opens in Excel: read back with an independent RFC 4180 parser, it is the
// display table exactly (names with commas, quotes and line breaks intact), behind a UTF-8 BOM,
// with CRLF line ends, and no cell that a spreadsheet would run as a formula.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvField, exportCsv } from '../../main/reports/export-csv.js';
import { exportReport } from '../../main/reports/export.js';
import { toDisplayTable } from '../../shared/reports/report-table.js';
import { clientsByDistrict, clientsByDistrictAndGender, contactsByDay } from '../support/report-export-fixtures.js';

/** RFC 4180, strictly: CRLF records, quoted fields may hold commas, CRLF/LF and doubled quotes. */
function parseRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
      continue;
    }
    if (c === ',') {
      record.push(field);
      field = '';
      i++;
      continue;
    }
    if (c === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`bare CR at ${i}`);
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
      continue;
    }
    if (c === '\n') throw new Error(`bare LF outside quotes at ${i}`);
    field += c;
    i++;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) throw new Error('last record has no CRLF');
  return records;
}

const dir = mkdtempSync(join(tmpdir(), 'report-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV export', () => {
  it('starts with a UTF-8 BOM and parses back to the crosstab, names intact', () => {
    const table = clientsByDistrictAndGender();
    const csv = exportCsv(table);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const records = parseRfc4180(csv.slice(1));
    const display = toDisplayTable(table);

    expect(records[0]).toEqual(['District', 'Female', 'Male', 'Non-binary', '(no value)', 'Total']);
    expect(records).toHaveLength(display.rows.length + 1);
    const byName = new Map(records.slice(1).map((r) => [r[0], r.slice(1).map(Number)]));
    expect(byName.get('Harrogate, North')).toEqual([7, 0, 2, 0, 9]);
    expect(byName.get('The "Old" Town\nWest')).toEqual([5, 15, 0, 0, 20]);
    expect(byName.get("Ynys Môn (Siân's patch)")).toEqual([20, 11, 0, 0, 31]);
    expect(byName.get('(no value)')).toEqual([6, 4, 0, 5, 15]);
  });

  it('quotes only what needs quoting and doubles the quotes inside', () => {
    const csv = exportCsv(clientsByDistrictAndGender());
    expect(csv).toContain('\r\n"Harrogate, North",7,0,2,0,9\r\n');
    expect(csv).toContain('\r\n"The ""Old"" Town\nWest",5,15,0,0,20\r\n');
    expect(csv).toContain('\r\nLeeds,12,9,0,1,22\r\n');
  });

  it('guards a name that Excel would run as a formula with a leading apostrophe', () => {
    const records = parseRfc4180(exportCsv(clientsByDistrictAndGender()).slice(1));
    const formulaRow = records.find((r) => r[0]!.includes('HYPERLINK'))!;
    expect(formulaRow[0]).toBe('\'=HYPERLINK("http://evil.example","click")');
    for (const record of records) for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('guards every formula trigger but writes negative numbers as numbers', () => {
    expect(['=1+1', '+44 113', '-Minus', '@SUM(A1)', '\tTab', '\rCR'].map(csvField)).toEqual(["'=1+1", "'+44 113", "'-Minus", "'@SUM(A1)", "'\tTab", '"\'\rCR"']);
    expect(csvField(-2.5)).toBe('-2.5');
    const records = parseRfc4180(exportCsv(contactsByDay()).slice(1));
    expect(records[0]).toEqual(['Day', 'Count', 'Travel time', 'Travel mileage']);
    expect(records.find((r) => r[0] === '2018-10-05')).toEqual(['2018-10-05', '1', '30', '-2.5']);
  });

  it('is a pure table: a header row and data rows, nothing else', () => {
    const records = parseRfc4180(exportCsv(clientsByDistrict()).slice(1));
    expect(records).toEqual([
      ['District', 'Count'],
      ['Harrogate, North', '9'],
      ['Leeds', '22'],
      ["Ynys Môn (Siân's patch)", '31'],
      ['(no value)', '4'],
    ]);
  });

  it('writes UTF-8 bytes to the chosen file, BOM first', async () => {
    const out = join(dir, 'clients.csv');
    await exportReport(clientsByDistrict(), 'csv', out);
    const bytes = readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('Ynys Môn');
  });
});
