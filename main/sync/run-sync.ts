// One sync run: (outbox push, through the `beforeDownload` seam) → dictionaries when due → list the
// scope → per group diff, fetch, ingest, remove → dictionaries seen for the first time → finish.
// Invariants: every write is a whole slice (all-or-nothing, see ingest.ts), so a run killed at any
// point leaves a consistent replica and the next run resumes from what is there; nothing with
// pending local edits is overwritten or removed; memory holds id lists and a few batches, never
// the caseload.

import { RECORD_GROUPS, isRecordGroup, type RecordGroup } from '../../shared/dizions/model.js';
import type { SyncPhase, SyncProgress } from '../../shared/sync-status.js';
import type { DizionsClient } from '../api/client.js';
import type { DizionsError } from '../api/errors.js';
import type { RetryOptions } from '../api/retry.js';
import { startBackgroundCheckpoints } from '../db/checkpoints.js';
import { withoutWaiting, type Replica } from '../db/open.js';
import { deferIndexes, restoreDeferredIndexes, restoreDeferredIndexesGivingWay } from '../db/deferred-indexes.js';
import { beginFillJournal } from '../db/fill-journal.js';
import { GROUP_TABLES } from '../db/groups.js';
import { SYNC_KEYS, countRecords, deleteSyncState, hasServerRecords, isTableEmpty, getSyncState, setSyncState } from '../db/records.js';
import {
  ALL_DICTIONARY_TABLES,
  DICTIONARY_MAX_AGE_MS,
  DictionaryWatch,
  dictionariesDue,
  fetchFields,
  markDictionariesFetched,
  refreshDictionaryTables,
  refreshSelectableFields,
} from './dictionaries.js';
import { download, emptySummary, planDownload, referralsCursor, type GroupPlan, type GroupSummary } from './download.js';
import { MAX_IDS_PER_BATCH } from './id-batches.js';
import { SyncCancelledError, SyncFailedError, explainSyncFailure } from './errors.js';
import { CommitPacer, Ingestor } from './ingest.js';
import { DEFAULT_RETRY, type FetchContext } from './fetch.js';
import { listScope, type Fill, type GroupListing } from './listing.js';
import { FULL_LISTING_EVERY_MS, loadCursor, saveCursor, type GroupCursor } from './changes.js';
import { LocalStampReader } from './local-stamps.js';
import { refuseUpdatedFilter, updatedFilterGroups } from './updated-filter.js';
import { serverIdsCreatedHere } from '../outbox/temp-ids.js';
import { normaliseTimestamps } from '../../shared/dizions/replies.js';
import { printPath } from '../../shared/url-grammar.js';
import { DEFAULT_DONE_WINDOW_MONTHS, loadScopeSettings, mergeScopes, parseExtensionDatabases, saveScopeSettings, type ScopeSettings } from './scope.js';
import { extensionTarget, groupTarget, type Target } from './targets.js';
import { Turns, type WriteWaiters } from './turns.js';

export interface SyncProgressEvent extends SyncProgress {
  /** The group (or `extension_database/<name>`) being listed or downloaded, when there is one. */
  group?: string;
}

export interface SyncSeamContext {
  replica: Replica;
  client: DizionsClient;
  signal?: AbortSignal | undefined;
  onProgress: (event: SyncProgressEvent) => void;
}

export interface RunSyncOptions {
  replica: Replica;
  client: DizionsClient;
  /** The user id the person picked; default: the one stored by the last sync. */
  me?: number | undefined;
  /** `--scope` settings, merged over the stored ones (`path: 'default'` restores a group's default). */
  scopes?: ReadonlyArray<{ group: RecordGroup; path: string }>;
  /** Extension databases to keep (`wellcheck_notes_9`), replacing the stored list; default: stored, else none. */
  extensionDatabases?: readonly string[] | undefined;
  /** Months of done contacts the default scope keeps; default: stored, else 12. */
  doneWindowMonths?: number | undefined;
  /** Re-fetch every record in scope and every dictionary. */
  full?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: SyncProgressEvent) => void) | undefined;
  onRetry?: ((error: DizionsError, attempt: number, delayMs: number) => void) | undefined;
  /**
   * The outbox push: runs first, before anything is downloaded, so the download sees the server
   * with this device's edits applied (the app and the CLI pass outbox/replay.ts's `pushOutbox`).
   */
  beforeDownload?: ((context: SyncSeamContext) => Promise<void>) | undefined;
  /** Requests in flight while fetching batches (default 4). */
  concurrency?: number | undefined;
  retry?: Partial<Omit<RetryOptions, 'signal'>> | undefined;
  dictionaryMaxAgeMs?: number | undefined;
  now?: (() => Date) | undefined;
  /** Checkpoint the WAL from a worker thread while syncing (default true). */
  backgroundCheckpoints?: boolean | undefined;
  /**
   * How long one ingest slice or commit may hold the event loop and the write lock (default
   * 25 ms; the app passes INTERACTIVE_STEP_MS so a person's edit never waits long).
   */
  stepMs?: number | undefined;
  /**
   * Another connection reads the replica while this run writes (the app's reader thread): a first
   * fill then stays in WAL, where reads never wait for the writer (default false: the CLI).
   */
  readersBeside?: boolean | undefined;
  /** Writers on other connections (the app's editor thread): the run commits and gives way before its next piece. */
  writeWaiters?: WriteWaiters | undefined;
}

