// The raw baseline the sync benchmark is measured against: the same records through plain chunked
// undici requests (ids first, then batches of ids with the same fields, four in flight), JSON.parse
// and raw prepared INSERTs into the same schema, one transaction per batch. No diff, no retries, no
// pending checks, no progress: the floor that sync's ~20% allowance is measured from.

import fs from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { Pool } from 'undici';
import { DICTIONARY_TABLES, RELATIONSHIP_DICTIONARIES, type RecordGroup } from '../shared/dizions/model.js';
import { GROUP_TABLES, quoteIdent } from '../main/db/groups.js';
import { keyPragma, MIGRATIONS_FOLDER, openReplicaWithKey } from '../main/db/open.js';
import { deferIndexes, restoreDeferredIndexes } from '../main/db/deferred-indexes.js';

export interface RawBaselineOptions {
  url: string;
  keys: { source: string; org: string; user: string };
  dbFile: string;
  dbKey: string;
  /** Groups to copy, each with the path listing its ids (e.g. `clients`, `done_contacts`). */
  groups: Array<{ group: RecordGroup; path: string }>;
}

export interface RawBaselineResult {
  seconds: number;
  records: number;
  bytes: number;
  requests: number;
}

const MAX_PATH_CHARS = 7000;
const MAX_IDS = 1000;
const IN_FLIGHT = 4;

