// The simulator's state: one SQLite file (WAL) holding the simulated charity, generated once from
// a seed and reused on every later start, so edits survive a restart. Besides what the API can
// do, it offers control operations (delete, move, touch) that tests and trainers need to make
// server-side changes the API itself cannot express. Every change moves `updated` forward.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Dialect } from '../../shared/dizions/assumptions.js';
import { isRecordGroup, type RecordGroup } from '../../shared/dizions/model.js';
import { unitHash } from './data-random.js';
import { EXTENSION_DATABASES, createIndexes, createTables, initSequences } from './data-schema.js';
import { UpdatedClock } from './data-time.js';
import type { DictionaryItem } from './data-vocabulary.js';
import { UploadSeal, applyStoreKey, checkStoreKey, createPrivateFile, encryptInPlace, isPlaintextDatabase } from './at-rest.js';
import { generateData } from './generate.js';
import type { SimUser, UpdatedFilterGroups } from './types.js';

export interface OpenSimStoreOptions {
  file: string;
  seed?: number;
  clients?: number;
  uploadsDir: string;
  now?: () => Date;
  /** Which verbs create and update (shared/dizions/assumptions.ts WRITE_VERBS). Default '2019'. */
  dialect?: Dialect;
  /** 64 hex digits: sim.db encrypted with SQLCipher and uploads sealed (the demo; see at-rest.ts). */
  key?: string;
}

export interface UploadRecord {
  id: number;
  /** The upload batch (one request); its id is what the API replied. */
  batch: number;
  group: 'clients' | 'referrals';
  record: number;
  filename: string;
  content_type: string | null;
  bytes: number;
  sha256: string;
  /** Where the bytes are, under uploadsDir. */
  path: string;
  user_visibility: number[];
  group_visibility: number[];
  created_by_user: number;
}

interface UserRow {
  id: number;
  name: string;
  worker: number | null;
  source: string;
  org: string;
  user_key: string;
}

const TOUCHABLE: Record<RecordGroup, { table: string; column: 'telephone' | 'description'; where: string }> = {
  clients: { table: 'clients', column: 'telephone', where: '1' },
  referrals: { table: 'referrals', column: 'description', where: '1' },
  due_contacts: { table: 'contacts', column: 'description', where: 'done = 0' },
  done_contacts: { table: 'contacts', column: 'description', where: 'done = 1' },
  workers: { table: 'workers', column: 'telephone', where: '1' },
  schedules: { table: 'schedules', column: 'description', where: '1' },
};

export function openSimStore(options: OpenSimStoreOptions): SimStore {
  const now = options.now ?? (() => new Date());
  fs.mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  fs.mkdirSync(options.uploadsDir, { recursive: true });
  const key = options.key;
  if (key !== undefined) {
    checkStoreKey(key);
    // A demo folder from before encryption: encrypt it in place rather than lose the practice edits.
    if (isPlaintextDatabase(options.file)) encryptInPlace(options.file, key);
    createPrivateFile(options.file);
  }
  let db = openDatabase(options.file, key);
  if (!isGenerated(db)) {
    // A file without the "generated" mark is new or was cut short mid-generation: start it afresh.
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(options.file + suffix, { force: true });
    if (key !== undefined) createPrivateFile(options.file);
    db = new Database(options.file);
    if (key !== undefined) applyStoreKey(db, key);
    populate(db, options.seed ?? 1, options.clients ?? 200, now());
    db.close();
    db = openDatabase(options.file, key);
  }
  const seal = key === undefined ? undefined : new UploadSeal(key);
  if (seal) sealPlainUploads(db, options.uploadsDir, seal);
  return new SimStore(db, options.uploadsDir, now, options.dialect ?? '2019', seal);
}