export interface SyncSummary {
  bytes_received: number;
  requests: number;
  seconds: number;
  me: number;
  my_worker: number | null;
  groups: Record<RecordGroup, GroupSummary>;
  /** Per multiple-record extension database kept (`wellcheck_notes_9`). */
  extension_databases: Record<string, GroupSummary>;
  /** Dictionary tables fetched in this run. */
  dictionaries: number;
  /** Changed or vanished records left alone because they carry pending local edits. */
  held_back: number;
}

/** Neither `me` given nor stored: the caller must ask the person who they are. */
export class MissingMeError extends Error {
  override name = 'MissingMeError';
  constructor() {
    super('who is syncing? Give the user id (what contacts carry in `user`), e.g. --me 3 or CASEWORKER_ME=3; it is remembered after the first sync');
  }
}

/** Download order: workers first (my worker), contacts after their referrals. */
const DOWNLOAD_ORDER: readonly RecordGroup[] = ['workers', 'clients', 'referrals', 'due_contacts', 'done_contacts', 'schedules'];
const REFERRALS_CURSOR = SYNC_KEYS.cursor('referrals_updated');
/** Marks a run in progress (cleared at the end): `status` reports an interrupted sync. */
export const RUN_KEY = 'sync_run';

export async function runSync(options: RunSyncOptions): Promise<SyncSummary> {
  const { replica, client, signal } = options;
  const now = options.now ?? (() => new Date());
  const started = process.hrtime.bigint();
  const startBytes = client.bytesReceived;
  const startRequests = client.requests;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const turns = new Turns();
  const fetch: FetchContext = { client, signal, retry, onRetry: options.onRetry, turns };
  const emit = (phase: SyncPhase, done: number, total: number | null, group?: string) => {
    options.onProgress?.({ phase, done, total, bytes: client.bytesReceived - startBytes, ...(group ? { group } : {}) });
  };

  const waiters = options.writeWaiters;
  // The index build after a fill, in steps; where a person's edits wait for the lock (the app), it gives way between two.
  const restoreIndexes = async () => {
    if (!waiters) restoreDeferredIndexes(replica);
    else
      await restoreDeferredIndexesGivingWay(replica, async () => {
        if (waiters.waiting()) await waiters.released();
      });
  };
  // A fill killed mid-way left its tables' indexes and search triggers aside: build them first.
  await restoreIndexes();
  const settings = resolveSettings(options);
  saveScopeSettings(replica, settings);
  const startedAt = now().toISOString();
  const mark = (phase: SyncPhase, group?: string) => setSyncState(replica, RUN_KEY, { started_at: startedAt, phase, ...(group ? { group } : {}) });

  const groups = Object.fromEntries(RECORD_GROUPS.map((g) => [g, emptySummary()])) as Record<RecordGroup, GroupSummary>;
  const extensions: Record<string, GroupSummary> = Object.fromEntries(settings.extensionDatabases.map((d) => [d, emptySummary()]));
  let dictionaries = 0;
  let heldBack = 0;
  let myWorker: number | null = null;
  // Checkpoints from a worker thread: SQLite's automatic checkpoint inside a commit can stall the
  // event loop for hundreds of milliseconds during a bulk download.
  // A first fill of an empty replica writes each page once, through a rollback journal (fill-journal.ts),
  // unless a reader works beside this run (the app): it and the fill's commits would wait on each other.
  const empty = !options.readersBeside && RECORD_GROUPS.every((group) => isTableEmpty(replica, GROUP_TABLES[group].table));
  const journal = empty ? beginFillJournal(replica) : undefined;
  const checkpoints = options.backgroundCheckpoints === false || journal?.rollback ? undefined : startBackgroundCheckpoints(replica);
  const commits = new CommitPacer(replica, checkpoints ? `${replica.file}-wal` : undefined, options.stepMs, waiters !== undefined);
  commits.bulkFill(journal?.rollback === true);
  const endFillJournal = () => {
    journal?.end();
    commits.bulkFill(false);
  };
  if (waiters) {
    turns.beforeEach = async () => {
      if (!waiters.waiting()) return;
      commits.commit(false); // at a piece boundary: every slice carries its own cursor
      await waiters.released();
    };
  }
  try {
    if (options.beforeDownload) {
      mark('uploading');
      await options.beforeDownload({ replica, client, signal, onProgress: (event) => options.onProgress?.(event) });
    }
    throwIfAborted(signal);

    // Dictionaries and selectable fields: on their own cadence.
    const full = options.full === true;
    if (dictionariesDue(replica, now(), options.dictionaryMaxAgeMs ?? DICTIONARY_MAX_AGE_MS, full)) {
      mark('dictionaries');
      let done = 0;
      emit('dictionaries', 0, ALL_DICTIONARY_TABLES.length);
      await refreshSelectableFields(fetch, replica);
      dictionaries += await refreshDictionaryTables(fetch, replica, ALL_DICTIONARY_TABLES, () => emit('dictionaries', ++done, ALL_DICTIONARY_TABLES.length));
      markDictionariesFetched(replica, now());
    }
    const refreshedAll = dictionaries > 0;

    // An initial fill: groups the replica holds nothing of come whole with their listing (one
    // streamed GET per listing path), their tables' indexes and search triggers built once after.
    const watch = new DictionaryWatch(replica);
    let filledRecords = 0;
    const filling = new Set<string>();
    const fills = planFills(replica, watch, fetch, commits, (records, group) => {
      if (!filling.has(group)) {
        filling.add(group);
        mark('downloading', group);
      }
      emit('downloading', (filledRecords += records), null, group);
    });
    deferIndexes(replica, fills.emptyTables);

    // Listing: which ids the scope holds on the server, with their stamps — or, for a group whose
    // server filters it by `updated` and whose cursor belongs to its scope, only its changes.
    mark('listing');
    let listed = 0;
    emit('listing', 0, null);
    const cursors = new Map<RecordGroup, GroupCursor>();
    for (const group of RECORD_GROUPS) {
      const cursor = full ? undefined : loadCursor(replica, group);
      if (cursor && now().getTime() - Date.parse(cursor.listed_at) < FULL_LISTING_EVERY_MS && hasServerRecords(replica, group)) cursors.set(group, cursor);
    }
    // Which groups the server filters by `updated` (a few tiny requests, once a day). Awaited now only
    // when some group could list its changes; otherwise (a first sync) it runs beside the listing and
    // is awaited at the end, so the next run knows without asking.
    const probe = updatedFilterGroups(fetch, replica, now());
    probe.catch(() => undefined); // awaited below; a failure there is the run's failure
    const filtered = [...cursors.keys()].some((g) => g !== 'referrals') ? await probe : new Set<RecordGroup>(['referrals']);
    // Groups that will be listed in full are compared with every stamp the replica holds: read them
    // while the listing waits on the server (a yield every few thousand rows), not after it.
    const stamps = new LocalStampReader(replica);
    for (const group of DOWNLOAD_ORDER) {
      if (fills.byGroup.has(group) || (cursors.has(group) && filtered.has(group))) continue;
      void stamps.read(group);
    }
    const listing = await listScope({
      changesSince: (group, scopePath) => {
        const cursor = cursors.get(group);
        return cursor && cursor.path === scopePath && filtered.has(group) ? cursor.since : undefined;
      },
      local: replica,
      onUpdatedFilterRefused: (group) => refuseUpdatedFilter(replica, group, now()),
      fetch,
      settings,
      now: now(),
      full,
      concurrency,
      referralsSince: getSyncState<string>(replica, REFERRALS_CURSOR),
      localReferrals: countRecords(replica, 'referrals'),
      createdHere: serverIdsCreatedHere(replica.sqlite, 'clients'),
      onRequest: (group) => emit('listing', ++listed, null, group),
      fill: (group) => fills.byGroup.get(group)?.fill,
    });
    myWorker = listing.myWorker;
    setSyncState(replica, SYNC_KEYS.myWorker, myWorker);
    if (fills.emptyTables.length > 0) {
      await turns.run(() => commits.commit());
      // In WAL: another process (`caseworker status`) reads beside the build. (In the fill's rollback
      // journal each index page would be written once instead of twice — ~1 s of a 100k-client first
      // sync — but the build's connection then held ~50 MB more at its peak.)
      endFillJournal();
      await restoreIndexes();
    }

    // Downloading: diff each group (and extension database), then fetch, ingest and remove.
    const plans: Array<{ plan: GroupPlan; done: (summary: GroupSummary) => void }> = [];
    for (const group of DOWNLOAD_ORDER) {
      const target = groupTarget(replica, group, fetchFields(replica, group), watch, { stamps });
      const filled = fills.byGroup.get(group);
      const plan = filled?.fill.used ? filledPlan(target, listing.groups[group]) : await planDownload(target, listing.groups[group], full);
      plans.push({
        plan,
        done: (summary) => {
          // A record in two listing paths (a client of my referrals and mine by worker) came twice: count it once.
          groups[group] = filled?.fill.used ? addSummaries({ ...filled.summary, fetched: plan.listing.server.length }, summary) : summary;
          // Only once every changed referral is in: the next sync lists changes from here.
          const cursor = group === 'referrals' ? referralsCursor(plan) : undefined;
          if (cursor !== undefined) setSyncState(replica, REFERRALS_CURSOR, cursor);
          // A group listed by one fixed path: where its next listing of changes starts (same rule as referrals').
          const { scope, partial } = plan.listing;
          if (scope !== undefined) {
            const since = referralsCursor(plan);
            const listedAt = partial ? cursors.get(group)?.listed_at : startedAt;
            saveCursor(replica, group, since !== undefined && listedAt !== undefined ? { path: printPath(scope), since, listed_at: listedAt } : undefined);
          }
        },
      });
    }
    for (const database of settings.extensionDatabases) {
      const plan = await planDownload(extensionTarget(replica, database), listing.extensions[database]!, full);
      plans.push({ plan, done: (summary) => (extensions[database] = summary) });
    }
    // A table about to grow many times over (a scope made much wider than the one synced so far)
    // is written as a fill is: its indexes and search triggers set aside, built once at the end.
    const growing = tablesAboutToGrow(plans.map((p) => p.plan));
    if (growing.length > 0) {
      await turns.run(() => commits.commit());
      deferIndexes(replica, growing);
    }
    const total = plans.reduce((n, p) => n + p.plan.diff.fetch.length, 0);
    let done = 0;
    emit('downloading', 0, total);
    for (const { plan, done: record } of plans) {
      throwIfAborted(signal);
      const label = plan.target.label;
      mark('downloading', label);
      heldBack += plan.diff.heldBack.length;
      record(
        await download(plan, {
          fetch,
          concurrency,
          commits,
          onBatch: (records) => emit('downloading', (done += records), total, label),
        }),
      );
    }

    if (growing.length > 0) {
      await turns.run(() => commits.commit());
      await restoreIndexes();
    }

    // A record named a dictionary entry the replica lacks: refresh just those tables.
    const unknown = refreshedAll ? [] : watch.tablesToRefresh();
    if (unknown.length > 0) {
      mark('dictionaries');
      dictionaries += await refreshDictionaryTables(fetch, replica, unknown);
    }

    await probe;
    mark('finishing');
    emit('finishing', total, total);
    setSyncState(replica, SYNC_KEYS.lastSync, now().toISOString());
    deleteSyncState(replica, RUN_KEY);
  } catch (error) {
    commits.commit(); // whole slices written before the failure stay: the next run resumes from them
    endFillJournal();
    try {
      await restoreIndexes(); // a fill cut short: build what it set aside now (else the next sync does)
    } catch {
      // the sync's own failure is the one to report
    }
    await checkpoints?.stop().catch(() => undefined); // the sync's own failure is the one to report
    throw explainSyncFailure(error, signal, retry.attempts);
  }
  endFillJournal();
  if (checkpoints) {
    await checkpoints.stop();
    tidyWal(replica);
  }

  return {
    bytes_received: client.bytesReceived - startBytes,
    requests: client.requests - startRequests,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    me: settings.me,
    my_worker: myWorker,
    groups,
    extension_databases: extensions,
    dictionaries,
    held_back: heldBack,
  };
}

