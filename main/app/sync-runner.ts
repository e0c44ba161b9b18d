// Runs sync and outbox pushes for the app, one at a time, and keeps the one SyncStatus: every change
// is pushed as `sync:status`, progress as `sync:progress`, queue changes as `outbox:changed`, and
// the replica tables a run wrote as `data:changed`. A sync pushes the outbox first (runSync's
// beforeDownload seam), so the download sees the server with this device's edits. A second sync:run
// while one runs joins it. The background loop syncs on the interval, sooner after a failure to reach
// the server, so edits go out soon after the network returns.

import type { SyncStatus } from '../../shared/sync-status.js';
import { INITIAL_SYNC_STATUS } from '../../shared/sync-status.js';
import type { SyncSummary as SyncSummaryView } from '../../shared/ipc/sync.js';
import type { DizionsClient } from '../api/client.js';
import type { RetryOptions } from '../api/retry.js';
import type { Replica } from '../db/open.js';
import type { EventHub } from '../ipc/event-hub.js';
import type { LogWriter } from '../ipc/error-envelope.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import { listEntries, setEntry } from '../outbox/entries.js';
import { pushOutbox, type PushSummary, type ReplayTimings } from '../outbox/replay.js';
import { SyncCancelledError, SyncFailedError } from '../sync/errors.js';
import { MissingMeError, runSync, type SyncProgressEvent, type SyncSummary } from '../sync/run-sync.js';
import { INTERACTIVE_STEP_MS } from '../sync/ingest.js';
import type { WriteWaiters } from '../sync/turns.js';
import type { OutboxCounts } from '../../shared/ipc/events.js';
import { ScopeError } from '../sync/scope.js';
import { outboxCounts } from './outbox-view.js';

export interface SyncRunnerOptions {
  replica: () => Replica;
  /** A client for the current connection (closed after the run); throws a ServiceError when there is none. */
  client: () => DizionsClient;
  events: EventHub;
  log?: LogWriter | undefined;
  /** Sync's GET retries (tests make them quick). */
  retry?: Partial<Omit<RetryOptions, 'signal'>> | undefined;
  /** The outbox's timings; the app waits out short backoffs only (the next run carries on). */
  pushTimings?: Partial<ReplayTimings> | undefined;
  /** The multiple-record extension databases to keep (Settings; read at each run). */
  extensionDatabases?: (() => string[]) | undefined;
  /** Minutes between background syncs (read each time). */
  intervalMinutes: () => number;
  /** After a failure to reach the server, the background loop tries again this soon (default 60 s). */
  offlineRetryMs?: number | undefined;
  /** A push this long after a local edit, when the server was reachable last time; null: only with syncs. */
  pushAfterEditMs?: number | null | undefined;
  /** Writers on other connections the sync gives way to (the editor thread). */
  writeWaiters?: WriteWaiters | undefined;
}

const GROUP_TABLE: Record<string, string> = {
  clients: 'clients',
  referrals: 'referrals',
  due_contacts: 'contacts',
  done_contacts: 'contacts',
  workers: 'workers',
  schedules: 'schedules',
};
const FAMILY_TABLE = (family: string) => (family.startsWith('extension_database/') ? 'extension_records' : family === 'external_referral' ? 'outbox' : family);
const STATUS_EVERY_MS = 200;
const APP_PUSH_TIMINGS: Partial<ReplayTimings> = { waitLimitMs: 5_000 };

