// The dialect a replica's connection speaks, saved with the replica (in the outbox's key/value
// table): `caseworker queue` reads typed paths in it, `outbox list` prints entries in it, and
// `sync` uses it when no --dialect is given. Set by `sync --dialect` (and by whatever detects it).

import type Database from 'better-sqlite3';
import { isDialect, type Dialect } from '../../shared/dizions/dialects.js';

const KEY = 'dialect';

export function savedDialect(sqlite: Database.Database): Dialect | undefined {
  const row = sqlite.prepare('SELECT value FROM outbox_state WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!row) return undefined;
  const value = JSON.parse(row.value) as unknown;
  return isDialect(value) ? value : undefined;
}

export function saveDialect(sqlite: Database.Database, dialect: Dialect): void {
  sqlite.prepare('INSERT INTO outbox_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify(dialect));
}
