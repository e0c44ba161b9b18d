// One pusher per replica. Two processes sending the same outbox (the app and a `caseworker sync`
// in a terminal) would each take the other's in-flight entries for crash leftovers and could send
// them twice, so a push holds a lease: a row naming a random token, refreshed while the push runs
// and stale PUSH_LEASE_MS after its last refresh. A lease can only delay, never wedge: a holder
// whose PID no longer exists here is taken over at once (a kill -9), and one whose PID looks alive
// (reused by an unrelated process after a power cut) or was written under another host name (a Mac
// renamed by its Wi-Fi network) is taken over once the lease runs out. The entries it left
// `sending` are then reconciled. A replica in WAL mode is never shared across machines, so there
// is no "another machine" case.

import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { cached } from '../db/statement-cache.js';

const LOCK_KEY = 'push_lock';

/** A lease not refreshed for this long is stale: its holder stopped (crash, kill, power cut). */
export const PUSH_LEASE_MS = 30_000;
/** A running push refreshes its lease this often (well inside the lease, so a busy event loop does not lose it). */
export const PUSH_LEASE_REFRESH_MS = 10_000;

/** This process's random name; a lease token is it plus a sequence number, so two pushes in one process differ too. */
const PROCESS_TOKEN = randomBytes(12).toString('hex');
let sequence = 0;

export interface PushLease {
  token: string;
  pid: number;
  since: string;
  /** Epoch ms after which the lease is stale. */
  expires: number;
}

export interface PushLockOptions {
  now?: () => number;
  leaseMs?: number;
}

/** Leases this process holds now, so a session end or a signal can release them synchronously. */
const held = new Map<string, Database.Database>();

function readLease(sqlite: Database.Database): PushLease | null {
  const row = cached(sqlite, 'SELECT value FROM outbox_state WHERE key = ?').get(LOCK_KEY) as { value: string } | undefined;
  if (!row) return null;
  try {
    const value = JSON.parse(row.value) as Partial<PushLease> & { host?: string };
    // A lock row written by an older Caseworker (pid + host, no lease): one lease from when it was taken.
    const expires = typeof value.expires === 'number' ? value.expires : (Date.parse(value.since ?? '') || 0) + PUSH_LEASE_MS;
    return { token: typeof value.token === 'string' ? value.token : `legacy-${value.pid ?? '?'}`, pid: Number(value.pid) || 0, since: String(value.since ?? ''), expires };
  } catch {
    return null; // unreadable: nobody can be holding it
  }
}

function writeLease(sqlite: Database.Database, lease: PushLease): void {
  cached(sqlite, 'INSERT INTO outbox_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(LOCK_KEY, JSON.stringify(lease));
}

/** False only when no process with this PID exists on this computer (a live PID may be a reused one: proof of nothing). */
function processMayExist(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a lease still counts: unexpired, not a leftover of this process, and its process not known to be gone. */
function live(lease: PushLease, now: number): boolean {
  if (lease.expires <= now) return false;
  if (lease.token.startsWith(`${PROCESS_TOKEN}-`)) return held.has(lease.token);
  return lease.pid === process.pid ? true : processMayExist(lease.pid);
}

/** The live lease of another pusher, or null (for the Sync view: "another Caseworker is sending"). */
export function otherPusher(sqlite: Database.Database, options: PushLockOptions = {}): PushLease | null {
  const lease = readLease(sqlite);
  if (!lease || !live(lease, (options.now ?? Date.now)())) return null;
  return held.has(lease.token) ? null : lease;
}

/** Takes the push lock (a fresh lease), or returns the live lease that holds it. */
export function takePushLock(sqlite: Database.Database, options: PushLockOptions = {}): { ok: true; token: string } | { ok: false; holder: PushLease } {
  const now = (options.now ?? Date.now)();
  const leaseMs = options.leaseMs ?? PUSH_LEASE_MS;
  const taken = sqlite
    .transaction(() => {
      const current = readLease(sqlite);
      if (current && live(current, now)) return { ok: false as const, holder: current };
      const mine: PushLease = { token: `${PROCESS_TOKEN}-${++sequence}`, pid: process.pid, since: new Date(now).toISOString(), expires: now + leaseMs };
      writeLease(sqlite, mine);
      return { ok: true as const, token: mine.token };
    })
    .immediate();
  if (taken.ok) held.set(taken.token, sqlite);
  return taken;
}

/** Extends a lease we hold; false when it was lost (it ran out and another pusher took it). */
export function refreshPushLock(sqlite: Database.Database, token: string, options: PushLockOptions = {}): boolean {
  if (!sqlite.open) return false;
  const now = (options.now ?? Date.now)();
  const expires = now + (options.leaseMs ?? PUSH_LEASE_MS);
  const result = cached(sqlite, `UPDATE outbox_state SET value = json_set(value, '$.expires', ?) WHERE key = ? AND json_extract(value, '$.token') = ?`).run(expires, LOCK_KEY, token);
  return result.changes === 1;
}

/** Gives the lease back (only our own; a lease another pusher took over is left alone). */
export function releasePushLock(sqlite: Database.Database, token: string): void {
  held.delete(token);
  if (!sqlite.open) return;
  cached(sqlite, `DELETE FROM outbox_state WHERE key = ? AND json_extract(value, '$.token') = ?`).run(LOCK_KEY, token);
}

/**
 * Releases a lease left by a thread of this very process that is gone (the app core's worker was
 * killed and is being restarted): its PID is ours, so it looks alive, but nothing here pushes any more.
 * Only the restarted core calls this, before it pushes; its entries left `sending` are then reconciled.
 */
export function releaseLeaseOfDeadThread(sqlite: Database.Database): boolean {
  const lease = readLease(sqlite);
  if (!lease || lease.pid !== process.pid || held.has(lease.token)) return false;
  cached(sqlite, `DELETE FROM outbox_state WHERE key = ? AND json_extract(value, '$.token') = ?`).run(LOCK_KEY, lease.token);
  return true;
}

/**
 * Releases every lease this process holds, synchronously: for the OS ending the session (Windows
 * log-off, shut-down) and for signals, when there may be no time for a push to wind down.
 */
export function releaseAllPushLocks(): number {
  let released = 0;
  for (const [token, sqlite] of [...held]) {
    try {
      releasePushLock(sqlite, token);
      released++;
    } catch {
      held.delete(token); // a closed or broken handle: its lease runs out on its own
    }
  }
  return released;
}

/**
 * Holds the lease for the duration of `work`: refreshed every PUSH_LEASE_REFRESH_MS, released at
 * the end. `onLost` is called when a refresh finds the lease gone (the push should stop starting
 * new entries; another pusher now owns the outbox).
 */
export async function withPushLease<T>(sqlite: Database.Database, token: string, onLost: () => void, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    let kept = false;
    try {
      kept = refreshPushLock(sqlite, token);
    } catch {
      kept = false;
    }
    if (!kept) {
      clearInterval(timer);
      onLost();
    }
  }, PUSH_LEASE_REFRESH_MS);
  timer.unref?.();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    releasePushLock(sqlite, token);
  }
}
