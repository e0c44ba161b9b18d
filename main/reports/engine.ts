// The report engine: a Dizions report path (`<group>/dimension/D[/metric/M]` plus filters) answered
// from the replica as a ReportTable — rows exactly in the server's shape (ids, `count`, a null row),
// names for the views and exports, the definition in words, and how fresh and complete the replica
// is. Every figure comes from one indexed SQL GROUP BY (answer-path.ts); sums (travel time and
// mileage, contacts only) come from that same query and stay beside the rows, never inside them.

import { isRecordGroup } from '../../shared/dizions/model.js';
import { GrammarError, parsePath, printPath, type RecordsPath } from '../../shared/url-grammar.js';
import { QueryError, answerReportWithTotals } from '../db/answer-path.js';
import type { Replica } from '../db/open.js';
import { replicaFreshness } from './freshness.js';
import { filterLabels, nameSourceOf, namesFor } from './report-names.js';
import type { ReportDefinition, ReportTable, ReportValue } from '../../shared/reports/report-table.js';

type Handle = Pick<Replica, 'sqlite'>;

/** A report the engine cannot run: not a report path, one the server would refuse, or sums where there are none. */
export class ReportError extends Error {
  override name = 'ReportError';
}

/** Sums asked of a group without travel time or mileage; the message names no CLI flag (the app shows it too). */
export class NoSumsError extends ReportError {
  override name = 'NoSumsError';
}

/** The numbers contacts carry, totalled per row when sums are asked for. */
export const SUM_FIELDS = ['travel_time', 'travel_mileage'] as const;
const SUM_GROUPS = new Set(['due_contacts', 'done_contacts']);

export interface RunReportOptions {
  /** Travel time and mileage totals per row (due and done contacts only). */
  sums?: boolean | undefined;
  /** A title for the views and exports; default: made from the group, dimension and metric. */
  title?: string | undefined;
  now?: (() => Date) | undefined;
}

/** Parses a report path, or a ReportError saying what a report path looks like. */
export function parseReportPath(path: string): RecordsPath {
  let parsed;
  try {
    parsed = parsePath(path);
  } catch (error) {
    if (error instanceof GrammarError) throw new ReportError(`"${path}" is not a valid path: ${error.message}`);
    throw error;
  }
  if (parsed.kind !== 'records' || !parsed.report) {
    throw new ReportError(`"${path}" is not a report: a report path is <group>/dimension/<field>[/metric/<field>] plus filters, e.g. clients/dimension/district/metric/gender`);
  }
  if (parsed.fields) throw new ReportError('field/ does not apply to a report: a report returns its dimension, metric and count');
  return parsed;
}

/** Refuses sums for a group whose records carry no travel time or mileage. */
export function checkSums(group: string): void {
  if (!SUM_GROUPS.has(group)) {
    throw new NoSumsError(`sums are travel time and mileage totals, which only due and done contacts carry; ${group} has none, so this report cannot have sums`);
  }
}

/** Runs a report path against the replica. Throws ReportError for anything the engine refuses. */
export function runReport(replica: Handle, path: string, options: RunReportOptions = {}): ReportTable {
  const parsed = parseReportPath(path);
  const report = parsed.report!;
  if (options.sums) checkSums(parsed.group);

  let answer;
  try {
    answer = answerReportWithTotals(replica, parsed, options.sums ? SUM_FIELDS : []);
  } catch (error) {
    if (error instanceof QueryError) throw new ReportError(`${error.message} (the server would refuse this path too: ${error.status})`);
    throw error;
  }
  const rows = answer.rows as Array<Record<string, ReportValue>>;

  const names: Record<string, Record<string, string>> = {};
  for (const column of [report.dimension, report.metric]) {
    if (column === undefined || parsed.extensionDatabase) continue;
    const source = nameSourceOf(parsed.group, column);
    if (source)
      names[column] = namesFor(
        replica,
        source,
        rows.map((row) => row[column] ?? null),
      );
  }

  const definition: ReportDefinition = {
    path: printPath(parsed),
    group: parsed.extensionDatabase ? `extension_database/${parsed.extensionDatabase}` : parsed.group,
    dimension: report.dimension,
    filters: isRecordGroup(parsed.group) ? filterLabels(replica, parsed.group, parsed.pairs) : filterLabels(replica, '', parsed.pairs),
  };
  if (report.metric !== undefined) definition.metric = report.metric;
  if (options.title !== undefined && options.title.trim() !== '') definition.title = options.title.trim();

  const table: ReportTable = {
    definition,
    rows,
    names,
    generatedAt: (options.now ?? (() => new Date()))(),
    replicaFreshness: replicaFreshness(replica, parsed),
  };
  if (options.sums) table.sums = answer.totals;
  return table;
}