interface Fills {
  byGroup: Map<RecordGroup, { fill: Fill; summary: GroupSummary }>;
  /** Tables with no row at all: their indexes and search triggers wait until the fill is done. */
  emptyTables: string[];
}

/** A fill for every group the replica holds no record of (records created offline aside). */
function planFills(replica: Replica, watch: DictionaryWatch, fetch: FetchContext, commits: CommitPacer, onRecords: (records: number, group: string) => void): Fills {
  const byGroup: Fills['byGroup'] = new Map();
  for (const group of RECORD_GROUPS) {
    if (hasServerRecords(replica, group)) continue;
    const fields = fetchFields(replica, group);
    const ingest = new Ingestor(groupTarget(replica, group, fields, watch, { fresh: true }), commits, turnsOf(fetch));
    const summary = emptySummary();
    byGroup.set(group, {
      summary,
      fill: {
        fields: fields ?? [],
        write: async (records) => {
          for (const record of records) normaliseTimestamps(record); // as a download does: a `T` or missing seconds never stops a fill
          const result = await ingest.write(records);
          summary.fetched += result.written;
          summary.inserted += result.inserted;
          summary.updated += result.updated;
          onRecords(records.length, group);
        },
      },
    });
  }
  const tables = new Set(RECORD_GROUPS.map((group) => GROUP_TABLES[group].table));
  const emptyTables = [...tables].filter((table) => isTableEmpty(replica, table));
  return { byGroup, emptyTables };
}

