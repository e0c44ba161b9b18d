// The app_credentials table (migration 0004): named secrets the browser host keeps inside the
// SQLCipher replica, so they are encrypted with it and follow it when it is reopened. One row per
// name; a write replaces the value and stamps when.
import type Database from 'better-sqlite3';
import { cached } from './statement-cache.js';

export function readCredential(sqlite: Database.Database, name: string): string | undefined {
  const row = cached(sqlite, 'SELECT value FROM app_credentials WHERE name = ?').get(name) as { value: string } | undefined;
  return row?.value;
}

export function writeCredential(sqlite: Database.Database, name: string, value: string, at = new Date()): void {
  cached(sqlite, 'INSERT INTO app_credentials (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(
    name,
    value,
    at.toISOString(),
  );
}

export function deleteCredential(sqlite: Database.Database, name: string): void {
  cached(sqlite, 'DELETE FROM app_credentials WHERE name = ?').run(name);
}
