// The text every export writes, made safe once: each label, cell, title and definition line goes
// through xmlSafeText (shared/text-characters.ts), so an XLSX is well-formed XML and a CSV or PDF
// carries no character a reader refuses, whatever a dictionary name or a title holds.

import { xmlSafeText } from '../../shared/text-characters.js';
import type { DisplayTable } from '../../shared/reports/report-table.js';

export { xmlSafeText };

/** The display table with every label and text cell passed through xmlSafeText (numbers untouched). */
export function exportSafeTable(display: DisplayTable): DisplayTable {
  return {
    ...display,
    columns: display.columns.map((column) => ({ ...column, label: xmlSafeText(column.label) })),
    rows: display.rows.map((row) => row.map((cell) => (typeof cell === 'string' ? xmlSafeText(cell) : cell))),
  };
}

/** Label/value pairs (the definition sheet) made safe. */
export function exportSafeEntries(entries: Array<[string, string]>): Array<[string, string]> {
  return entries.map(([label, value]) => [xmlSafeText(label), xmlSafeText(value)]);
}
