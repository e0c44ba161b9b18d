// A report as a real Excel workbook (exceljs): sheet 1 the table with typed numeric cells, a bold
// filled header row that stays frozen, column widths to fit and an autofilter; sheet 2 the
// report's definition and the replica's freshness; for dimension × metric, sheet 3 the long form.

import ExcelJS from 'exceljs';
import { definitionEntries } from './export-definition.js';
import { exportSafeEntries, exportSafeTable, xmlSafeText } from './export-text.js';
import { reportTitle, toDisplayTable, toLongTable, type DisplayTable, type ReportTable } from '../../shared/reports/report-table.js';

export const TABLE_SHEET = 'Report';
export const DEFINITION_SHEET = 'Definition';
export const LONG_FORM_SHEET = 'Long form';

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;

function cellText(value: string | number): string {
  return typeof value === 'number' ? value.toLocaleString('en-GB') : value;
}

/** Width in characters: the longest line of the column's cells, plus room for the filter arrow. */
function columnWidth(display: DisplayTable, index: number): number {
  let longest = display.columns[index]!.label.length + 3;
  for (const row of display.rows) {
    const cell = row[index];
    if (cell === undefined) continue;
    for (const line of cellText(cell).split(/\r?\n/)) longest = Math.max(longest, line.length + 1);
  }
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest));
}

function wholeNumbers(display: DisplayTable, index: number): boolean {
  return display.rows.every((row) => Number.isInteger(row[index]));
}

function addTableSheet(workbook: ExcelJS.Workbook, name: string, display: DisplayTable): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.columns = display.columns.map((column, i) => ({
    header: column.label,
    key: `c${i}`,
    width: columnWidth(display, i),
    style: column.numeric ? { numFmt: wholeNumbers(display, i) ? '#,##0' : '#,##0.00' } : {},
  }));
  for (const row of display.rows) sheet.addRow(row);

  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: 'middle', wrapText: false };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF8EA9DB' } } };
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, display.rows.length + 1), column: display.columns.length } };
}

function addDefinitionSheet(workbook: ExcelJS.Workbook, table: ReportTable, recordsMatched: number): void {
  const sheet = workbook.addWorksheet(DEFINITION_SHEET);
  const entries = exportSafeEntries(definitionEntries(table, recordsMatched));
  sheet.columns = [
    { key: 'label', width: Math.max(...entries.map(([label]) => label.length + 2), 12) },
    { key: 'value', width: Math.min(100, Math.max(...entries.map(([, value]) => value.length + 2), 20)) },
  ];
  for (const [label, value] of entries) {
    const row = sheet.addRow([label, value]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  }
}

/** The workbook as bytes (an .xlsx file). */
export async function exportXlsx(table: ReportTable): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Caseworker';
  workbook.title = xmlSafeText(reportTitle(table.definition));
  workbook.created = table.generatedAt;
  workbook.modified = table.generatedAt;

  const display = exportSafeTable(toDisplayTable(table));
  addTableSheet(workbook, TABLE_SHEET, display);
  addDefinitionSheet(workbook, table, display.total);
  // A crosstab is what people read; the long form is what a pivot table or a database wants.
  if (table.definition.metric) addTableSheet(workbook, LONG_FORM_SHEET, exportSafeTable(toLongTable(table)));

  const bytes = await workbook.xlsx.writeBuffer();
  return Buffer.from(bytes as ArrayBuffer);
}
