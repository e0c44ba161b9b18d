// The simulator's SQLite schema: one typed column per field of shared/dizions/model.ts, plus the
// tables the API cannot see (users, dictionaries, staging, uploads). Column kinds drive both the
// DDL and the validation of filter values and request bodies, so a field's type is stated once.
// Ids are never reused, even after the highest record is deleted: record tables keep a high-water
// mark in id_sequences (cheaper than AUTOINCREMENT, which costs a write per generated row).

import type Database from 'better-sqlite3';
import { CLIENT_FIELDS, CONTACT_FIELDS, REFERRAL_FIELDS, SCHEDULE_FIELDS, WORKER_FIELDS, storageKind, type StorageKind } from '../../shared/dizions/model.js';

export type ColumnKind = StorageKind;

/** A table the API exposes as a group (or two groups: due and done contacts share `contacts`). */
export interface TableSpec {
  table: string;
  /** Fields in API order, each with its kind. */
  columns: ReadonlyArray<readonly [string, ColumnKind]>;
  /** Columns stored but never returned (visibility bookkeeping). */
  hidden: ReadonlyArray<readonly [string, ColumnKind]>;
}

/** Multiple-record extension databases (seed: `extension_database/<name>_<id>`). */
export const EXTENSION_DATABASES: Record<string, { fields: ReadonlyArray<readonly [string, ColumnKind]> }> = {
  wellcheck_notes_9: {
    fields: [
      ['id', 'int'],
      ['referral', 'int'],
      ['client', 'int'],
      ['date_31', 'date'],
      ['wellbeing_score_32', 'int'],
      ['notes_33', 'text'],
      ['updated', 'timestamp'],
    ],
  },
  staff_disciplinary_13: {
    fields: [
      ['id', 'int'],
      ['referral', 'int'],
      ['client', 'int'],
      ['date_43', 'date'],
      ['outcome_44', 'text'],
      ['notes_45', 'text'],
      ['updated', 'timestamp'],
    ],
  },
};

/** The single-record extension field on clients (seed: `clients/website_photo_consent/109`). */
export const CLIENT_EXTENSION_FIELDS = ['website_photo_consent'] as const;

/** The kind of a model field of a group, from model.ts's field sets and dictionary map. */
export const kindOf: (group: string, field: string) => ColumnKind = storageKind;

const typed = (group: string, fields: readonly string[]) => fields.map((f) => [f, kindOf(group, f)] as const);

export const TABLES = {
  clients: {
    table: 'clients',
    columns: [...typed('clients', CLIENT_FIELDS), ['website_photo_consent', 'int']],
    hidden: [['created_by_user', 'int']],
  },
  referrals: { table: 'referrals', columns: typed('referrals', REFERRAL_FIELDS), hidden: [] },
  contacts: { table: 'contacts', columns: typed('done_contacts', CONTACT_FIELDS), hidden: [['done', 'int']] },
  workers: { table: 'workers', columns: typed('workers', WORKER_FIELDS), hidden: [] },
  schedules: { table: 'schedules', columns: typed('schedules', SCHEDULE_FIELDS), hidden: [] },
  ...Object.fromEntries(Object.entries(EXTENSION_DATABASES).map(([name, db]) => [name, { table: name, columns: db.fields, hidden: [] }])),
} satisfies Record<string, TableSpec> as Record<string, TableSpec>;

const SQL_TYPE: Record<ColumnKind, string> = { int: 'INTEGER', real: 'REAL', flag: 'TEXT', date: 'TEXT', timestamp: 'TEXT', text: 'TEXT' };

function tableDdl(spec: TableSpec): string {
  const columns = [...spec.columns, ...spec.hidden].map(([name, kind]) => (name === 'id' ? 'id INTEGER PRIMARY KEY' : `"${name}" ${SQL_TYPE[kind]}`));
  return `CREATE TABLE IF NOT EXISTS ${spec.table} (${columns.join(', ')})`;
}