/** Plain GETs of JSON (no compression), counting requests and the bytes received, as both baselines ask. */
function plainGets(options: Pick<RawBaselineOptions, 'url' | 'keys'>, connections: number) {
  const base = new URL(options.url);
  const pool = new Pool(base.origin, { connections });
  const prefix = base.pathname.replace(/\/+$/, '');
  const headers = { Source: options.keys.source, Org: options.keys.org, User: options.keys.user, accept: 'application/json' };
  const counts = { bytes: 0, requests: 0 };
  const get = async (path: string): Promise<unknown> => {
    counts.requests++;
    const reply = await pool.request({ path: `${prefix}/${path}`, method: 'GET', headers, headersTimeout: 600_000, bodyTimeout: 600_000 });
    const text = await reply.body.text();
    counts.bytes += Buffer.byteLength(text);
    if (reply.statusCode !== 200) throw new Error(`GET ${path}: ${reply.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  return { pool, get, counts };
}

export async function rawBaseline(options: RawBaselineOptions): Promise<RawBaselineResult> {
  const { pool, get, counts } = plainGets(options, IN_FLIGHT);
  const replica = openReplicaWithKey({ file: options.dbFile, key: options.dbKey });
  let records = 0;

  const started = performance.now();
  try {
    // Dictionaries and selectable fields, as sync fetches them on a first run.
    const fields = new Map<RecordGroup, string[]>();
    for (const { group } of options.groups) fields.set(group, (await get(`${group}/selectable_fields`)) as string[]);
    const putDictionary = replica.sqlite.prepare('INSERT OR REPLACE INTO dictionaries (table_ref, id, name, extra) VALUES (?, ?, ?, ?)');
    for (const table of [...DICTIONARY_TABLES, ...RELATIONSHIP_DICTIONARIES]) {
      const entries = (await get(`dictionary/${table}`)) as Array<Record<string, unknown>>;
      replica.sqlite.transaction(() => {
        for (const { id, name, ...extra } of entries) putDictionary.run(table, id, name, Object.keys(extra).length ? JSON.stringify(extra) : null);
      })();
    }

    for (const { group, path } of options.groups) {
      const spec = GROUP_TABLES[group];
      const columns = [...spec.columns, 'raw', ...(spec.state ? ['state'] : [])];
      const insert = replica.sqlite.prepare(`INSERT OR REPLACE INTO ${quoteIdent(spec.table)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      const write = replica.sqlite.transaction((rows: Array<Record<string, unknown>>) => {
        for (const row of rows) {
          const values = spec.columns.map((c) => {
            const v = row[c];
            return v === undefined || v === '' ? null : typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string | number | null);
          });
          values.push(JSON.stringify(row));
          if (spec.state) values.push(spec.state);
          insert.run(values);
        }
      });
      const ids = ((await get(`${path}/field/id`)) as Array<{ id: number }>).map((r) => r.id);
      const fieldList = fields.get(group)!.join(';');
      const chunks: string[] = [];
      let chunk: number[] = [];
      let length = 0;
      const fixed = `${group}/id//field/${fieldList}`.length;
      for (const id of ids) {
        const extra = String(id).length + 1;
        if (chunk.length > 0 && (fixed + length + extra > MAX_PATH_CHARS || chunk.length >= MAX_IDS)) {
          chunks.push(chunk.join(';'));
          chunk = [];
          length = 0;
        }
        chunk.push(id);
        length += extra;
      }
      if (chunk.length > 0) chunks.push(chunk.join(';'));
      let next = 0;
      const lane = async () => {
        while (next < chunks.length) {
          const list = chunks[next++]!;
          const rows = (await get(`${group}/id/${list}/field/${fieldList}`)) as Array<Record<string, unknown>>;
          write(rows);
          records += rows.length;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    }
  } finally {
    replica.close();
    await pool.close();
  }
  return { seconds: (performance.now() - started) / 1000, records, ...counts };
}

// ---- the one-shot path ---------------------------------------------------------------------------
// The floor a sync is held to (issue 14): per group one plain GET of every record with every field
// (no compression), JSON.parse of the whole reply, prepared inserts in one transaction per group.
// With no ingredients it writes `(id, json)` rows into an unencrypted file; each ingredient adds one
// thing the replica does, so the bench can say where a sync's time goes beyond the floor.

export interface OneShotIngredients {
  /** The replica's typed columns (the migrated schema) instead of `(id, json)`. */
  typedRows?: boolean;
  /** Keep the replica's secondary indexes (only with typedRows). */
  indexes?: boolean;
  /** Keep the FTS triggers (only with typedRows). */
  fts?: boolean;
  /** Indexes and FTS set aside during the inserts and built once after, as a first sync does (main/db/deferred-indexes.ts). */
  builtAfter?: boolean;
  /** SQLCipher with the given key, as a first fill writes it: rollback journal, synchronous=FULL (main/db/fill-journal.ts). */
  encrypted?: boolean;
}

export interface OneShotOptions extends Omit<RawBaselineOptions, 'dbKey'> {
  dbKey?: string;
  ingredients?: OneShotIngredients;
}

export async function oneShotBaseline(options: OneShotOptions): Promise<RawBaselineResult> {
  const ingredients = options.ingredients ?? {};
  const { pool, get, counts } = plainGets(options, 1);
  let records = 0;

  const started = performance.now();
  const sqlite = openOneShotFile(options.dbFile, ingredients, options.dbKey);
  if (ingredients.builtAfter) deferIndexes({ sqlite }, ['clients', 'referrals', 'contacts', 'workers', 'schedules']);
  try {
    for (const { group, path } of options.groups) {
      const fields = (await get(`${group}/selectable_fields`)) as string[];
      const rows = (await get(`${path}/field/${fields.join(';')}`)) as Array<Record<string, unknown>>;
      if (ingredients.typedRows) {
        const spec = GROUP_TABLES[group];
        const columns = [...spec.columns, 'raw', ...(spec.state ? ['state'] : [])];
        const insert = sqlite.prepare(`INSERT OR REPLACE INTO ${quoteIdent(spec.table)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        sqlite.transaction(() => {
          for (const row of rows) {
            const values = spec.columns.map((c) => {
              const v = row[c];
              return v === undefined || v === '' ? null : typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string | number | null);
            });
            values.push(JSON.stringify(row));
            if (spec.state) values.push(spec.state);
            insert.run(values);
          }
        })();
      } else {
        const table = quoteIdent(`raw_${group}`);
        sqlite.exec(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY, json TEXT NOT NULL)`);
        const insert = sqlite.prepare(`INSERT OR REPLACE INTO ${table} (id, json) VALUES (?, ?)`);
        sqlite.transaction(() => {
          for (const row of rows) insert.run(row.id as number, JSON.stringify(row));
        })();
      }
      records += rows.length;
    }
    // Encrypted: built as a sync builds them, on a second connection that skips the HMAC check on read.
    const keyed = ingredients.encrypted && options.dbKey ? { file: options.dbFile, keyPragma: keyPragma(options.dbKey) } : {};
    if (ingredients.builtAfter) restoreDeferredIndexes({ sqlite, ...keyed });
  } finally {
    sqlite.close();
    await pool.close();
  }
  return { seconds: (performance.now() - started) / 1000, records, ...counts };
}

/** A fresh file for the one-shot path: plain, or the replica's schema with only the ingredients asked for. */
function openOneShotFile(file: string, ingredients: OneShotIngredients, key: string | undefined): Database.Database {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const sqlite = new Database(file);
  if (ingredients.encrypted) {
    if (!key) throw new Error('the encrypted one-shot needs a key');
    sqlite.pragma(`cipher = 'sqlcipher'`);
    sqlite.pragma(`key = "x'${key}'"`);
    sqlite.pragma('journal_mode = DELETE');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('cache_size = -32768');
  }
  if (ingredients.typedRows) {
    migrate(drizzle(sqlite), { migrationsFolder: MIGRATIONS_FOLDER });
    const objects = sqlite
      .prepare(`SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ('clients', 'referrals', 'contacts', 'workers', 'schedules')`)
      .all() as Array<{ type: string; name: string }>;
    for (const { type, name } of objects) {
      if (type === 'index' && !ingredients.indexes) sqlite.exec(`DROP INDEX ${quoteIdent(name)}`);
      if (type === 'trigger' && !ingredients.fts) sqlite.exec(`DROP TRIGGER ${quoteIdent(name)}`);
    }
  }
  return sqlite;
}
