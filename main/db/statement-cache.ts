// The replica's prepared-statement cache: one compiled statement per connection and SQL text.
// Preparing costs more than running on the write and sync paths, so every data function that runs
// a statement more than once takes it from here; the cache dies with its connection (a WeakMap).
import type Database from 'better-sqlite3';

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function cached(sqlite: Database.Database, sql: string): Database.Statement {
  let byText = statements.get(sqlite);
  if (!byText) {
    byText = new Map();
    statements.set(sqlite, byText);
  }
  let statement = byText.get(sql);
  if (!statement) {
    statement = sqlite.prepare(sql);
    byText.set(sql, statement);
  }
  return statement;
}
