// exportReport, the one call behind `caseworker report --format … --out …` and the save dialog:
// JSON is the server's own shape, sums only on request and never inside the rows; every format
// writes to the chosen file, and a file that cannot be written fails with a plain sentence.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, ExportError, exportReport } from '../../main/reports/export.js';
import { clientsByDistrict, clientsByDistrictAndGender, contactsByDay } from '../support/report-export-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'report-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSON export', () => {
  it('is the server-shaped rows exactly: ids, not names, and the null row', async () => {
    const table = clientsByDistrictAndGender();
    const json = await exportReport(table, 'json');
    expect(JSON.parse(json as string)).toEqual(table.rows);
    expect(json).toContain('{"district":null,"gender":null,"count":5}');
    expect(json).not.toContain('Leeds');
  });

  it('leaves sums out unless asked, and then puts them beside the rows, not inside', async () => {
    const table = contactsByDay();
    expect(JSON.parse((await exportReport(table, 'json')) as string)).toEqual(table.rows);
    const withSums = JSON.parse((await exportReport(table, 'json', undefined, { sums: true })) as string);
    expect(Object.keys(withSums)).toEqual(['rows', 'sums']);
    expect(withSums.rows).toEqual(table.rows);
    expect(withSums.sums).toEqual(table.sums);
    for (const row of withSums.rows) expect(Object.keys(row).sort()).toEqual(['count', 'day']);
  });

  it('refuses sums for a report that has none, saying why', async () => {
    await expect(exportReport(clientsByDistrict(), 'json', undefined, { sums: true })).rejects.toThrow(
      new ExportError('this report has no sums: travel time and mileage totals exist only for due and done contacts (clients has none)'),
    );
  });
});

describe('writing files', () => {
  it('writes every format to the chosen path and returns the same content', async () => {
    for (const format of EXPORT_FORMATS) {
      const out = join(dir, `report.${format}`);
      const data = await exportReport(clientsByDistrictAndGender(), format, out);
      const written = readFileSync(out);
      const expected = format === 'json' ? Buffer.from(`${data as string}\n`) : Buffer.from(data as Buffer | string);
      expect(written.equals(expected), format).toBe(true);
    }
    // Written through a temporary file that is renamed into place, and nothing is left behind.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('says plainly when the folder does not exist, and leaves no file behind', async () => {
    const out = join(dir, 'no-such-folder', 'report.csv');
    await expect(exportReport(clientsByDistrict(), 'csv', out)).rejects.toThrow(`cannot write the report to ${out}: its folder does not exist`);
    expect(existsSync(out)).toBe(false);
  });

  it('says plainly when the path is a folder', async () => {
    await expect(exportReport(clientsByDistrict(), 'pdf', dir)).rejects.toThrow(/^cannot write the report to .*: it is a folder$/);
  });

  it('names the formats it knows when given another', async () => {
    await expect(exportReport(clientsByDistrict(), 'docx' as never)).rejects.toThrow('unknown export format "docx": use json, csv, xlsx, pdf');
  });
});
