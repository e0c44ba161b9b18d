// Report definitions saved by name in the replica (table saved_reports, main/db/schema-reports.ts).
// A definition is checked before it is kept — a report path of the grammar, printed canonically,
// sums only where contacts carry them — so a saved report always opens; its figures are recomputed
// from the replica each time it runs.

import type { Replica } from '../db/open.js';
import { checkSums, parseReportPath, ReportError } from './engine.js';
import { printPath } from '../../shared/url-grammar.js';

type Handle = Pick<Replica, 'sqlite'>;

export interface SavedReport {
  id: number;
  title: string;
  path: string;
  sums: boolean;
  /** ISO 8601. */
  createdAt: string;
}

export interface SaveReportInput {
  title: string;
  path: string;
  sums?: boolean | undefined;
}

export const MAX_TITLE_LENGTH = 200;

interface Row {
  id: number;
  title: string;
  path: string;
  sums: number;
  created_at: string;
}

function rowToSavedReport(row: Row): SavedReport {
  return { id: row.id, title: row.title, path: row.path, sums: row.sums === 1, createdAt: row.created_at };
}

/** Keeps a report definition; throws ReportError for an empty title or a path that is not a report. */
export function saveReport(replica: Handle, input: SaveReportInput, now: () => Date = () => new Date()): SavedReport {
  const title = input.title.trim();
  if (title === '') throw new ReportError('a saved report needs a title');
  if (title.length > MAX_TITLE_LENGTH) throw new ReportError(`a report title has at most ${MAX_TITLE_LENGTH} characters (this one has ${title.length})`);
  const parsed = parseReportPath(input.path);
  if (input.sums) checkSums(parsed.group);
  const path = printPath(parsed);
  const row = replica.sqlite
    .prepare('INSERT INTO saved_reports (title, path, sums, created_at) VALUES (?, ?, ?, ?) RETURNING id, title, path, sums, created_at')
    .get(title, path, input.sums ? 1 : 0, now().toISOString()) as Row;
  return rowToSavedReport(row);
}

/** Every saved report, by title (then oldest first). */
export function listSavedReports(replica: Handle): SavedReport[] {
  const rows = replica.sqlite.prepare('SELECT id, title, path, sums, created_at FROM saved_reports ORDER BY title COLLATE NOCASE, id').all() as Row[];
  return rows.map(rowToSavedReport);
}

/** Removes a saved report; false when there was none with that id. */
export function deleteSavedReport(replica: Handle, id: number): boolean {
  return replica.sqlite.prepare('DELETE FROM saved_reports WHERE id = ?').run(id).changes === 1;
}
