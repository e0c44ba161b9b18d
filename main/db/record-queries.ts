// Reads of one client, referral or contact and what hangs off it (referrals, contacts, extension
// rows, the stage dictionary's statuses), for the record screens, the caseload and "My actions"
// (main/app/). Each returns the stored record parsed from `raw`, or undefined when the replica does
// not hold it; lists keep the order the screens show. Reads only.

import type Database from 'better-sqlite3';
import type { ApiRecord } from './records.js';
import { cached } from './statement-cache.js';

export type StageStatus = 'Pending' | 'Open' | 'Closed';
export type ContactState = 'due' | 'done';

const parse = (text: string) => JSON.parse(text) as ApiRecord;

/** Stage id → status (Pending / Open / Closed) from the stage dictionary's extra, as synced. */
export function stageStatuses(sqlite: Database.Database): Map<number, StageStatus> {
  const rows = cached(sqlite, `SELECT id, json_extract(extra, '$.status') AS status FROM dictionaries WHERE table_ref = 'referrals/stage'`).all() as Array<{
    id: number;
    status: unknown;
  }>;
  const out = new Map<number, StageStatus>();
  for (const row of rows) if (row.status === 'Pending' || row.status === 'Open' || row.status === 'Closed') out.set(row.id, row.status);
  return out;
}

/** A client's id and name columns, as a summary beside another record. */
export function clientSummary(sqlite: Database.Database, id: number): { id: number; first_name: string | null; surname: string | null } | undefined {
  return cached(sqlite, 'SELECT id, first_name, surname FROM clients WHERE id = ?').get(id) as { id: number; first_name: string | null; surname: string | null } | undefined;
}

export function clientRecord(sqlite: Database.Database, id: number): ApiRecord | undefined {
  const row = cached(sqlite, 'SELECT raw FROM clients WHERE id = ?').get(id) as { raw: string } | undefined;
  return row ? parse(row.raw) : undefined;
}

export function referralRecord(sqlite: Database.Database, id: number): ApiRecord | undefined {
  const row = cached(sqlite, 'SELECT raw FROM referrals WHERE id = ?').get(id) as { raw: string } | undefined;
  return row ? parse(row.raw) : undefined;
}

/** A client's referrals, newest first. */
export function referralsOfClient(sqlite: Database.Database, clientId: number): ApiRecord[] {
  const rows = cached(sqlite, 'SELECT raw FROM referrals WHERE client = ? ORDER BY date DESC, id DESC').all(clientId) as Array<{ raw: string }>;
  return rows.map((row) => parse(row.raw));
}

export function contactRecord(sqlite: Database.Database, id: number): { state: ContactState; raw: ApiRecord } | undefined {
  const row = cached(sqlite, 'SELECT state, raw FROM contacts WHERE id = ?').get(id) as { state: ContactState; raw: string } | undefined;
  return row ? { state: row.state, raw: parse(row.raw) } : undefined;
}

/** The referral a contact belongs to: null when it has none, undefined when the replica lacks the contact. */
export function referralOfContact(sqlite: Database.Database, contactId: number): number | null | undefined {
  const row = cached(sqlite, 'SELECT referral FROM contacts WHERE id = ?').get(contactId) as { referral: number | null } | undefined;
  return row?.referral;
}

/** A client's contacts, directly or through one of `referralIds`, oldest first. */
export function contactsOfClient(sqlite: Database.Database, clientId: number, referralIds: readonly number[]): Array<{ state: ContactState; raw: ApiRecord }> {
  const rows = cached(sqlite, 'SELECT state, raw FROM contacts WHERE client = ? OR referral IN (SELECT value FROM json_each(?)) ORDER BY start_date, id').all(
    clientId,
    JSON.stringify(referralIds),
  ) as Array<{ state: ContactState; raw: string }>;
  return rows.map((row) => ({ state: row.state, raw: parse(row.raw) }));
}

/** A referral's contacts, oldest first. */
export function contactsOfReferral(sqlite: Database.Database, referralId: number): Array<{ state: ContactState; raw: ApiRecord }> {
  const rows = cached(sqlite, 'SELECT state, raw FROM contacts WHERE referral = ? ORDER BY start_date, id').all(referralId) as Array<{ state: ContactState; raw: string }>;
  return rows.map((row) => ({ state: row.state, raw: parse(row.raw) }));
}

/** Extension-database rows of a client, directly or through one of `referralIds`, by database then id. */
export function extensionRowsOfClient(sqlite: Database.Database, clientId: number, referralIds: readonly number[]): Array<{ database: string; raw: ApiRecord }> {
  const rows = cached(sqlite, 'SELECT database, raw FROM extension_records WHERE client = ? OR referral IN (SELECT value FROM json_each(?)) ORDER BY database, id').all(
    clientId,
    JSON.stringify(referralIds),
  ) as Array<{ database: string; raw: string }>;
  return rows.map((row) => ({ database: row.database, raw: parse(row.raw) }));
}

/** Extension-database rows of a referral, by database then id. */
export function extensionRowsOfReferral(sqlite: Database.Database, referralId: number): Array<{ database: string; raw: ApiRecord }> {
  const rows = cached(sqlite, 'SELECT database, raw FROM extension_records WHERE referral = ? ORDER BY database, id').all(referralId) as Array<{ database: string; raw: string }>;
  return rows.map((row) => ({ database: row.database, raw: parse(row.raw) }));
}

/** How many rows of one extension database the replica holds. */
export function countExtensionRows(sqlite: Database.Database, database: string): number {
  return (cached(sqlite, 'SELECT count(*) AS n FROM extension_records WHERE database = ?').get(database) as { n: number }).n;
}

/** The ids of one extension database's rows. */
export function extensionRowIds(sqlite: Database.Database, database: string): number[] {
  return (cached(sqlite, 'SELECT id FROM extension_records WHERE database = ?').all(database) as Array<{ id: number }>).map((row) => row.id);
}
