// Reads of the synced workers list (/workers), for "who I am": the logins and worker records the
// server knows, and a person's name. Empty before the first sync.

import type Database from 'better-sqlite3';
import { cached } from './statement-cache.js';

export function syncedWorkers(sqlite: Database.Database): Array<{ id: number; user: number | null }> {
  return cached(sqlite, 'SELECT id, "user" AS user FROM workers').all() as Array<{ id: number; user: number | null }>;
}

/** The name columns of worker `worker`, else of the worker who signs in as `user`. */
export function workerName(sqlite: Database.Database, user: number, worker: number | null): { first_name: string | null; surname: string | null } | undefined {
  return cached(sqlite, 'SELECT first_name, surname FROM workers WHERE id = ? OR "user" = ? ORDER BY (id = ?) DESC LIMIT 1').get(worker ?? -1, user, worker ?? -1) as
    { first_name: string | null; surname: string | null } | undefined;
}
