// The download of one group or extension database (targets.ts): diff the server's listing against
// the replica, fetch what is new or changed in URL-bounded batches of ids (a few requests in
// flight) — or, when most of a group listed by one path is to fetch (a wider scope, a --full
// sync), in one streamed GET of that path — ingest each batch through the bulk writer in
// all-or-nothing slices (ingest.ts), then remove what left the scope. Records with pending local
// edits are neither overwritten nor removed; negative ids (created offline) are never touched.
// Resumable by construction: a slice is in the replica whole or not at all, and the next run's
// diff skips everything already current.

import type { ApiRecord } from '../db/records.js';
import { ReplyShapeError, getArray, streamArray, type FetchContext, type Sink } from './fetch.js';
import { MAX_IDS_PER_BATCH, idBatches } from './id-batches.js';
import { Ingestor, type CommitPacer } from './ingest.js';
import type { GroupListing } from './listing.js';
import { runLimited } from './pool.js';
import type { Target } from './targets.js';
import { Turns } from './turns.js';
import { diffStamps, lowerBound, unpackStamp, type StampDiff } from './stamps.js';
import { normaliseTimestamps } from '../../shared/dizions/replies.js';
import type { RecordsPath } from '../../shared/url-grammar.js';

export interface GroupSummary {
  /** Records received in full. */
  fetched: number;
  inserted: number;
  updated: number;
  deleted: number;
}

export interface GroupPlan {
  target: Target;
  diff: StampDiff;
  listing: GroupListing;
  /** The group's records in the replica when planned; undefined where only the listed ids were read (changes). */
  localRecords?: number;
}

/** Deletions are written in batches this size (each all-or-nothing). */
const DELETE_BATCH = 1000;

export function emptySummary(): GroupSummary {
  return { fetched: 0, inserted: 0, updated: 0, deleted: 0 };
}

/** What the download of a target will do, from its listing and the replica as it is now. */
export async function planDownload(target: Target, listing: GroupListing, full: boolean): Promise<GroupPlan> {
  // A listing of changes only: compared with those records alone, and nothing else is removed.
  const local = listing.partial ? await target.localStampsFor(listing.server.idArray()).sortUnique() : await target.localStamps();
  const diff = diffStamps(listing.server, local, { pending: target.pending(), full });
  return { target, diff, listing, ...(listing.partial ? {} : { localRecords: local.length }) };
}

export interface DownloadOptions {
  fetch: FetchContext;
  concurrency: number;
  /** The run's transaction pacing (shared by every group). */
  commits: CommitPacer;
  /** After each ingested batch: records in it. */
  onBatch?: (records: number) => void;
}

/** Fetches and ingests the plan's records, then removes what left the scope. */
export async function download(plan: GroupPlan, options: DownloadOptions): Promise<GroupSummary> {
  const { target } = plan;
  const summary = emptySummary();
  const turns = options.fetch.turns ?? new Turns();
  const ingest = new Ingestor(target, options.commits, turns);
  const write = async (records: ApiRecord[], asked: number) => {
    const result = await ingest.write(records);
    summary.inserted += result.inserted;
    summary.updated += result.updated;
    summary.fetched += result.written;
    options.onBatch?.(asked);
  };
  const whole = wholeGroupPath(plan);
  if (whole) {
    // Most of the group is to fetch (a wider scope, a --full sync): one streamed GET of its scope
    // instead of a request per 1,000 ids. Records already current are compared and left alone.
    const wanted = plan.diff.fetch; // ascending: looked up, not copied into a Set (a million ids)
    await streamArray(options.fetch, whole, () => ({
      add: (items) => {
        const records = checkedRecords(target.label, items);
        return write(records, records.filter((record) => wanted[lowerBound(wanted, record.id as number)] === record.id).length);
      },
      finish: () => undefined,
    }));
  } else {
    await runLimited(
      idBatches(target.base, 'id', plan.diff.fetch),
      options.concurrency,
      async (batch) => write(await getArray(options.fetch, batch.path, recordsSink(target.label, new Set(batch.ids))), batch.ids.length),
      options.fetch.signal,
    );
  }

  const remove = plan.diff.remove;
  for (let i = 0; i < remove.length; i += DELETE_BATCH) {
    const ids = remove.slice(i, i + DELETE_BATCH);
    summary.deleted += await turns.run(() =>
      options.commits.run(ids.length, () => {
        // Read inside the write transaction, so an edit made meanwhile (on any connection) keeps its record.
        const pending = target.pending();
        const removable = pending.size === 0 ? ids : ids.filter((id) => !pending.has(id));
        return removable.length === 0 ? 0 : target.remove(removable);
      }),
    );
    await turns.run(() => options.commits.commitIfDue());
  }
  await turns.run(() => options.commits.commit());
  return summary;
}

