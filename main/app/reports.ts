// The report channels over the report engine (main/reports/engine.ts): a report path answered from
// the replica in the server's row shape, exported as bytes for the renderer to save (a download in
// the browser, a save dialog in the desktop app), and the definitions a worker saved by name.

import type { Replica } from '../db/open.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import { ReportError, runReport } from '../reports/engine.js';
import { EXPORT_FILE_TYPES, ExportError, exportReport } from '../reports/export.js';
import { deleteSavedReport, listSavedReports, saveReport, type SavedReport } from '../reports/saved-reports.js';

type Handle = Pick<Replica, 'sqlite'>;

function refused(error: unknown): unknown {
  if (error instanceof ReportError || error instanceof ExportError) {
    const message = error.message.length > 0 ? error.message[0]!.toUpperCase() + error.message.slice(1) : error.message;
    return new ServiceError('VALIDATION', message, { issues: [{ path: 'path', message: error.message }] });
  }
  return error;
}

/** `done_contacts/dimension/project` → `done-contacts-by-project`, safe as a file name everywhere. */
export function reportFileStem(title: string | undefined, group: string, dimension: string, metric?: string): string {
  const base = title?.trim() || `${group} by ${dimension}${metric ? ` and ${metric}` : ''}`;
  const stem = base.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return stem || 'report';
}

const savedView = (report: SavedReport) => ({ id: report.id, name: report.title, path: report.path, createdAt: report.createdAt });

export function createReportServices(replica: () => Handle): Pick<Services,
  'reports:run' | 'reports:export' | 'reports:saved-list' | 'reports:save' | 'reports:delete-saved'> {
  return {
    'reports:run': async ({ path }) => {
      try {
        const table = runReport(replica(), path);
        return { dimension: table.definition.dimension, metric: table.definition.metric ?? null, rows: table.rows as never };
      } catch (error) {
        throw refused(error);
      }
    },

    'reports:export': async ({ path, format, sums, title }) => {
      try {
        const table = runReport(replica(), path, { sums: sums === true, title });
        const data = await exportReport(table, format, undefined, { sums: sums === true });
        const bytes = typeof data === 'string' ? Buffer.from(format === 'json' ? `${data}\n` : data, 'utf8') : data;
        const { definition } = table;
        return {
          filename: `${reportFileStem(title, definition.group.replace(/\//g, '-'), definition.dimension, definition.metric)}.${EXPORT_FILE_TYPES[format].extension}`,
          contentType: EXPORT_FILE_TYPES[format].mediaType,
          dataBase64: bytes.toString('base64'),
        };
      } catch (error) {
        throw refused(error);
      }
    },

    'reports:saved-list': async () => ({ reports: listSavedReports(replica()).map(savedView) }),

    'reports:save': async ({ name, path }) => {
      try {
        return savedView(saveReport(replica(), { title: name, path }));
      } catch (error) {
        throw refused(error);
      }
    },

    'reports:delete-saved': async ({ id }) => {
      if (!deleteSavedReport(replica(), id)) throw new ServiceError('NOT_FOUND', `There is no saved report ${id}.`);
      return { id };
    },
  };
}
