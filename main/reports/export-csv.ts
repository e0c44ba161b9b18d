// A report as CSV: RFC 4180 (CRLF, fields with comma/quote/CR/LF quoted, quotes doubled), UTF-8
// with a BOM so Excel reads the names right, a header row and data rows only (no comment lines,
// so it parses cleanly). Text that a spreadsheet would run as a formula gets a leading apostrophe.

import { exportSafeTable } from './export-text.js';
import { toDisplayTable, type DisplayCell, type ReportTable } from '../../shared/reports/report-table.js';

export const UTF8_BOM = '\uFEFF';

/** Cells starting with these are formulas to Excel/LibreOffice/Sheets (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text cells only: a number (negative ones included) is written as a number, never guarded. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvField(cell: DisplayCell): string {
  const text = typeof cell === 'number' ? (Number.isFinite(cell) ? String(cell) : '') : guardFormula(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: DisplayCell[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/** The report's display table (names, crosstab when there is a metric) as a CSV document. */
export function exportCsv(table: ReportTable): string {
  const display = exportSafeTable(toDisplayTable(table));
  let out = UTF8_BOM + csvLine(display.columns.map((c) => c.label));
  for (const row of display.rows) out += csvLine(row);
  return out;
}