/** A table grows "many times over" when a download brings at least this many times the rows it holds. */
const GROWTH_TO_DEFER_INDEXES = 4;

/**
 * Record tables whose downloads bring more than GROWTH_TO_DEFER_INDEXES times the rows they hold
 * (and more than one id batch): kept row by row, each of their indexes would take every new row in
 * a random place (5 on contacts, plus the search tables), rewriting and re-encrypting its pages at
 * every commit — a scope widened from one worker's to the whole organisation took 25 s at 20,000
 * clients, against 7 s for the same rows filled into an empty replica.
 */
function tablesAboutToGrow(plans: readonly GroupPlan[]): string[] {
  // Per table: rows coming, rows there (the plans' local stamps: no count over the table).
  const tables = new Map<string, { incoming: number; present: number }>();
  for (const plan of plans) {
    const group = plan.target.base.group;
    if (!isRecordGroup(group)) continue; // extension databases: small, kept as they are
    const table = GROUP_TABLES[group].table;
    const sums = tables.get(table) ?? { incoming: 0, present: 0 };
    sums.incoming += plan.diff.fetch.length;
    sums.present += plan.localRecords ?? Infinity; // a listing of changes: the table is not growing
    tables.set(table, sums);
  }
  return [...tables].filter(([, { incoming, present }]) => incoming > MAX_IDS_PER_BATCH && incoming > GROWTH_TO_DEFER_INDEXES * present).map(([table]) => table);
}

