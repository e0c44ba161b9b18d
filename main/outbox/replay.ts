// Pushes the outbox to the server, exactly once per entry. The loop owns its timer: it starts
// every entry whose turn has come (queue order within a chain of records, independent chains in
// parallel), waits out backoffs itself, and stops when nothing is left to do soon. An entry is
// marked `sending` on disk before its request leaves, and confirmed in the same transaction that
// lands its temp id; a lost reply makes it `in_doubt`, reconciled against the server before any
// resend. Entries left `sending` by a crash are treated as in doubt when the next push starts.

import type Database from 'better-sqlite3';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import { readWriteReply } from '../../shared/dizions/replies.js';
import { GrammarError } from '../../shared/url-grammar.js';
import type { DizionsClient, UploadFile } from '../api/client.js';
import { DizionsError } from '../api/errors.js';
import { retryDelayMs, sleep } from '../api/retry.js';
import { describeRecord, isUpdate, precheckUpdate } from './conflicts.js';
import { dependantsOf, getEntry, setEntry, setQueueState, type OutboxEntry } from './entries.js';
import { reconcile, UNVERIFIABLE_EXPLANATION } from './reconcile.js';
import { landTempId } from './temp-ids.js';
import { sendForm, stepsOf, UnsendableError } from './printing.js';
import { printPath } from '../../shared/url-grammar.js';
import { takePushLock, withPushLease } from './push-lock.js';
import { cached } from '../db/statement-cache.js';

type Handle = { sqlite: Database.Database };

export interface ReplayTimings {
  /** First backoff ceiling; doubles per attempt (full jitter). */
  baseMs: number;
  maxMs: number;
  /** Wait before looking on the server for a write whose reply was lost (let a slow server finish). */
  settleMs: number;
  /** A push waits for backoffs this long at most, then returns; later entries stay pending. */
  waitLimitMs: number;
  /** How far before our first send a found record may have changed (clock skew between us and the server). */
  windowMarginMs: number;
  /** Per request; undefined = the client's own default. */
  requestTimeoutMs?: number;
}

export const DEFAULT_TIMINGS: ReplayTimings = {
  baseMs: 1_000,
  maxMs: 5 * 60_000,
  settleMs: 2_000,
  waitLimitMs: 30_000,
  windowMarginMs: 10 * 60_000,
};

export interface PushOptions {
  timings?: Partial<ReplayTimings>;
  /** Entries in flight at once (independent chains only). Default 4, the client's pool size. */
  concurrency?: number;
  signal?: AbortSignal;
  random?: () => number;
  /** Called whenever an entry changes state (SyncStatus, progress bars, tests). */
  onChange?: (entry: OutboxEntry) => void;
}

export interface PushSummary {
  /** Entries whose write went out during this push. */
  sent: number;
  /** Entries confirmed during this push (by their reply, by reconciliation, or by a resolution that left nothing to send). */
  confirmed: number;
  /** Of those, found on the server after a lost reply. */
  reconciled: number;
  /** Entries now in each state, after the push. */
  failed: number;
  in_doubt: number;
  conflicts: number;
  pending: number;
  /** Set when the server refused the keys (401): the queue is paused until new keys work. */
  paused: string | null;
  /** Set when another process was pushing this replica's outbox: this push sent nothing. */
  busy?: string;
}

const PAUSE_KEY = 'paused';

/** Entries found `sending` (the process stopped mid-request) become in doubt: reconciled, never blindly resent. */
export function recoverInterrupted(replica: Handle): number {
  const result = cached(
    replica.sqlite,
    `UPDATE outbox_entries SET state = 'in_doubt', error_code = 'interrupted', next_attempt_at = 0,
       error = 'Caseworker stopped while this was being sent; it will be checked against the server before anything is sent again'
     WHERE state = 'sending'`,
  ).run();
  return result.changes;
}

/** In doubt and checkable: everything but what only the user can settle (unverifiable, ambiguous). */
const ELIGIBLE = `(e.state = 'pending' OR (e.state = 'in_doubt' AND coalesce(e.error_code, '') NOT IN ('unverifiable', 'ambiguous')))`;
const UNBLOCKED = `NOT EXISTS (
  SELECT 1 FROM outbox_records mine
  JOIN outbox_records other ON other.family = mine.family AND other.record_id = mine.record_id AND other.entry_id < mine.entry_id AND other.role = 'target'
  JOIN outbox_entries earlier ON earlier.id = other.entry_id AND earlier.state <> 'confirmed'
  WHERE mine.entry_id = e.id)`;

