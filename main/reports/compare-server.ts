// Online check of an offline figure: the same report path asked of the server, row by row against
// the replica's answer. A difference is never hidden or smoothed over: the explanation says
// whether the replica is scoped (it holds only what was synced), how long ago it synced, and how
// many edits on this device the server has not received yet — the three honest reasons they differ.

import { parseReportRows } from '../../shared/dizions/schemas.js';
import type { DizionsClient } from '../api/client.js';
import { errorFromBadReply } from '../api/errors.js';
import type { Replica } from '../db/open.js';
import { pendingEntryCount } from '../outbox/pending.js';
import { runReport } from './engine.js';
import { formatSyncTime, syncAge } from './export-definition.js';
import type { ReportFreshness, ReportValue } from '../../shared/reports/report-table.js';

type Handle = Pick<Replica, 'sqlite'>;
type Row = Record<string, ReportValue>;

export interface RowDifference {
  /** The row's dimension (and metric) values, as ids: `{district: 3, gender: 1}`. */
  key: Row;
  /** 0 where one side has no such row. */
  offline: number;
  server: number;
  /** server − offline. */
  difference: number;
}

export interface ReportComparison {
  path: string;
  /** Both answers in the server's shape. */
  offlineRows: Row[];
  serverRows: Row[];
  offlineTotal: number;
  serverTotal: number;
  /** Only the rows whose counts differ, in the server's order then the replica's. */
  differences: RowDifference[];
  matches: boolean;
  freshness: ReportFreshness;
  /** Edits queued on this device that the server has not confirmed. */
  pendingEdits: number;
  /** Plain sentences for the person reading the figures. */
  explanation: string;
}

function rowKey(row: Row, axes: readonly string[]): string {
  return JSON.stringify(
    axes.map((axis) => {
      const value = row[axis] ?? null;
      return value === null ? null : String(value);
    }),
  );
}

const countOf = (row: Row | undefined) => (row ? Number(row.count ?? 0) : 0);

/** Asks the server for `path` and compares it with the replica's answer. Network errors propagate (DizionsError). */
export async function compareWithServer(replica: Handle, client: DizionsClient, path: string, options: { now?: () => Date; signal?: AbortSignal } = {}): Promise<ReportComparison> {
  const now = options.now ?? (() => new Date());
  const table = runReport(replica, path, { now });
  const { group, dimension, metric } = table.definition;
  const call = options.signal ? { signal: options.signal } : {};
  // The path exactly as the engine read it (canonical, resolveIds kept), so both sides answer one question.
  const reply = await client.request('GET', table.definition.path, undefined, call);
  let serverRows: Row[];
  try {
    serverRows = parseReportRows(reply.json, `${group} report`) as Row[];
  } catch (error) {
    // A DizionsError (a reply of the wrong shape, refused): the app shows it as REJECTED, not as its own failure.
    throw errorFromBadReply(
      { method: 'GET', path: table.definition.path },
      reply.status,
      `the server's answer to ${table.definition.path} is not a report (rows keyed by ${dimension}${metric ? ` and ${metric}` : ''} plus count): ${(error as Error).message}`,
      { wrongShape: true, cause: error },
    );
  }

  const axes = metric === undefined ? [dimension] : [dimension, metric];
  const offline = new Map(table.rows.map((row) => [rowKey(row, axes), row]));
  const server = new Map(serverRows.map((row) => [rowKey(row, axes), row]));
  const differences: RowDifference[] = [];
  for (const key of new Set([...server.keys(), ...offline.keys()])) {
    const ours = offline.get(key);
    const theirs = server.get(key);
    if (countOf(ours) === countOf(theirs)) continue;
    const source = (theirs ?? ours)!;
    differences.push({
      key: Object.fromEntries(axes.map((axis) => [axis, source[axis] ?? null])),
      offline: countOf(ours),
      server: countOf(theirs),
      difference: countOf(theirs) - countOf(ours),
    });
  }

  const offlineTotal = table.rows.reduce((n, row) => n + countOf(row), 0);
  const serverTotal = serverRows.reduce((n, row) => n + countOf(row), 0);
  const pendingEdits = pendingEntryCount(replica);
  return {
    path: table.definition.path,
    offlineRows: table.rows,
    serverRows,
    offlineTotal,
    serverTotal,
    differences,
    matches: differences.length === 0,
    freshness: table.replicaFreshness,
    pendingEdits,
    explanation: explain(differences.length, offlineTotal, serverTotal, table.replicaFreshness, pendingEdits, now()),
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

function explain(differing: number, offlineTotal: number, serverTotal: number, freshness: ReportFreshness, pending: number, now: Date): string {
  const synced =
    freshness.lastSyncedAt === null ? 'This replica has never completed a sync.' : `The replica last synced ${formatSyncTime(freshness.lastSyncedAt)}${ageText(freshness.lastSyncedAt, now)}.`;
  if (differing === 0) {
    const agree = `The server agrees with this device: ${plural(serverTotal, 'record')} counted on both.`;
    const caveat = freshness.scoped ? ' The replica is scoped (it holds only what was synced to this device), yet for this report the server counted nothing more.' : '';
    return `${agree}${caveat}`;
  }
  const parts = [`The server counts ${plural(serverTotal, 'record')}; this device counts ${plural(offlineTotal, 'record')}, and ${plural(differing, 'row')} of the report differ.`];
  if (freshness.scoped) {
    parts.push(
      'The replica is scoped: it holds only what was synced to this device, not the whole organisation, so records the server has but this device never synced are missing from the offline figures.',
    );
  }
  parts.push(`${synced} Changes made on the server since then are not in the offline figures.`);
  if (pending > 0)
    parts.push(`${plural(pending, 'edit')} made on this device ${pending === 1 ? 'has' : 'have'} not reached the server yet, so the server does not count ${pending === 1 ? 'it' : 'them'}.`);
  parts.push("The server's figure is the current one; sync to bring this device up to date.");
  return parts.join(' ');
}

function ageText(lastSyncedAt: string, now: Date): string {
  const age = syncAge(lastSyncedAt, now);
  return age ? ` (${age.split(':')[0]})` : '';
}
