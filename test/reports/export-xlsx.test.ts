// The workbook a manager opens: read back with exceljs, the table has real numbers, a bold
// filled header that stays frozen, widths that fit the names and an autofilter; the second
// sheet says what the report was, when it was made and how fresh the replica was.
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportReport } from '../../main/reports/export.js';
import { exportXlsx } from '../../main/reports/export-xlsx.js';
import type { ReportTable } from '../../shared/reports/report-table.js';
import { clientsByDistrict, clientsByDistrictAndGender, contactsByDay } from '../support/report-export-fixtures.js';

async function open(table: ReportTable): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await exportXlsx(table)) as unknown as ExcelJS.Buffer);
  return workbook;
}

function definitionOf(workbook: ExcelJS.Workbook): Map<string, string> {
  const sheet = workbook.getWorksheet('Definition')!;
  const entries = new Map<string, string>();
  sheet.eachRow((row) => entries.set(String(row.getCell(1).value), String(row.getCell(2).value)));
  return entries;
}

const dir = mkdtempSync(join(tmpdir(), 'report-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('XLSX export', () => {
  it('puts the crosstab on the first sheet with typed numeric cells and names as text', async () => {
    const workbook = await open(clientsByDistrictAndGender());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Report');
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['District', 'Female', 'Male', 'Non-binary', '(no value)', 'Total']);
    expect(sheet.rowCount).toBe(7);

    const leeds = sheet.getRow(4);
    expect(leeds.getCell(1).value).toBe('Leeds');
    for (let c = 2; c <= 6; c++) expect(leeds.getCell(c).type).toBe(ExcelJS.ValueType.Number);
    expect([2, 3, 4, 5, 6].map((c) => leeds.getCell(c).value)).toEqual([12, 9, 0, 1, 22]);

    // In a workbook a formula-looking name stays plain text: it is a string cell, never a formula.
    const formula = sheet.getRow(2).getCell(1);
    expect(formula.type).toBe(ExcelJS.ValueType.String);
    expect(formula.value).toBe('=HYPERLINK("http://evil.example","click")');
    expect(sheet.getRow(5).getCell(1).value).toBe('The "Old" Town\nWest');
  });

  it('styles and freezes the header row, sets column widths and an autofilter', async () => {
    const sheet = (await open(clientsByDistrictAndGender())).worksheets[0]!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const header = sheet.getRow(1).getCell(1);
    expect(header.font?.bold).toBe(true);
    expect(header.fill).toMatchObject({ type: 'pattern', pattern: 'solid' });

    const nameWidth = sheet.getColumn(1).width!;
    expect(nameWidth).toBeGreaterThanOrEqual('=HYPERLINK("http://evil.example","click")'.length);
    expect(nameWidth).toBeLessThanOrEqual(60);
    expect(sheet.getColumn(2).width).toBeGreaterThanOrEqual(8);
    expect(sheet.getColumn(2).width).toBeLessThan(nameWidth);
    expect(sheet.autoFilter).toBe('A1:F7');
  });

  it('describes the report on a second sheet: title, path, filters by name, times in UK format', async () => {
    const workbook = await open(clientsByDistrictAndGender());
    expect(workbook.worksheets[1]!.name).toBe('Definition');
    const definition = definitionOf(workbook);
    expect(definition.get('Title')).toBe('Clients by district and gender');
    expect(definition.get('Path')).toBe('clients/dimension/district/metric/gender/blue_badge_holder/Y');
    expect(definition.get('Group')).toBe('clients');
    expect(definition.get('Dimension')).toBe('district');
    expect(definition.get('Metric')).toBe('gender');
    expect(definition.get('Filter: Blue badge holder')).toBe('Yes');
    expect(definition.get('Records matched')).toBe('100');
    expect(definition.get('Generated at')).toBe('04/11/2025 09:30 GMT');
    expect(definition.get('Replica last synced')).toBe('03/11/2025 14:02 (UK time)');
    expect(definition.get('Replica age')).toBe('19 hours before this report was made');
    expect(definition.get('Replica scope')).toMatch(/^Scoped replica: the figures cover only the records synced to this device/);
    expect(definition.get('Note')).toBe("Covers what was synced to this device: Ann Smith's caseload.");
  });

  it('shows summer times as BST and converts an ISO sync time to UK time', async () => {
    const definition = definitionOf(await open(clientsByDistrict()));
    expect(definition.get('Generated at')).toBe('01/07/2025 13:00 BST');
    expect(definition.get('Replica last synced')).toBe('30/06/2025 22:15 BST');
    expect(definition.get('Replica age')).toBe('14 hours before this report was made');
    expect(definition.get('Metric')).toBe('(none)');
    expect(definition.get('Filters')).toBe('(none)');
    expect(definition.get('Replica scope')).toMatch(/^Full replica/);
  });

  it('warns when the replica is more than a day older than the report, reading UK summer time right', async () => {
    const stale = clientsByDistrict();
    stale.replicaFreshness.lastSyncedAt = '2025-06-28 13:00:00'; // BST: 12:00 UTC, three days before
    expect(definitionOf(await open(stale)).get('Replica age')).toBe('3 days before this report was made: changes since then are not included');
    const recent = clientsByDistrict();
    recent.replicaFreshness.lastSyncedAt = '2025-07-01 10:00:00'; // BST: 09:00 UTC, three hours before 12:00 UTC
    expect(definitionOf(await open(recent)).get('Replica age')).toBe('3 hours before this report was made');
  });

  it('adds the long form as a third sheet for dimension × metric, one row per server row', async () => {
    const table = clientsByDistrictAndGender();
    const sheet = (await open(table)).getWorksheet('Long form')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['District', 'Gender', 'Count']);
    expect(sheet.rowCount).toBe(table.rows.length + 1);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
  });

  it('keeps decimal sums as numbers and says "never" for a replica that never synced', async () => {
    const workbook = await open(contactsByDay());
    const sheet = workbook.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['Day', 'Count', 'Travel time', 'Travel mileage']);
    const row = sheet.getRow(4); // 2018-10-05
    expect(row.getCell(1).value).toBe('2018-10-05');
    expect(row.getCell(4).value).toBe(-2.5);
    expect(row.getCell(4).type).toBe(ExcelJS.ValueType.Number);
    expect(workbook.worksheets).toHaveLength(2);
    expect(definitionOf(workbook).get('Replica last synced')).toBe('never');
    expect(definitionOf(workbook).get('Replica age')).toBe('unknown');
  });

  it('writes a file that starts as a zip archive (what Excel opens)', async () => {
    const out = join(dir, 'report.xlsx');
    const bytes = await exportReport(clientsByDistrict(), 'xlsx', out);
    const written = readFileSync(out);
    expect(written.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
    expect(written.equals(bytes as Buffer)).toBe(true);
  });
});
