// One pusher per replica. Two processes sending the same outbox (the app and a `caseworker sync`
// in a terminal) would each take the other's in-flight entries for crash leftovers and could send
// them twice, so a push holds a lock row naming its process. A lock whose process is gone (kill -9,
// a crash, a power cut) is taken over; the entries it left `sending` are then reconciled.

import type Database from 'better-sqlite3';
import os from 'node:os';
import { cached } from '../db/statement-cache.js';

const LOCK_KEY = 'push_lock';

interface Holder { pid: number; host: string; since: string }

/** Whether the process that holds a lock is still running (on this machine; another machine's lock is trusted). */
function alive(holder: Holder): boolean {
  if (holder.host !== os.hostname()) return true;
  if (holder.pid === process.pid) return false; // our own leftover from an earlier run in this process
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the push lock, or returns who holds it. */
export function takePushLock(sqlite: Database.Database): { ok: true } | { ok: false; holder: Holder } {
  return sqlite.transaction(() => {
    const row = cached(sqlite, 'SELECT value FROM outbox_state WHERE key = ?').get(LOCK_KEY) as { value: string } | undefined;
    if (row) {
      const holder = JSON.parse(row.value) as Holder;
      if (alive(holder)) return { ok: false as const, holder };
    }
    const mine: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
    cached(sqlite, 'INSERT INTO outbox_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(LOCK_KEY, JSON.stringify(mine));
    return { ok: true as const };
  }).immediate();
}

export function releasePushLock(sqlite: Database.Database): void {
  if (!sqlite.open) return;
  cached(sqlite, `DELETE FROM outbox_state WHERE key = ? AND json_extract(value, '$.pid') = ? AND json_extract(value, '$.host') = ?`).run(LOCK_KEY, process.pid, os.hostname());
}
