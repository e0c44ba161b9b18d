// One entry point for every report format, used by the CLI (`caseworker report --format … --out …`)
// and the app's save dialog. JSON is the server-shaped rows exactly; sums (an extension the server
// does not have) are never mixed into them: only with `sums: true` does JSON become {rows, sums}.

import { exportCsv } from './export-csv.js';
import { ExportFileError, writeExportFile, type ExportTargetOptions } from './export-file.js';
import { exportPdf } from './export-pdf.js';
import { exportXlsx } from './export-xlsx.js';
import type { ReportTable } from '../../shared/reports/report-table.js';

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** File extension and media type per format, for save dialogs and HTTP replies. */
export const EXPORT_FILE_TYPES: Record<ExportFormat, { extension: string; mediaType: string }> = {
  json: { extension: 'json', mediaType: 'application/json' },
  csv: { extension: 'csv', mediaType: 'text/csv; charset=utf-8' },
  xlsx: { extension: 'xlsx', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  pdf: { extension: 'pdf', mediaType: 'application/pdf' },
};

/** A failure the person exporting can act on; its message is one plain sentence. */
export class ExportError extends Error {
  override name = 'ExportError';
}

export interface ExportOptions {
  /** JSON only: print `{"rows": …, "sums": …}` instead of the bare server-shaped rows. */
  sums?: boolean;
  /** With an out path: what must never be written over (the replica, the app's data folder). */
  target?: ExportTargetOptions;
}

/**
 * `json`: `[{"district":3,"count":5},…]` exactly as the server answers; with `sums`,
 * `{"rows":[…],"sums":[…]}` (sums aligned with rows). Throws when sums are asked of a report
 * that has none (only contacts carry travel time and mileage).
 */
export function exportJson(table: ReportTable, options: ExportOptions = {}): string {
  if (!options.sums) return JSON.stringify(table.rows);
  if (!table.sums) throw new ExportError(`this report has no sums: travel time and mileage totals exist only for due and done contacts (${table.definition.group} has none)`);
  return JSON.stringify({ rows: table.rows, sums: table.sums });
}

/**
 * The report in `format`: CSV and JSON as strings, XLSX and PDF as bytes. With `outPath` the
 * result is also written there (JSON and CSV as UTF-8; JSON gets a final newline in the file).
 * CSV, XLSX and PDF show sum columns whenever the table carries sums (the engine adds them only
 * when asked); `options.sums` shapes JSON alone.
 */
export async function exportReport(table: ReportTable, format: ExportFormat, outPath?: string, options: ExportOptions = {}): Promise<Buffer | string> {
  if (!isExportFormat(format)) throw new ExportError(`unknown export format "${String(format)}": use ${EXPORT_FORMATS.join(', ')}`);
  const data: Buffer | string = format === 'json' ? exportJson(table, options) : format === 'csv' ? exportCsv(table) : format === 'xlsx' ? await exportXlsx(table) : await exportPdf(table);
  if (outPath !== undefined) {
    try {
      await writeExportFile(outPath, format === 'json' ? `${data as string}\n` : data, options.target);
    } catch (error) {
      if (error instanceof ExportFileError) throw new ExportError(error.message);
      throw error;
    }
  }
  return data;
}