/** Ready now: pending or in doubt (checkable), due, and no earlier unconfirmed entry writes a record it touches. */
function readyEntries(sqlite: Database.Database, now: number, limit: number, busy: ReadonlySet<number>): OutboxEntry[] {
  const ids = cached(sqlite, `SELECT e.id FROM outbox_entries e WHERE ${ELIGIBLE} AND e.next_attempt_at <= ? AND ${UNBLOCKED} ORDER BY e.id LIMIT ?`)
    .pluck()
    .all(now, limit + busy.size) as number[];
  return ids
    .filter((id) => !busy.has(id))
    .slice(0, limit)
    .map((id) => getEntry(sqlite, id)!);
}

/** When the next entry that is not held back by its chain becomes due, or undefined when none is left. */
function nextDue(sqlite: Database.Database): number | undefined {
  const at = cached(sqlite, `SELECT min(e.next_attempt_at) FROM outbox_entries e WHERE ${ELIGIBLE} AND ${UNBLOCKED}`).pluck().get() as number | null;
  return at ?? undefined;
}

function countStates(sqlite: Database.Database): Record<string, number> {
  const rows = cached(sqlite, 'SELECT state, count(*) AS n FROM outbox_entries GROUP BY state').all() as Array<{ state: string; n: number }>;
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

class Replay {
  readonly timings: ReplayTimings;
  readonly summary: PushSummary = { sent: 0, confirmed: 0, reconciled: 0, failed: 0, in_doubt: 0, conflicts: 0, pending: 0, paused: null };
  private readonly sentIds = new Set<number>();
  private stopped = false;
  private wasPaused: boolean;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly client: DizionsClient,
    private readonly options: PushOptions,
  ) {
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.wasPaused = pauseReason({ sqlite }) !== null;
  }

  private changed(id: number): void {
    if (!this.options.onChange) return;
    const entry = getEntry(this.sqlite, id);
    if (entry) this.options.onChange(entry);
  }

  private set(id: number, change: Parameters<typeof setEntry>[2]): void {
    setEntry(this.sqlite, id, change);
    this.changed(id);
  }

  async run(): Promise<PushSummary> {
    recoverInterrupted({ sqlite: this.sqlite });
    const concurrency = Math.max(1, this.options.concurrency ?? 4);
    const busy = new Map<number, Promise<void>>();
    for (;;) {
      if (this.options.signal?.aborted) this.stopped = true;
      if (!this.stopped && busy.size < concurrency) {
        for (const entry of readyEntries(this.sqlite, Date.now(), concurrency - busy.size, new Set(busy.keys()))) {
          const work = this.process(entry).finally(() => busy.delete(entry.id));
          busy.set(entry.id, work);
        }
      }
      if (busy.size > 0) {
        await Promise.race(busy.values());
        continue;
      }
      if (this.stopped) break;
      const due = nextDue(this.sqlite);
      if (due === undefined) break; // nothing left that could move without the user
      const wait = due - Date.now();
      // Entries wait out their backoff here; the push returns once nothing would happen within the limit.
      if (wait > this.timings.waitLimitMs) break;
      if (wait > 0) await sleep(wait, this.options.signal);
    }
    const counts = countStates(this.sqlite);
    Object.assign(this.summary, {
      failed: counts.failed ?? 0,
      in_doubt: counts.in_doubt ?? 0,
      conflicts: counts.conflict ?? 0,
      pending: counts.pending ?? 0,
      sent: this.sentIds.size,
    });
    return this.summary;
  }

  private async process(entry: OutboxEntry): Promise<void> {
    try {
      if (entry.state === 'in_doubt') await this.settle(entry);
      else await this.send(entry);
    } catch (error) {
      this.onError(entry, error, entry.state === 'in_doubt' ? 'reconcile' : 'send');
    }
  }

  /** A pending entry: check for conflicts (updates), then send; the reply decides its state. */
  private async send(entry: OutboxEntry): Promise<void> {
    let fields = entry.fields;
    if (isUpdate(entry)) {
      const check = await precheckUpdate(this.client, entry, this.timings.requestTimeoutMs);
      this.resume();
      if (check.kind === 'gone') {
        this.fail(entry, 'gone', check.message);
        return;
      }
      if (check.kind === 'conflict') {
        const names = Object.keys(check.conflict).join(', ');
        this.set(entry.id, {
          state: 'conflict',
          conflict: check.conflict,
          error_code: 'conflict',
          error: `${describeRecord(entry)} was changed on the server too: ${names}. Choose mine or theirs for each.`,
        });
        return;
      }
      fields = check.fields;
    }
    // Printed now, in the connection's dialect: an entry queued under another dialect is sent in this one.
    let form;
    try {
      form = sendForm({ ...entry, fields }, this.client.dialect);
    } catch (error) {
      if (error instanceof UnsendableError) {
        this.fail(entry, 'rejected', error.message);
        return;
      }
      throw error;
    }
    const files = this.files(entry.id);
    const sentAt = formatServerTimestamp(new Date());
    // On disk before the request leaves: a crash from here on is found as `sending` and reconciled.
    this.set(entry.id, {
      state: 'sending',
      attempts: entry.attempts + 1,
      last_attempt_at: sentAt,
      first_sent_at: form.step === 0 ? (entry.first_sent_at ?? sentAt) : entry.first_sent_at,
      error_code: null,
      error: null,
      method: form.method,
      path: printPath(form.path),
      dialect: this.client.dialect,
    });
    this.sentIds.add(entry.id);
    const options = { ...(files.length > 0 ? { files } : {}), ...(this.timings.requestTimeoutMs === undefined ? {} : { timeoutMs: this.timings.requestTimeoutMs }) };
    const reply = await this.client.request(form.method, form.path, form.fields, options);
    this.resume();
    const serverId = form.creates ? createdIdOf(reply.json) : undefined;
    if (form.creates && serverId === undefined) {
      // 2xx without the new record's id: it was probably saved; find it rather than send it twice.
      this.doubt(getEntry(this.sqlite, entry.id)!, 'the server accepted the create but its reply did not carry the new id');
      return;
    }
    if (form.creates && stepsOf(entry.operation, this.client.dialect) > 1) {
      // The first step of a chain landed: keep its id, then send the next step straight away.
      this.landStep(entry.id, serverId!);
      await this.send(getEntry(this.sqlite, entry.id)!);
      return;
    }
    this.confirm(entry.id, form.creates ? serverId! : null, 'sent');
  }

  /**
   * A chain's first step (2019's "record a contact": the plan) landed as `serverId`: the temp id
   * becomes it everywhere and the entry stays in the queue for its next step — never sent twice,
   * since a resend of this entry now prints the next step.
   */
  private landStep(id: number, serverId: number): void {
    this.sqlite
      .transaction(() => {
        const entry = getEntry(this.sqlite, id)!;
        setEntry(this.sqlite, id, { state: 'pending', server_id: serverId, record_id: serverId, first_sent_at: null, error_code: null, error: null, next_attempt_at: 0 });
        if (entry.temp_id !== null) landTempId(this.sqlite, entry.temp_id, serverId);
      })
      .immediate();
    this.changed(id);
  }

  /** An in-doubt entry: look on the server; adopt what is there, or send again if it never arrived. */
  private async settle(entry: OutboxEntry): Promise<void> {
    const found = await reconcile(this.sqlite, this.client, entry, {
      windowMarginMs: this.timings.windowMarginMs,
      ...(this.timings.requestTimeoutMs === undefined ? {} : { timeoutMs: this.timings.requestTimeoutMs }),
    });
    this.resume();
    switch (found.kind) {
      case 'found':
        if (entry.server_id === null && found.serverId !== null && stepsOf(entry.operation, this.client.dialect) > 1) {
          this.landStep(entry.id, found.serverId); // the plan arrived: its completion is next
          return;
        }
        if (!this.confirm(entry.id, entry.temp_id !== null ? found.serverId : null, 'reconciled')) {
          this.set(entry.id, { state: 'in_doubt', next_attempt_at: Date.now() }); // another entry claimed it first: look again
        }
        return;
      case 'absent':
        this.set(entry.id, { state: 'pending', next_attempt_at: 0, error_code: null, error: 'not found on the server after a lost reply: sending again' });
        return;
      case 'ambiguous':
        this.set(entry.id, { state: 'in_doubt', error_code: 'ambiguous', error: found.message });
        return;
      case 'unverifiable':
        this.set(entry.id, { state: 'in_doubt', error_code: 'unverifiable', error: found.message });
        return;
    }
  }

  /** Confirms an entry and lands its temp id, in one transaction; false when the server id is already claimed. */
  private confirm(id: number, serverId: number | null, outcome: 'sent' | 'reconciled'): boolean {
    const done = this.sqlite
      .transaction((): boolean => {
        const entry = getEntry(this.sqlite, id)!;
        if (serverId !== null) {
          const claimed = cached(this.sqlite, 'SELECT id FROM outbox_entries WHERE record_family = ? AND server_id = ? AND id <> ?').get(entry.record_family, serverId, id);
          if (claimed) return false;
        }
        setEntry(this.sqlite, id, {
          state: 'confirmed',
          outcome,
          confirmed_at: new Date().toISOString(),
          error_code: null,
          error: null,
          conflict: null,
          ...(serverId !== null ? { server_id: serverId, record_id: serverId } : {}),
        });
        if (serverId !== null && entry.temp_id !== null && entry.server_id === null) landTempId(this.sqlite, entry.temp_id, serverId);
        cached(this.sqlite, 'UPDATE outbox_files SET data = NULL WHERE entry_id = ?').run(id);
        return true;
      })
      .immediate();
    if (done) {
      this.summary.confirmed++;
      if (outcome === 'reconciled') this.summary.reconciled++;
      this.changed(id);
    }
    return done;
  }

  private files(entryId: number): UploadFile[] {
    const rows = cached(this.sqlite, 'SELECT filename, content_type, data FROM outbox_files WHERE entry_id = ? ORDER BY seq').all(entryId) as Array<{
      filename: string;
      content_type: string | null;
      data: Buffer | null;
    }>;
    return rows.map((r) => {
      if (!r.data) throw new Error(`the file ${r.filename} of entry ${entryId} is no longer held`);
      return { filename: r.filename, data: r.data, ...(r.content_type ? { contentType: r.content_type } : {}) };
    });
  }

  /** Any answer from the server means the keys work: lift a pause left by an earlier 401. */
  private resume(): void {
    if (!this.wasPaused) return;
    setQueueState(this.sqlite, PAUSE_KEY, undefined);
    this.wasPaused = false;
  }

  private doubt(entry: OutboxEntry, message: string): void {
    const unverifiable = UNVERIFIABLE_EXPLANATION[entry.operation];
    this.set(
      entry.id,
      unverifiable
        ? { state: 'in_doubt', error_code: 'unverifiable', error: `${message}. ${unverifiable}` }
        : { state: 'in_doubt', error_code: 'in_doubt', error: `${message}; it will be looked for on the server before anything is sent again`, next_attempt_at: Date.now() + this.timings.settleMs },
    );
  }

  /** The entry stops in `failed`; entries that wait on it stop too, pointing at it. */
  private fail(entry: OutboxEntry, code: string, message: string): void {
    this.sqlite.transaction(() => {
      setEntry(this.sqlite, entry.id, { state: 'failed', error_code: code, error: message });
      for (const id of dependantsOf(this.sqlite, entry.id)) {
        const dependant = getEntry(this.sqlite, id)!;
        if (dependant.state !== 'pending') continue;
        setEntry(this.sqlite, id, { state: 'failed', error_code: 'blocked', blocked_by: entry.id, error: `waits for entry ${entry.id}, which failed: ${message}` });
      }
    })();
    this.changed(entry.id);
  }

  private onError(entry: OutboxEntry, error: unknown, during: 'send' | 'reconcile'): void {
    const current = getEntry(this.sqlite, entry.id)!;
    const sending = current.state === 'sending';
    if (error instanceof DizionsError) {
      if (error.kind === 'unauthorised' && error.status === 401) {
        // Nothing was processed. Put it back and stop: every other request would be refused too.
        this.set(entry.id, { state: sending ? 'pending' : current.state, error_code: 'unauthorised', error: error.message });
        this.summary.paused = 'the server refused the keys (401): the outbox is paused until new Source, Org and User keys work';
        setQueueState(this.sqlite, PAUSE_KEY, { message: this.summary.paused, at: new Date().toISOString() });
        this.stopped = true;
        return;
      }
      if (error.kind === 'unauthorised' || error.kind === 'rejected') {
        this.resume();
        if (during === 'reconcile') {
          this.set(entry.id, {
            state: 'in_doubt',
            error_code: 'ambiguous',
            error: `the reply was lost, and looking for the record on the server failed: ${error.serverMessage ?? error.message}. Check in Charitylog, then "send again" or "mark as done".`,
          });
          return;
        }
        this.fail(current, 'rejected', error.serverMessage ? `the server rejected it: ${error.serverMessage}` : error.message);
        return;
      }
      // Retryable. A write that may have been applied is in doubt; otherwise back off and try again.
      if (sending && mayHaveApplied(error, current)) {
        this.doubt(current, error.message);
        return;
      }
      const attempt = Math.max(1, current.attempts);
      const delay = retryDelayMs(error, attempt, { baseMs: this.timings.baseMs, maxMs: this.timings.maxMs, random: this.options.random ?? Math.random });
      this.set(entry.id, {
        state: sending ? 'pending' : current.state,
        // An in-doubt entry stays checkable: it is looked for again after the backoff.
        error_code: current.state === 'in_doubt' ? 'in_doubt' : 'network',
        error: `${error.message} — trying again ${delay < 1000 ? 'in a moment' : `in ${Math.ceil(delay / 1000)} s`}`,
        next_attempt_at: Date.now() + delay,
        ...(during === 'reconcile' ? {} : { attempts: sending ? current.attempts : current.attempts + 1 }),
      });
      return;
    }
    if (error instanceof GrammarError) {
      this.fail(current, 'rejected', `the edit cannot be sent: ${error.message}`);
      return;
    }
    // A fault of ours (a bug, a full disk): keep the entry safe and visible, and back off.
    const message = error instanceof Error ? error.message : String(error);
    if (sending) this.doubt(current, `sending failed unexpectedly (${message})`);
    else this.set(entry.id, { error_code: 'internal', error: message, next_attempt_at: Date.now() + this.timings.maxMs });
  }
}