/** Uploads stored in the clear by an older demo: sealed, renamed, the originals removed. */
function sealPlainUploads(db: Database.Database, uploadsDir: string, seal: UploadSeal): void {
  const plain = db.prepare("SELECT id, stored_as FROM uploads WHERE stored_as NOT LIKE '%.sealed'").all() as Array<{ id: number; stored_as: string }>;
  for (const row of plain) {
    const from = path.join(uploadsDir, row.stored_as);
    const to = UploadSeal.storedName(row.id);
    let data: Buffer;
    try {
      data = fs.readFileSync(from);
    } catch {
      continue; // the file is gone; the row stays as it was
    }
    fs.writeFileSync(path.join(uploadsDir, to), seal.seal(data), { mode: 0o600 });
    db.prepare('UPDATE uploads SET stored_as = ? WHERE id = ?').run(to, row.id);
    fs.rmSync(from, { force: true });
  }
}

function openDatabase(file: string, key?: string): Database.Database {
  const db = new Database(file);
  try {
    if (key !== undefined) applyStoreKey(db, key);
    db.pragma('journal_mode = WAL'); // the first read: a wrong key fails here (SQLITE_NOTADB)
  } catch (error) {
    db.close();
    throw error;
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

function isGenerated(db: Database.Database): boolean {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return false;
  return db.prepare("SELECT 1 FROM meta WHERE key = 'generated_at'").get() !== undefined;
}

function populate(db: Database.Database, seed: number, clients: number, at: Date): void {
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`clients must be a positive whole number, got ${clients}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be a whole number, got ${seed}`);
  // No journal while generating: a crash mid-generation leaves no "generated" mark, and the next
  // open starts afresh anyway. Writing every page once (not to a WAL and then again) halves the I/O.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -131072'); // 128 MiB: index builds over a million contacts stay in memory
  createTables(db);
  generateData(db, { seed, clients, now: at });
  createIndexes(db);
  initSequences(db);
  const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  setMeta.run('seed', String(seed));
  setMeta.run('clients', String(clients));
  setMeta.run('generated_at', at.toISOString());
}

export class SimStore {
  readonly clock: UpdatedClock;
  /** Which groups take the `updated` range filter (SimOptions.updatedFilter). */
  updatedFilter: UpdatedFilterGroups = 'referrals';
  private dictionaryCache: Map<string, DictionaryItem[]> | undefined;
  private readonly userStatement: Database.Statement;
  private readonly projectsStatement: Database.Statement;

  constructor(
    readonly db: Database.Database,
    readonly uploadsDir: string,
    readonly now: () => Date,
    readonly dialect: Dialect,
    /** Set when uploads are sealed at rest (the demo): write them through it. */
    readonly seal?: UploadSeal,
  ) {
    this.clock = new UpdatedClock(now, this.latestUpdated());
    this.userStatement = db.prepare('SELECT id, name, worker, source, org, user_key FROM users WHERE source = ? AND org = ? AND user_key = ?');
    this.projectsStatement = db.prepare('SELECT project_id FROM user_projects WHERE user_id = ? ORDER BY project_id').pluck();
  }

  /**
   * What a server filtering every group by `updated` would have: an index on it per table, one that
   * counts contacts per project without reading them, and the planner's statistics so it picks them
   * over the project index (kept in the file once made).
   */
  indexUpdated(): void {
    for (const table of ['clients', 'referrals', 'contacts', 'workers', 'schedules']) this.db.exec(`CREATE INDEX IF NOT EXISTS ${table}_updated ON ${table} (updated)`);
    this.db.exec('CREATE INDEX IF NOT EXISTS contacts_done_project ON contacts (done, project)');
    const analysed = this.db.prepare("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1')").pluck().get() === 1;
    if (!analysed) this.db.exec('ANALYZE');
  }

  /** The seed and size the file was generated with (a restart reuses the file whatever the options say). */
  meta(): Record<string, string> {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  /** The demo logins (named people with caseloads in different projects). */
  users(): SimUser[] {
    const rows = this.db.prepare('SELECT id, name, worker, source, org, user_key FROM users WHERE demo = 1 ORDER BY id').all() as UserRow[];
    return rows.map((row) => this.toSimUser(row));
  }

  /** Every login, demo or not. */
  allUsers(): SimUser[] {
    const rows = this.db.prepare('SELECT id, name, worker, source, org, user_key FROM users ORDER BY id').all() as UserRow[];
    return rows.map((row) => this.toSimUser(row));
  }

  findUserByKeys(source: string, org: string, user: string): SimUser | undefined {
    const row = this.userStatement.get(source, org, user) as UserRow | undefined;
    return row ? this.toSimUser(row) : undefined;
  }

  userExists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM users WHERE id = ?').get(id) !== undefined;
  }

  private toSimUser(row: UserRow): SimUser {
    return {
      id: row.id,
      name: row.name,
      worker: row.worker,
      source: row.source,
      org: row.org,
      user: row.user_key,
      projects: this.projectsStatement.all(row.id) as number[],
    };
  }

  // ---- dictionaries (read-only through the API; cached) ------------------------------------------

  dictionaries(): Map<string, DictionaryItem[]> {
    if (!this.dictionaryCache) {
      const rows = this.db.prepare('SELECT table_ref, id, name, extra FROM dictionaries ORDER BY table_ref, id').all() as Array<{ table_ref: string; id: number; name: string; extra: string | null }>;
      const map = new Map<string, DictionaryItem[]>();
      for (const row of rows) {
        const list = map.get(row.table_ref) ?? [];
        list.push(row.extra ? { id: row.id, name: row.name, extra: JSON.parse(row.extra) as Record<string, unknown> } : { id: row.id, name: row.name });
        map.set(row.table_ref, list);
      }
      this.dictionaryCache = map;
    }
    return this.dictionaryCache;
  }

  dictionaryItem(table: string, id: number): DictionaryItem | undefined {
    return this.dictionaries()
      .get(table)
      ?.find((item) => item.id === id);
  }

  // ---- the `updated` clock ---------------------------------------------------------------------------

  /** A stamp later than every current `updated` of the rows matched (so each of them visibly changes). */
  stampFor(table: string, where: string, params: unknown[]): string {
    const previous = this.db
      .prepare(`SELECT MAX(updated) FROM ${table} WHERE ${where}`)
      .pluck()
      .get(...params) as string | null;
    return this.clock.next(previous);
  }

  private latestUpdated(): string {
    let latest = '';
    for (const table of ['clients', 'referrals', 'contacts', 'workers', 'schedules', 'relationships', ...Object.keys(EXTENSION_DATABASES)]) {
      const value = this.db.prepare(`SELECT MAX(updated) FROM ${table}`).pluck().get() as string | null;
      if (value && value > latest) latest = value;
    }
    return latest;
  }

  // ---- control operations (not reachable through the API) ---------------------------------------------

  /** Removes a record and what hangs off it; false when it does not exist. */
  deleteRecord(group: RecordGroup | string, id: number): boolean {
    const db = this.db;
    const exists = (table: string, extra = '') => db.prepare(`SELECT 1 FROM ${table} WHERE id = ?${extra}`).get(id) !== undefined;
    return db.transaction((): boolean => {
      switch (group) {
        case 'clients': {
          if (!exists('clients')) return false;
          const referrals = db.prepare('SELECT id FROM referrals WHERE client = ?').pluck().all(id) as number[];
          for (const referral of referrals) this.deleteReferralRows(referral);
          const related = db.prepare('SELECT CASE WHEN first = ? THEN second ELSE first END FROM relationships WHERE first = ? OR second = ?').pluck().all(id, id, id) as number[];
          db.prepare('DELETE FROM relationships WHERE first = ? OR second = ?').run(id, id);
          for (const other of new Set(related)) this.bump('clients', other); // their relationship_details changed
          db.prepare('DELETE FROM contacts WHERE client = ?').run(id);
          db.prepare('DELETE FROM schedules WHERE client = ?').run(id);
          for (const name of Object.keys(EXTENSION_DATABASES)) db.prepare(`DELETE FROM ${name} WHERE client = ?`).run(id);
          this.deleteUploads('clients', id);
          db.prepare('DELETE FROM clients WHERE id = ?').run(id);
          return true;
        }
        case 'referrals':
          if (!exists('referrals')) return false;
          this.deleteReferralRows(id);
          return true;
        case 'due_contacts':
        case 'done_contacts':
        case 'contacts': {
          const done = group === 'due_contacts' ? ' AND done = 0' : group === 'done_contacts' ? ' AND done = 1' : '';
          return db.prepare(`DELETE FROM contacts WHERE id = ?${done}`).run(id).changes === 1;
        }
        case 'workers': {
          if (!exists('workers')) return false;
          const clients = db.prepare('SELECT id FROM clients WHERE usual_support_worker = ?').pluck().all(id) as number[];
          for (const client of clients) this.bump('clients', client, { usual_support_worker: null });
          const schedules = db.prepare('SELECT id FROM schedules WHERE worker = ?').pluck().all(id) as number[];
          for (const schedule of schedules) this.bump('schedules', schedule, { worker: null });
          db.prepare('UPDATE users SET worker = NULL WHERE worker = ?').run(id);
          db.prepare('DELETE FROM workers WHERE id = ?').run(id);
          return true;
        }
        case 'schedules':
          return db.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes === 1;
        default:
          if (group in EXTENSION_DATABASES) return db.prepare(`DELETE FROM ${group} WHERE id = ?`).run(id).changes === 1;
          return false;
      }
    })();
  }

  private deleteReferralRows(referral: number): void {
    this.db.prepare('DELETE FROM contacts WHERE referral = ?').run(referral);
    this.db.prepare('DELETE FROM schedules WHERE referral = ?').run(referral);
    for (const name of Object.keys(EXTENSION_DATABASES)) this.db.prepare(`DELETE FROM ${name} WHERE referral = ?`).run(referral);
    this.deleteUploads('referrals', referral);
    this.db.prepare('DELETE FROM referrals WHERE id = ?').run(referral);
  }

  private deleteUploads(group: 'clients' | 'referrals', record: number): void {
    const files = this.db.prepare('SELECT stored_as FROM uploads WHERE grp = ? AND record = ?').pluck().all(group, record) as string[];
    for (const file of files) fs.rmSync(path.join(this.uploadsDir, file), { force: true });
    this.db.prepare('DELETE FROM uploads WHERE grp = ? AND record = ?').run(group, record);
  }

  /** Sets columns of one row and moves its `updated` forward. */
  bump(table: string, id: number, set: Record<string, unknown> = {}): void {
    const stamp = this.stampFor(table, 'id = ?', [id]);
    const columns = Object.keys(set);
    const assignments = [...columns.map((c) => `"${c}" = ?`), 'updated = ?'].join(', ');
    this.db.prepare(`UPDATE ${table} SET ${assignments} WHERE id = ?`).run(...columns.map((c) => set[c]), stamp, id);
  }

  moveClientToWorker(clientId: number, workerId: number | null): boolean {
    if (!this.db.prepare('SELECT 1 FROM clients WHERE id = ?').get(clientId)) return false;
    if (workerId !== null && !this.db.prepare('SELECT 1 FROM workers WHERE id = ?').get(workerId)) return false;
    this.bump('clients', clientId, { usual_support_worker: workerId });
    return true;
  }

  moveReferralToProject(referralId: number, projectId: number): boolean {
    const project = this.dictionaryItem('referrals/project', projectId);
    if (!project || !this.db.prepare('SELECT 1 FROM referrals WHERE id = ?').get(referralId)) return false;
    this.db.transaction(() => {
      this.bump('referrals', referralId, { project: projectId, project_category: project.extra?.category ?? null });
      const stamp = this.stampFor('contacts', 'referral = ?', [referralId]);
      this.db.prepare('UPDATE contacts SET project = ?, updated = ? WHERE referral = ?').run(projectId, stamp, referralId);
    })();
    return true;
  }

  /** Makes `userId` a member of every project, so they see the whole organisation (a manager; benches and tests). */
  joinEveryProject(userId: number): void {
    this.db.prepare(`INSERT OR IGNORE INTO user_projects (user_id, project_id) SELECT ?, id FROM dictionaries WHERE table_ref = 'referrals/project'`).run(userId);
  }

  /** Changes a deterministic sample (telephone or description) of a group; returns the ids changed. */
  touchRecords(group: RecordGroup, fraction: number, seed = 1): number[] {
    if (!isRecordGroup(group)) throw new Error(`touchRecords: unknown group ${String(group)}`);
    const { table, column, where } = TOUCHABLE[group];
    const rows = this.db.prepare(`SELECT id, "${column}" AS value FROM ${table} WHERE ${where} ORDER BY id`).all() as Array<{ id: number; value: string | null }>;
    const chosen = rows.filter((row) => unitHash(seed, row.id) < fraction);
    this.db.transaction(() => {
      for (const row of chosen) {
        let value: string;
        if (column === 'telephone') {
          let n = Math.floor(unitHash(seed + 7, row.id) * 1000);
          value = `01632 960${String(n).padStart(3, '0')}`;
          if (value === row.value) value = `01632 960${String((n = (n + 1) % 1000)).padStart(3, '0')}`;
        } else {
          value = `${(row.value ?? '').replace(/ \(revised \d+\)$/, '')} (revised ${Math.floor(unitHash(seed + 13, row.id) * 1e6)})`;
          if (value === row.value) value += '.';
        }
        this.bump(table, row.id, { [column]: value });
      }
    })();
    return chosen.map((row) => row.id);
  }

  uploads(): UploadRecord[] {
    const rows = this.db.prepare('SELECT * FROM uploads ORDER BY id').all() as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      id: row.id as number,
      batch: row.batch as number,
      group: row.grp as 'clients' | 'referrals',
      record: row.record as number,
      filename: row.filename as string,
      content_type: row.content_type as string | null,
      bytes: row.bytes as number,
      sha256: row.sha256 as string,
      path: path.join(this.uploadsDir, row.stored_as as string),
      user_visibility: JSON.parse(row.user_visibility as string) as number[],
      group_visibility: JSON.parse(row.group_visibility as string) as number[],
      created_by_user: row.created_by_user as number,
    }));
  }

  /** The staging table of external referrals (never readable through the API). */
  externalReferrals(): Array<Record<string, unknown>> {
    const rows = this.db.prepare('SELECT id, data, created_by_user, received FROM external_referrals ORDER BY id').all() as Array<{
      id: number;
      data: string;
      created_by_user: number;
      received: string;
    }>;
    return rows.map((row) => ({ id: row.id, ...(JSON.parse(row.data) as Record<string, unknown>), created_by_user: row.created_by_user, received: row.received }));
  }

  counts(): Record<string, number> {
    const count = (sql: string) => this.db.prepare(sql).pluck().get() as number;
    const out: Record<string, number> = {
      clients: count('SELECT COUNT(*) FROM clients'),
      referrals: count('SELECT COUNT(*) FROM referrals'),
      due_contacts: count('SELECT COUNT(*) FROM contacts WHERE done = 0'),
      done_contacts: count('SELECT COUNT(*) FROM contacts WHERE done = 1'),
      workers: count('SELECT COUNT(*) FROM workers'),
      schedules: count('SELECT COUNT(*) FROM schedules'),
      users: count('SELECT COUNT(*) FROM users'),
      relationships: count('SELECT COUNT(*) FROM relationships'),
      dictionaries: count('SELECT COUNT(*) FROM dictionaries'),
      external_referrals: count('SELECT COUNT(*) FROM external_referrals'),
      uploads: count('SELECT COUNT(*) FROM uploads'),
    };
    for (const name of Object.keys(EXTENSION_DATABASES)) out[name] = count(`SELECT COUNT(*) FROM ${name}`);
    return out;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