/** The plan of a group its fill brought in whole: nothing more to fetch or remove. */
function filledPlan(target: Target, listing: GroupListing): GroupPlan {
  return { target, listing, diff: { fetch: [], remove: [], heldBack: [], unchanged: listing.server.length } };
}

function addSummaries(a: GroupSummary, b: GroupSummary): GroupSummary {
  return { fetched: a.fetched + b.fetched, inserted: a.inserted + b.inserted, updated: a.updated + b.updated, deleted: a.deleted + b.deleted };
}

function turnsOf(fetch: FetchContext): Turns {
  return (fetch.turns ??= new Turns());
}

function resolveSettings(options: RunSyncOptions): ScopeSettings {
  const stored = loadScopeSettings(options.replica);
  const me = options.me ?? stored.me;
  if (me === undefined) throw new MissingMeError();
  const explicit = mergeScopes(stored.explicit, options.scopes ?? []);
  const months = options.doneWindowMonths ?? stored.doneWindowMonths ?? DEFAULT_DONE_WINDOW_MONTHS;
  if (!Number.isInteger(months) || months < 0) throw new SyncFailedError(`the done-contacts window must be a whole number of months, got ${months}`, 'INTERNAL');
  const extensionDatabases = options.extensionDatabases === undefined ? stored.extensionDatabases : parseExtensionDatabases(options.extensionDatabases);
  return { me, explicit, doneWindowMonths: months, extensionDatabases };
}

/**
 * While the checkpointer runs beside the writer, the WAL never gets a moment fully checkpointed at
 * the start of a transaction, so it grows for the whole sync (about the size of what was written).
 * Once the checkpointer's last pass is done, truncating it is cheap; if a frame is still left (the
 * app wrote meanwhile), the next automatic checkpoint deals with it. It never waits: a TRUNCATE
 * checkpoint waiting for a reader's snapshot (the app's reader thread keeps one up to a second)
 * holds off every writer meanwhile — a person's edit on the editor's connection waited 0.5–2 s for
 * it. Busy: the WAL is tidied at a later sync; nothing is lost.
 */
function tidyWal(replica: Replica): void {
  try {
    withoutWaiting(replica.sqlite, () => replica.sqlite.pragma('wal_checkpoint(TRUNCATE)'));
  } catch {
    // Any other failure to tidy costs disk space only.
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SyncCancelledError();
}