/**
 * Whether a failed write may have reached the server. The client says so for lost replies; for a
 * bare 500 it does not, but reconciling costs one GET, so checkable writes are looked for anyway.
 * 503 and 429 say the server turned the request away; a failed connect never sent it.
 */
function mayHaveApplied(error: DizionsError, entry: OutboxEntry): boolean {
  if (error.mayHaveCommitted) return true;
  if (error.phase === 'connect' || error.status === 429 || error.status === 503) return false;
  if (UNVERIFIABLE_EXPLANATION[entry.operation]) return false;
  return error.status >= 500 || error.status === 0;
}

/** The new record's id in a create's reply, read tolerantly ({"id": N}, N, "N", {"id": "N"}, [{"id": N}]). */
function createdIdOf(json: unknown): number | undefined {
  return readWriteReply(json).id;
}

/**
 * Pushes the outbox: every entry whose turn has come is sent (or reconciled), backoffs are waited
 * out up to `waitLimitMs`, and the summary says what happened and what is left.
 */
export async function pushOutbox(replica: Handle, client: DizionsClient, options: PushOptions = {}): Promise<PushSummary> {
  const lock = takePushLock(replica.sqlite);
  if (!lock.ok) {
    const counts = countStates(replica.sqlite);
    return {
      sent: 0,
      confirmed: 0,
      reconciled: 0,
      failed: counts.failed ?? 0,
      in_doubt: counts.in_doubt ?? 0,
      conflicts: counts.conflict ?? 0,
      pending: (counts.pending ?? 0) + (counts.sending ?? 0),
      paused: pauseReason(replica),
      busy: `another Caseworker (process ${lock.holder.pid}, since ${lock.holder.since}) is sending this outbox; nothing was sent`,
    };
  }
  // Losing the lease (it ran out while this process stood still) stops new sends: the other pusher owns the outbox now.
  const lost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  return withPushLease(
    replica.sqlite,
    lock.token,
    () => lost.abort(new Error('the push lease was lost')),
    async () => {
      pruneConfirmed(replica.sqlite);
      return new Replay(replica.sqlite, client, { ...options, signal }).run();
    },
  );
}

/** Confirmed entries are kept a while as history, then dropped (their temp-id mappings stay). */
export const CONFIRMED_KEPT_DAYS = 30;

export function pruneConfirmed(sqlite: Database.Database, days = CONFIRMED_KEPT_DAYS, now = new Date()): number {
  const before = new Date(now.getTime() - days * 86_400_000).toISOString();
  return cached(sqlite, `DELETE FROM outbox_entries WHERE state = 'confirmed' AND confirmed_at < ?`).run(before).changes;
}

/** Why the queue is paused (a 401), or null. */
export function pauseReason(replica: Handle): string | null {
  const row = cached(replica.sqlite, 'SELECT value FROM outbox_state WHERE key = ?').get(PAUSE_KEY) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as { message: string }).message : null;
}
