// `caseworker report --db FILE <PATH> [--format json|csv|xlsx|pdf] [--out FILE] [--sums]`: a
// report path answered from the replica (main/reports/engine.ts) and exported. JSON is one line of
// server-shaped rows (with --sums `{"rows","sums"}`); CSV may go to stdout; XLSX and PDF are binary
// and need --out. With --out, stdout gets one JSON line saying what was written. The replica's
// freshness note always goes to stderr, so nobody takes a scoped figure for the organisation's.

import { ExportError, EXPORT_FORMATS, exportReport, isExportFormat, type ExportFormat } from '../reports/export.js';
import { NoSumsError, ReportError, runReport } from '../reports/engine.js';
import { formatSyncTime } from '../reports/export-definition.js';
import { ExportFileError, checkExportTarget } from '../reports/export-file.js';
import { openReplicaArg } from './replica-arg.js';
import { UsageError, UserFacingError, log, parseCommandArgs, printJson } from './usage.js';

const BINARY: ReadonlySet<ExportFormat> = new Set(['xlsx', 'pdf']);

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    db: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    sums: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one report PATH, e.g. caseworker report --db replica.db clients/dimension/district/metric/gender');
  const format = values.format ?? 'json';
  if (!isExportFormat(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format}"`);
  if (BINARY.has(format) && !values.out) throw new UsageError(`--format ${format} writes a binary file: give --out FILE (it is never written to the terminal)`);
  if (values.out === '') throw new UsageError('--out needs a file name');

  // Before anything runs: an --out that is the replica (or its WAL) would destroy the unsent edits.
  const target = { protectedFiles: values.db ? [values.db] : [] };
  if (values.out !== undefined) {
    try {
      checkExportTarget(values.out, target);
    } catch (error) {
      if (error instanceof ExportFileError) throw new UserFacingError(error.message);
      throw error;
    }
  }
  const replica = await openReplicaArg(values.db, { mustExist: true });
  try {
    let table;
    try {
      table = runReport(replica, positionals[0]!, { sums: values.sums === true });
    } catch (error) {
      if (error instanceof ReportError) throw new UsageError(error instanceof NoSumsError ? `${error.message} (leave out --sums)` : error.message);
      throw error;
    }
    const fresh = table.replicaFreshness;
    log(`report: ${fresh.note} Last synced: ${formatSyncTime(fresh.lastSyncedAt)}.`);

    let data;
    try {
      data = await exportReport(table, format, values.out, { sums: values.sums === true, target });
    } catch (error) {
      if (error instanceof ExportError) throw new UserFacingError(error.message);
      throw error;
    }
    if (values.out !== undefined) {
      printJson({ format, out: values.out, rows: table.rows.length, bytes: Buffer.byteLength(data), scoped: fresh.scoped, last_synced_at: fresh.lastSyncedAt });
    } else {
      // json: one line; csv: the file's text as it would be saved (BOM included).
      process.stdout.write(format === 'json' ? `${data as string}\n` : (data as string));
    }
    return 0;
  } finally {
    replica.close();
  }
}