export function createTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS id_sequences (table_name TEXT PRIMARY KEY, last INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, worker INTEGER, source TEXT NOT NULL,
      org TEXT NOT NULL, user_key TEXT NOT NULL, demo INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS user_projects (user_id INTEGER NOT NULL, project_id INTEGER NOT NULL, PRIMARY KEY (user_id, project_id)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS dictionaries (table_ref TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, extra TEXT, PRIMARY KEY (table_ref, id)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS relationships (
      id INTEGER PRIMARY KEY, first INTEGER NOT NULL, second INTEGER NOT NULL,
      relationship_first_to_second INTEGER, relationship_second_to_first INTEGER,
      relationship_first_to_second_carer INTEGER, relationship_second_to_first_carer INTEGER, updated TEXT);
    CREATE TABLE IF NOT EXISTS external_referrals (
      id INTEGER PRIMARY KEY AUTOINCREMENT, org_type_id TEXT NOT NULL, surname TEXT NOT NULL, description TEXT NOT NULL,
      project INTEGER, data TEXT NOT NULL, created_by_user INTEGER NOT NULL, received TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS upload_batches (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS uploads (
      id INTEGER PRIMARY KEY AUTOINCREMENT, batch INTEGER NOT NULL, grp TEXT NOT NULL, record INTEGER NOT NULL,
      filename TEXT NOT NULL, content_type TEXT, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, stored_as TEXT NOT NULL,
      user_visibility TEXT NOT NULL, group_visibility TEXT NOT NULL, created_by_user INTEGER NOT NULL, created TEXT NOT NULL);
  `);
  for (const spec of Object.values(TABLES)) db.exec(tableDdl(spec));
}

/** Indexes for the filters sync and the demo use; created after the bulk load (faster than during it). */
export function createIndexes(db: Database.Database): void {
  db.exec(`
    CREATE UNIQUE INDEX IF NOT EXISTS users_keys ON users (source, org, user_key);
    CREATE INDEX IF NOT EXISTS clients_worker ON clients (usual_support_worker);
    CREATE INDEX IF NOT EXISTS clients_creator ON clients (created_by_user);
    CREATE INDEX IF NOT EXISTS clients_external ON clients (external_id);
    CREATE INDEX IF NOT EXISTS referrals_client_project ON referrals (client, project);
    CREATE INDEX IF NOT EXISTS referrals_project ON referrals (project);
    CREATE INDEX IF NOT EXISTS referrals_updated ON referrals (updated);
    CREATE INDEX IF NOT EXISTS contacts_referral_start ON contacts (referral, start_date);
    CREATE INDEX IF NOT EXISTS contacts_user_start ON contacts (user, start_date);
    CREATE INDEX IF NOT EXISTS contacts_client ON contacts (client);
    CREATE INDEX IF NOT EXISTS contacts_project ON contacts (project);
    CREATE INDEX IF NOT EXISTS contacts_start ON contacts (start_date);
    CREATE INDEX IF NOT EXISTS schedules_client ON schedules (client);
    CREATE INDEX IF NOT EXISTS schedules_referral ON schedules (referral);
    CREATE INDEX IF NOT EXISTS relationships_first ON relationships (first);
    CREATE INDEX IF NOT EXISTS relationships_second ON relationships (second);
  `);
  for (const name of Object.keys(EXTENSION_DATABASES)) {
    db.exec(`CREATE INDEX IF NOT EXISTS ${name}_referral ON ${name} (referral); CREATE INDEX IF NOT EXISTS ${name}_client ON ${name} (client);`);
  }
}

/** Column names of a table in insert order (visible then hidden). */
export function insertColumns(spec: TableSpec): string[] {
  return [...spec.columns, ...spec.hidden].map(([name]) => name);
}

/** A prepared positional INSERT for a table spec. */
export function prepareInsert(db: Database.Database, spec: TableSpec): Database.Statement {
  const names = insertColumns(spec);
  return db.prepare(`INSERT INTO ${spec.table} (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
}

/** Tables whose ids come from id_sequences (see nextId). */
export const SEQUENCED_TABLES = [...Object.values(TABLES).map((spec) => spec.table), 'relationships'];

/** Records the highest id of every sequenced table (after the bulk load). */
export function initSequences(db: Database.Database): void {
  const set = db.prepare('INSERT OR REPLACE INTO id_sequences (table_name, last) VALUES (?, ?)');
  for (const table of SEQUENCED_TABLES) set.run(table, db.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${table}`).pluck().get() as number);
}

/** The next id of a table: above both its high-water mark and its current highest id. Call inside the insert's transaction. */
export function nextId(db: Database.Database, table: string): number {
  const last = (db.prepare('SELECT last FROM id_sequences WHERE table_name = ?').pluck().get(table) as number | undefined) ?? 0;
  const max = db.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${table}`).pluck().get() as number;
  const id = Math.max(last, max) + 1;
  db.prepare('INSERT OR REPLACE INTO id_sequences (table_name, last) VALUES (?, ?)').run(table, id);
  return id;
}