/** Sentences start with a capital on screen; the sync and outbox messages are written for logs too. */
function sentence(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

export class SyncRunner {
  private status: SyncStatus = { ...INITIAL_SYNC_STATUS };
  private active: { promise: Promise<SyncSummaryView>; abort: AbortController } | null = null;
  /** Runs and pushes take turns: one at a time against the replica and the server. */
  private turn: Promise<unknown> = Promise.resolve();
  private pushTimer: NodeJS.Timeout | null = null;
  private loopTimer: NodeJS.Timeout | null = null;
  private loopOn = false;
  private stopped = false;
  private lastStatusAt = 0;

  constructor(private readonly options: SyncRunnerOptions) {}

  current(): SyncStatus {
    return { ...this.status, pending: this.safeCounts().pending };
  }

  /** Recounts the outbox and tells the screens (after an edit or an outbox action). */
  outboxChanged(tables: readonly string[] = []): void {
    const counts = this.safeCounts();
    this.options.events.emit('outbox:changed', counts);
    if (tables.length > 0) this.options.events.emit('data:changed', { tables: [...new Set(tables)].slice(0, 50) });
    this.setStatus({ pending: counts.pending }, true);
  }

  /** An edit another thread wrote, whose screens were told already: the status's count, and a push soon. */
  editedElsewhere(counts: OutboxCounts): void {
    this.setStatus({ pending: counts.pending }, true);
    this.pushSoon();
  }

  /** Starts over from a new replica (demo reset, another server): nothing synced yet. */
  reset(): void {
    this.status = { ...INITIAL_SYNC_STATUS };
    this.outboxChanged(['clients', 'referrals', 'contacts', 'workers', 'schedules', 'dictionaries', 'extension_records', 'outbox']);
  }

  /** One sync run (the outbox first); joins a run already going. */
  run(options: { full?: boolean | undefined; reason?: string } = {}): Promise<SyncSummaryView> {
    if (this.stopped) return Promise.reject(new ServiceError('INTERNAL', 'Caseworker is shutting down.'));
    if (this.active) return this.active.promise;
    const abort = new AbortController();
    const promise = this.take(() => this.runOnce(options.full === true, abort.signal, options.reason ?? 'asked'));
    this.active = { promise, abort };
    const clear = () => {
      if (this.active?.promise === promise) this.active = null;
    };
    promise.then(clear, clear);
    return promise;
  }

  cancel(): boolean {
    if (!this.active) return false;
    this.active.abort.abort(new SyncCancelledError());
    return true;
  }

  /** Pushes the outbox alone, soon (after a local edit), when the server answered last time. */
  pushSoon(): void {
    const delay = this.options.pushAfterEditMs;
    if (delay === null || delay === undefined || this.stopped || this.pushTimer) return;
    if (!this.status.connected) return; // offline: the background loop's next try carries the edits
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      if (this.active) return; // the run pushes first anyway
      void this.take(() => this.pushOnce()).catch((error: unknown) => this.log('sync.push_failed', { error: error instanceof Error ? error.name : typeof error }));
    }, delay);
    this.pushTimer.unref();
  }

  /** Background syncs: now, then on the interval (sooner while the server cannot be reached). */
  startLoop(): void {
    if (this.loopOn || this.stopped) return;
    this.loopOn = true;
    this.scheduleLoop(0);
  }

  /** Sync soon (a setting changed, the demo started): the loop's next run comes forward. */
  poke(): void {
    if (this.loopOn) this.scheduleLoop(0);
  }

  /**
   * Cancels a run and holds every later run and push until the returned release is called (the
   * replica is about to be closed and replaced).
   */
  async hold(): Promise<() => void> {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = null;
    this.cancel();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await new Promise<void>((entered) => {
      void this.take(async () => {
        entered();
        await gate;
      });
    });
    return release;
  }

  /** The interval changed: the next background sync is one new interval from now. */
  reschedule(): void {
    if (this.loopOn && this.loopTimer) this.scheduleLoop(this.options.intervalMinutes() * 60_000);
  }

  /** Cancels a run, stops the timers and waits for the current turn to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.loopOn = false;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.loopTimer = this.pushTimer = null;
    this.cancel();
    await this.turn.catch(() => undefined);
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private scheduleLoop(delayMs: number): void {
    if (!this.loopOn) return;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    this.loopTimer = setTimeout(() => {
      this.loopTimer = null;
      this.run({ reason: 'background' }).then(
        () => this.scheduleLoop(this.options.intervalMinutes() * 60_000),
        (error: unknown) => {
          const offline = error instanceof ServiceError && (error.code === 'OFFLINE' || error.code === 'INTERNAL');
          const notReady = error instanceof ServiceError && error.code === 'VALIDATION';
          // Not configured yet: wait for a poke (settings change) or the interval.
          this.scheduleLoop(notReady ? this.options.intervalMinutes() * 60_000 : offline ? (this.options.offlineRetryMs ?? 60_000) : this.options.intervalMinutes() * 60_000);
        },
      );
    }, delayMs);
    this.loopTimer.unref();
  }

  private take<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turn.then(work, work);
    this.turn = next.catch(() => undefined);
    return next;
  }

  private safeCounts() {
    try {
      return outboxCounts(this.options.replica());
    } catch {
      return { pending: this.status.pending, needsAttention: 0 };
    }
  }

  private setStatus(change: Partial<SyncStatus>, force = false): void {
    this.status = { ...this.status, ...change };
    const now = Date.now();
    if (!force && now - this.lastStatusAt < STATUS_EVERY_MS) return;
    this.lastStatusAt = now;
    this.options.events.emit('sync:status', { ...this.status });
  }

  private log(event: string, fields: Record<string, unknown>): void {
    this.options.log?.(event, fields);
  }

  /** Waiting out a network backoff helps nobody once a person (or the returning network) asks for a sync. */
  private releaseBackoffs(): void {
    const replica = this.options.replica();
    const now = Date.now();
    for (const entry of listEntries(replica.sqlite, { states: ['pending'] })) {
      if (entry.next_attempt_at > now && entry.error_code === 'network') setEntry(replica.sqlite, entry.id, { next_attempt_at: 0 });
    }
  }

  private async push(client: DizionsClient, signal: AbortSignal | undefined, touched: Set<string>): Promise<PushSummary> {
    const replica = this.options.replica();
    this.setStatus({ uploading: true, phase: 'uploading', progress: null }, true);
    const summary = await pushOutbox(replica, client, {
      timings: { ...APP_PUSH_TIMINGS, ...this.options.pushTimings },
      ...(signal ? { signal } : {}),
      onChange: (entry) => {
        touched.add('outbox');
        if (entry.state === 'confirmed') touched.add(FAMILY_TABLE(entry.record_family));
        const counts = this.safeCounts();
        this.options.events.emit('outbox:changed', counts);
        this.setStatus({ pending: counts.pending });
      },
    });
    const counts = this.safeCounts();
    this.setStatus(
      {
        uploading: false,
        pending: counts.pending,
        uploadError: summary.paused ? { code: 'UNAUTHORIZED', message: sentence(summary.paused) } : null,
        otherSender: summary.busy !== undefined,
        // Any answer from the server (a confirmation, a refusal) means it is reachable.
        ...(summary.sent > 0 || summary.confirmed > 0 ? { connected: true } : {}),
      },
      true,
    );
    this.log('outbox.push', {
      sent: summary.sent,
      confirmed: summary.confirmed,
      reconciled: summary.reconciled,
      failed: summary.failed,
      in_doubt: summary.in_doubt,
      conflicts: summary.conflicts,
      paused: summary.paused !== null,
      other_sender: summary.busy !== undefined,
    });
    return summary;
  }

  private async pushOnce(): Promise<void> {
    let client: DizionsClient;
    try {
      client = this.options.client();
    } catch {
      return; // no connection: nothing to push to
    }
    const touched = new Set<string>();
    try {
      await this.push(client, undefined, touched);
    } finally {
      await client.close();
      this.setStatus({ phase: null, progress: null, uploading: false }, true);
      this.outboxChanged([...touched]);
    }
  }

  private async runOnce(full: boolean, signal: AbortSignal, reason: string): Promise<SyncSummaryView> {
    const client = this.options.client(); // a ServiceError here: not connected, nothing started
    const touched = new Set<string>();
    let pushed: PushSummary | undefined;
    let downloading = false;
    this.log('sync.start', { reason, full });
    try {
      if (reason !== 'background') this.releaseBackoffs();
      const summary: SyncSummary = await runSync({
        replica: this.options.replica(),
        client,
        full,
        signal,
        // Someone may be at the window: their edits wait for the sync's step in hand.
        stepMs: INTERACTIVE_STEP_MS,
        readersBeside: true,
        writeWaiters: this.options.writeWaiters,
        ...(this.options.extensionDatabases ? { extensionDatabases: this.options.extensionDatabases() } : {}),
        ...(this.options.retry ? { retry: this.options.retry } : {}),
        beforeDownload: async (context) => {
          pushed = await this.push(context.client, context.signal, touched);
        },
        onProgress: (event: SyncProgressEvent) => {
          if (event.phase !== 'uploading' && !downloading) {
            downloading = true;
            this.setStatus({ uploading: false, downloading: true }, true);
          }
          this.options.events.emit('sync:progress', event);
          const phaseChanged = this.status.phase !== event.phase;
          this.setStatus({ phase: event.phase, progress: { done: event.done, total: event.total } }, phaseChanged);
        },
      });
      for (const [group, result] of Object.entries(summary.groups)) {
        if (result.inserted + result.updated + result.deleted > 0) touched.add(GROUP_TABLE[group] ?? group);
      }
      for (const result of Object.values(summary.extension_databases)) {
        if (result.inserted + result.updated + result.deleted > 0) touched.add('extension_records');
      }
      if (summary.dictionaries > 0) touched.add('dictionaries');
      const counts = this.safeCounts();
      this.setStatus(
        {
          connected: true,
          uploading: false,
          downloading: false,
          phase: null,
          progress: null,
          lastSyncedAt: new Date().toISOString(),
          downloadError: null,
          pending: counts.pending,
        },
        true,
      );
      const received = [...Object.values(summary.groups), ...Object.values(summary.extension_databases)].reduce((n, g) => n + g.fetched, 0);
      this.log('sync.done', { requests: summary.requests, received, held_back: summary.held_back });
      return { sent: pushed?.confirmed ?? 0, needsAttention: counts.needsAttention, received, cancelled: false, finishedAt: new Date().toISOString() };
    } catch (error) {
      const counts = this.safeCounts();
      this.setStatus({ uploading: false, downloading: false, phase: null, progress: null, pending: counts.pending }, true);
      if (error instanceof SyncCancelledError) {
        this.log('sync.cancelled', {});
        return { sent: pushed?.confirmed ?? 0, needsAttention: counts.needsAttention, received: 0, cancelled: true, finishedAt: new Date().toISOString() };
      }
      throw this.failure(error);
    } finally {
      await client.close().catch(() => undefined);
      this.outboxChanged([...touched]);
    }
  }

  /** Records the failure in the status and returns the ServiceError the caller sees. */
  private failure(error: unknown): unknown {
    if (error instanceof MissingMeError) {
      return new ServiceError('VALIDATION', 'Choose who you are (Settings, "Who I am") before syncing: Caseworker fetches the actions planned for you.');
    }
    if (error instanceof ScopeError) return new ServiceError('VALIDATION', sentence(error.message));
    if (error instanceof SyncFailedError) {
      const message = sentence(error.message);
      this.setStatus({ downloadError: { code: error.code, message: message.slice(0, 2000) }, connected: error.code !== 'OFFLINE' }, true);
      this.log('sync.failed', { code: error.code });
      return new ServiceError(error.code, message);
    }
    this.setStatus({ downloadError: { code: 'INTERNAL', message: 'The sync stopped on an unexpected problem; the replica keeps what was fetched.' } }, true);
    this.log('sync.failed', { code: 'INTERNAL', error: error instanceof Error ? error.name : typeof error });
    return error;
  }
}

/** The sync channels over the one runner: a run (joined when one runs), a cancel, the status. */
export function createSyncServices(runner: Pick<SyncRunner, 'run' | 'cancel' | 'current'>): Pick<Services, 'sync:run' | 'sync:cancel' | 'sync:status'> {
  return {
    'sync:run': async ({ full }) => runner.run({ full }),
    'sync:cancel': async () => ({ cancelled: runner.cancel() }),
    'sync:status': async () => runner.current(),
  };
}