/**
 * The records of a batch reply, checked: objects with the ids asked for (anything else the server
 * sent is ignored, never stored). An id asked for but missing was deleted or moved out of sight
 * since the listing; the next sync's listing settles it.
 */
function recordsSink(label: string, asked: ReadonlySet<number>): () => Sink<ApiRecord[]> {
  return () => {
    const out: ApiRecord[] = [];
    return {
      add(items) {
        for (const record of checkedRecords(label, items, asked)) out.push(record);
      },
      finish: () => out,
    };
  };
}

/** Records of a reply with a usable id (ids made numbers, stamps normalised): those `asked` for, or all. */
function checkedRecords(label: string, items: unknown[], asked?: ReadonlySet<number>): ApiRecord[] {
  const out: ApiRecord[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ReplyShapeError(`a ${label} reply holds ${JSON.stringify(item)?.slice(0, 80)} where a record was expected`);
    }
    const record = item as ApiRecord;
    const raw = record.id;
    const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (!asked && !(typeof id === 'number' && Number.isSafeInteger(id) && id > 0)) {
      throw new ReplyShapeError(`a ${label} record has no valid id (got ${JSON.stringify(raw)})`);
    }
    if (typeof id !== 'number' || (asked && !asked.has(id))) continue;
    record.id = id;
    normaliseTimestamps(record); // a `T` or missing seconds never stops a sync, nor breaks `updated`
    out.push(record);
  }
  return out;
}

/**
 * More records to fetch than one id batch holds, and at least this share of the group's listing:
 * one streamed GET of the scope costs the server one query and the replica one pass, where id
 * batches cost a request per 1,000 ids (1,400 requests for a whole 100k-client organisation).
 */
const STREAM_WHOLE_MIN_SHARE = 0.5;

/**
 * The group's scope path with the fields a batch asks for, when most of a group listed by that one
 * path is to fetch; else undefined (id batches). A partial listing (changes only) never qualifies.
 */
function wholeGroupPath(plan: GroupPlan): RecordsPath | undefined {
  const { listing, diff, target } = plan;
  if (!listing.scope || listing.partial) return undefined;
  if (diff.fetch.length <= MAX_IDS_PER_BATCH || diff.fetch.length < STREAM_WHOLE_MIN_SHARE * listing.server.length) return undefined;
  return target.base.fields ? { ...listing.scope, fields: target.base.fields } : listing.scope;
}

/**
 * The referrals cursor to keep: the listing's, but never past a change held back by a pending
 * edit, so that the change is listed again once the edit has settled.
 */
export function referralsCursor(plan: GroupPlan): string | undefined {
  let next = plan.listing.nextSince;
  if (next === undefined) return undefined;
  const server = plan.listing.server;
  for (const id of plan.diff.heldBack) {
    const at = lowerBound(server.ids, id, server.length);
    const stamp = unpackStamp(server.stamps[at] ?? Number.NaN);
    if (at < server.length && server.ids[at] === id && stamp !== undefined && stamp < next) next = stamp;
  }
  return next;
}
