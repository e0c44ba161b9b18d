// The report channels over the report engine (main/reports/engine.ts): a report path answered from
// the replica in the server's row shape (sums and freshness beside the rows, never in them), the
// same path compared with the server, exported as bytes for the renderer to save (a download in
// the browser, a save dialog in the desktop app), and the definitions a worker saved by name.

import type { DizionsClient } from '../api/client.js';
import type { Replica } from '../db/open.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import { compareWithServer } from '../reports/compare-server.js';
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
  const stem = base
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return stem || 'report';
}

const savedView = (report: SavedReport) => ({ id: report.id, name: report.title, path: report.path, createdAt: report.createdAt });

export interface ReportServiceOptions {
  /**
   * A client for the current connection (the demo's simulator in demo mode), for reports:compare;
   * it throws a ServiceError when there is none. The service closes the client it was given.
   */
  client?: (() => DizionsClient) | undefined;
}

export function createReportServices(
  replica: () => Handle,
  options: ReportServiceOptions = {},
): Pick<Services, 'reports:run' | 'reports:compare' | 'reports:export' | 'reports:saved-list' | 'reports:save' | 'reports:delete-saved'> {
  return {
    'reports:run': async ({ path, sums }) => {
      try {
        const table = runReport(replica(), path, { sums: sums === true });
        return {
          dimension: table.definition.dimension,
          metric: table.definition.metric ?? null,
          rows: table.rows as never,
          names: table.names,
          sums: sums === true ? (table.sums ?? []) : null,
          replicaFreshness: table.replicaFreshness,
        };
      } catch (error) {
        throw refused(error);
      }
    },

    'reports:compare': async ({ path }) => {
      if (!options.client) throw new ServiceError('OFFLINE', 'Comparing with Charitylog needs a connection to the server, and this Caseworker has none.');
      const client = options.client();
      try {
        const result = await compareWithServer(replica(), client, path);
        return {
          path: result.path,
          matches: result.matches,
          differences: result.differences.map((d) => ({ key: d.key, local: d.offline, server: d.server, difference: d.difference })),
          explanation: result.explanation,
          serverTotal: result.serverTotal,
          localTotal: result.offlineTotal,
          replicaFreshness: result.freshness,
        };
      } catch (error) {
        throw refused(error);
      } finally {
        await client.close();
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
