// The listing phase: for every group, which ids the scope holds on the server now and their
// `updated` stamps, asked as `<scope path>/field/id;updated` (plus the few fields the default scope
// derives from: a due contact's referral and client, a referral's client, a worker's user). Long id
// lists become several URL-bounded paths. Referrals already in the replica are listed ids-only plus
// `updated/<since>,<to>` for what changed, which is cheaper once a caseload is large. A group whose
// scope is one fixed path, on a server that filters it by `updated`, lists only its changes plus a
// count (changes.ts); the rest of its records in the replica are then known current.

import { RECORD_GROUPS, type RecordGroup } from '../../shared/dizions/model.js';
import { formatServerTimestamp } from '../../shared/dizions/assumptions.js';
import { MAX_FILTER_PAIRS } from '../../shared/dizions/model.js';
import { printPath, type RecordsPath } from '../../shared/url-grammar.js';
import type { Replica } from '../db/open.js';
import type { ApiRecord } from '../db/records.js';
import { DizionsError } from '../api/errors.js';
import { changesRangeEnd, serverCount } from './changes.js';
import { ReplyShapeError, streamArray, type FetchContext, type Sink, type StreamSink } from './fetch.js';
import { idBatchPaths } from './id-batches.js';
import { localColumns, localServerCount, localStampsFor } from './local-stamps.js';
import { runLimited } from './pool.js';
import { doneWindow, explicitPath, type ScopeSettings } from './scope.js';
import { StampList, UNKNOWN_STAMP, packStamp, unpackStamp } from './stamps.js';

export interface GroupListing {
  /** `clients`, …, or `extension_database/<name>_<id>`. */
  label: string;
  /** Sorted by id, one entry per id. Stamps are UNKNOWN_STAMP where only ids were listed. */
  server: StampList;
  /** Referrals listed through the updated filter: the cursor to keep once the group is complete. */
  nextSince?: string | undefined;
  usedUpdatedFilter: boolean;
  /**
   * Listed through the updated filter with a count that adds up: `server` holds only what changed
   * since the cursor, and every other record of the group in the replica is current and stays.
   */
  partial?: boolean;
  /**
   * The one fixed path a group was listed by: its cursor belongs to it (printed), and a download
   * fetching most of the group streams it whole (download.ts).
   */
  scope?: RecordsPath;
}

/**
 * An initial fill of a group the replica holds nothing of: its listing asks for every field and
 * hands the records over as they stream, so one GET per listing path replaces the listing plus
 * the id batches (the ids are then known to be in the replica, with the stamps listed).
 */
export interface Fill {
  fields: readonly string[];
  write(records: ApiRecord[]): Promise<void>;
  /** Set once a listing request filled through it. */
  used?: boolean;
}

export interface ScopeListing {
  myWorker: number | null;
  groups: Record<RecordGroup, GroupListing>;
  /** Per extension database kept (settings.extensionDatabases): its rows for the referrals in scope. */
  extensions: Record<string, GroupListing>;
}

export interface ListingOptions {
  fetch: FetchContext;
  settings: ScopeSettings;
  now: Date;
  full: boolean;
  /** The referrals cursor of the last complete sync (server timestamp), if any. */
  referralsSince: string | undefined;
  /** How many referrals the replica holds now (decides whether the updated filter pays off). */
  localReferrals: number;
  concurrency: number;
  /** Called after each listing request. */
  onRequest?: (label: string) => void;
  /**
   * Server ids of clients created on this device (their creates landed): the server shows a user the
   * clients they created, so "my caseload" keeps them even before they have a referral.
   */
  createdHere?: readonly number[] | undefined;
  /** Groups to fill while listing (empty in the replica); undefined: list ids and stamps only. */
  fill?: ((group: RecordGroup) => Fill | undefined) | undefined;
  /**
   * The cursor to list a group's changes from, when its scope is `scopePath` (printed) and its server
   * filters it by `updated` (updated-filter.ts, changes.ts); undefined: list it in full.
   */
  changesSince?: ((group: RecordGroup, scopePath: string) => string | undefined) | undefined;
  /** Told when a listing of changes was refused: the server no longer filters that group by `updated`. */
  onUpdatedFilterRefused?: ((group: RecordGroup) => void) | undefined;
  /** The replica, read for the changes listing's count and for the unchanged records' fields. */
  local?: Pick<Replica, 'sqlite'> | undefined;
}

/** Below this many referrals per listing path, one `id;updated` request is cheaper than two. */
const UPDATED_FILTER_MIN_PER_PATH = 20;

interface Listed {
  list: StampList;
  /** Extra fields, aligned with the order the rows were pushed; NaN where null. */
  extras: Record<string, number[]>;
}

function toId(value: unknown): number | undefined {
  const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

function listingSink(group: string, withStamps: boolean, extra: readonly string[]): () => Sink<Listed> {
  return () => {
    const listed: Listed = { list: new StampList(), extras: Object.fromEntries(extra.map((f) => [f, []])) };
    return {
      add(items) {
        listItems(group, items, withStamps, extra, listed);
      },
      finish: () => listed,
    };
  };
}

function listItems(group: string, items: unknown[], withStamps: boolean, extra: readonly string[], listed: Listed): void {
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new ReplyShapeError(`a ${group} listing holds ${JSON.stringify(item)?.slice(0, 80)} where a record was expected`);
    const row = item as Record<string, unknown>;
    const id = toId(row.id);
    if (id === undefined) throw new ReplyShapeError(`a ${group} record has no valid id (got ${JSON.stringify(row.id)})`);
    listed.list.push(id, withStamps ? packStamp(row.updated) : UNKNOWN_STAMP);
    for (const field of extra) listed.extras[field]!.push(toId(row[field]) ?? Number.NaN);
  }
}

/** The listing sink of a fill: lists the records, then writes them (ids made numbers, as sync stores them). */
function fillSink(group: string, extra: readonly string[], fill: Fill): () => StreamSink<Listed> {
  return () => {
    const listed: Listed = { list: new StampList(), extras: Object.fromEntries(extra.map((f) => [f, []])) };
    return {
      async add(items) {
        listItems(group, items, true, extra, listed);
        const records = items as ApiRecord[];
        for (const record of records) record.id = toId(record.id);
        await fill.write(records);
      },
      finish: () => listed,
    };
  };
}

/** Lists every path (a few in flight) and merges them into one sorted StampList, handing extras to `onExtras`. */
async function listPaths(
  options: ListingOptions,
  group: string,
  paths: Iterable<RecordsPath>,
  fields: { stamps: boolean; extra: readonly string[]; fill?: Fill | undefined },
  onExtras?: (listed: Listed) => void,
): Promise<StampList> {
  const merged = new StampList();
  const fill = fields.fill;
  if (fill) fill.used = true;
  let selected = ['id', ...(fields.stamps || fill ? ['updated'] : []), ...fields.extra];
  // A fill asks for the fields in the order a download by id does, so the stored raw JSON is the same.
  if (fill) selected = [...fill.fields, ...selected.filter((field) => !fill.fields.includes(field))];
  await runLimited(
    paths,
    options.concurrency,
    async (path) => {
      const listed = fill
        ? // No selectable fields known: ask for no field/ at all, which is every field.
          await streamArray(options.fetch, fill.fields.length === 0 ? path : { ...path, fields: selected }, fillSink(group, fields.extra, fill))
        : // Parsed while it streams too: a listing of a million ids is never one string.
          await streamArray(options.fetch, { ...path, fields: selected }, listingSink(group, fields.stamps, fields.extra));
      for (let i = 0; i < listed.list.length; i++) merged.push(listed.list.ids[i]!, listed.list.stamps[i]!);
      onExtras?.(listed);
      options.onRequest?.(group);
    },
    options.fetch.signal,
  );
  return merged.sortUnique();
}

function groupPath(group: RecordGroup, pairs: RecordsPath['pairs'] = []): RecordsPath {
  return { kind: 'records', group, pairs };
}

function sortedIds(ids: Iterable<number>): Float64Array {
  return Float64Array.from(ids).sort();
}

/** Lists the whole scope, group by group in dependency order (due → referrals → clients, done). */
export async function listScope(options: ListingOptions): Promise<ScopeListing> {
  const { settings } = options;
  const me = settings.me;
  const explicit = (group: RecordGroup) => explicitPath(settings, group);
  const groups = {} as Record<RecordGroup, GroupListing>;
  const plain = (label: string, server: StampList): GroupListing => ({ label, server, usedUpdatedFilter: false });

  let myWorker: number | null = null;
  const fillOf = (group: RecordGroup) => options.fill?.(group);
  const onWorkers = (listed: Listed) => {
    const users = listed.extras.user!;
    for (let i = 0; i < listed.list.length; i++) {
      const id = listed.list.ids[i]!;
      if (users[i] === me && (myWorker === null || id < myWorker)) myWorker = id;
    }
  };
  const dueReferrals = new Set<number>();
  const dueClients = new Set<number>();
  const onDue = (listed: Listed) => {
    for (const id of listed.extras.referral ?? []) if (!Number.isNaN(id)) dueReferrals.add(id);
    for (const id of listed.extras.client ?? []) if (!Number.isNaN(id)) dueClients.add(id);
  };
  const referralClients = new Set<number>();
  const onReferralExtras = (listed: Listed) => {
    for (const id of listed.extras.client ?? []) if (!Number.isNaN(id)) referralClients.add(id);
  };
  const clientsDefault = explicit('clients') === undefined;
  // A due contact's referral and client feed only the default referral and client scopes.
  const dueExtras = clientsDefault || explicit('referrals') === undefined ? ['referral', 'client'] : [];
  const referralExtras = clientsDefault ? ['client'] : [];

  // Explicit scopes that are not being filled depend on no other group: their listings all go out
  // now (a few requests each, mostly waiting on the server) and are awaited in order below.
  const specs: Record<RecordGroup, { extra: readonly string[]; onExtras?: (listed: Listed) => void }> = {
    workers: { extra: ['user'], onExtras: onWorkers },
    due_contacts: { extra: dueExtras, onExtras: onDue },
    referrals: { extra: referralExtras, onExtras: onReferralExtras },
    clients: { extra: [] },
    done_contacts: { extra: [] },
    schedules: { extra: [] },
  };
  const early = new Map<RecordGroup, Promise<GroupListing>>();
  for (const group of RECORD_GROUPS) {
    const path = explicit(group);
    if (!path || fillOf(group)) continue;
    const listing = listFixed(options, group, path, { extra: specs[group].extra }, specs[group].onExtras);
    listing.catch(() => undefined); // awaited below, where a failure is the listing's failure
    early.set(group, listing);
  }
  const fixed = (group: RecordGroup, path: RecordsPath) => early.get(group) ?? listFixed(options, group, path, { extra: specs[group].extra, fill: fillOf(group) }, specs[group].onExtras);

  // Workers: always all of them (or the explicit scope); my worker is the one whose `user` is me.
  groups.workers = await fixed('workers', explicit('workers') ?? groupPath('workers'));
  if (myWorker === null && explicit('workers')) {
    // The explicit workers scope left my own record out: ask for it alone.
    await listPaths(options, 'workers', [groupPath('workers', [{ key: 'user', values: [String(me)] }])], { stamps: false, extra: [] }, (listed) => {
      if (listed.list.length > 0) myWorker = Math.min(...listed.list.idArray());
    });
  }

  // Due contacts: mine. Their referrals and clients feed the defaults below.
  groups.due_contacts = await fixed('due_contacts', explicit('due_contacts') ?? groupPath('due_contacts', [{ key: 'user', values: [String(me)] }]));

  // Referrals: those of my due contacts, or the explicit scope.
  groups.referrals = explicit('referrals')
    ? await fixed('referrals', explicit('referrals')!)
    : await listReferrals(options, [...idBatchPaths(groupPath('referrals'), 'id', sortedIds(dueReferrals))], referralExtras, onReferralExtras);

  // The ids of the referrals in scope (those the replica holds too when only changes were listed).
  const referralIds = () => scopeIds(options, 'referrals', groups.referrals);

  // Clients: those of the referrals and due contacts in scope, and mine by usual support worker.
  let clientPaths: RecordsPath[];
  if (!clientsDefault) {
    clientPaths = [explicit('clients')!];
  } else {
    for (const id of dueClients) referralClients.add(id);
    for (const id of options.createdHere ?? []) referralClients.add(id);
    clientPaths = [...idBatchPaths(groupPath('clients'), 'id', sortedIds(referralClients))];
    if (myWorker !== null) clientPaths.push(groupPath('clients', [{ key: 'usual_support_worker', values: [String(myWorker)] }]));
  }
  groups.clients = !clientsDefault
    ? await fixed('clients', explicit('clients')!)
    : plain('clients', await listPaths(options, 'clients', clientPaths, { stamps: true, extra: [], fill: fillOf('clients') }));

  // Done contacts: those of the referrals in scope within the window, or the explicit scope.
  if (explicit('done_contacts')) {
    groups.done_contacts = await fixed('done_contacts', explicit('done_contacts')!);
  } else {
    const window = doneWindow(options.now, settings.doneWindowMonths);
    const donePaths = idBatchPaths(groupPath('done_contacts', [{ key: 'date_active', range: window }]), 'referral', referralIds());
    groups.done_contacts = plain('done_contacts', await listPaths(options, 'done_contacts', donePaths, { stamps: true, extra: [], fill: fillOf('done_contacts') }));
  }

  // Schedules: my worker's, or the explicit scope.
  const schedulePath = explicit('schedules') ?? (myWorker === null ? undefined : groupPath('schedules', [{ key: 'worker', values: [String(myWorker)] }]));
  groups.schedules = schedulePath ? await fixed('schedules', schedulePath) : plain('schedules', await listPaths(options, 'schedules', [], { stamps: true, extra: [], fill: fillOf('schedules') }));

  // Extension databases: the rows of the referrals in scope.
  const extensions: Record<string, GroupListing> = {};
  for (const database of settings.extensionDatabases) {
    const label = `extension_database/${database}`;
    const base: RecordsPath = { kind: 'records', group: 'extension_database', extensionDatabase: database, pairs: [] };
    extensions[database] = plain(label, await listPaths(options, label, idBatchPaths(base, 'referral', referralIds()), { stamps: true, extra: [] }));
  }

  for (const group of RECORD_GROUPS) if (!groups[group]) throw new Error(`listing left out ${group}`);
  return { myWorker, groups, extensions };
}

/**
 * Referrals: `id;updated` on a first or full sync; afterwards ids only, plus the ids and stamps of
 * those updated since the last complete sync (`updated/<since>,<tomorrow>`, inclusive, so changes in
 * the cursor's own second are seen again rather than missed).
 */
async function listReferrals(options: ListingOptions, paths: RecordsPath[], extra: string[], onExtras: (listed: Listed) => void): Promise<GroupListing> {
  const since = options.referralsSince;
  const useFilter =
    !options.full &&
    since !== undefined &&
    paths.length > 0 &&
    options.localReferrals / paths.length >= UPDATED_FILTER_MIN_PER_PATH &&
    paths.every((p) => p.pairs.length < MAX_FILTER_PAIRS && !p.pairs.some((pair) => pair.key === 'updated'));
  if (!useFilter) {
    const server = await listPaths(options, 'referrals', paths, { stamps: true, extra, fill: options.fill?.('referrals') }, onExtras);
    const max = unpackStamp(server.maxStamp());
    return { label: 'referrals', server, usedUpdatedFilter: false, nextSince: max ?? since };
  }
  const tomorrow = formatServerTimestamp(new Date(options.now.getTime() + 86_400_000)).slice(0, 10);
  const idsOnly = await listPaths(options, 'referrals', paths, { stamps: false, extra }, onExtras);
  const changedPaths = paths.map((p) => ({ ...p, pairs: [...p.pairs, { key: 'updated', range: [since, tomorrow] as [string, string] }] }));
  const changed = await listPaths(options, 'referrals', changedPaths, { stamps: true, extra: [] });
  // Changed stamps win over "unknown"; an id that entered the scope between the two requests is kept.
  for (let i = 0; i < changed.length; i++) idsOnly.push(changed.ids[i]!, changed.stamps[i]!);
  const server = await idsOnly.sortUnique();
  const max = unpackStamp(changed.maxStamp());
  return { label: 'referrals', server, usedUpdatedFilter: true, nextSince: max !== undefined && max > since ? max : since };
}

/** Every id in the group's scope: the listing's, plus the replica's when the listing held only changes. */
function scopeIds(options: ListingOptions, group: RecordGroup, listing: GroupListing): Float64Array {
  if (!listing.partial || !options.local) return listing.server.idArray();
  const ids = new Set(localColumns(options.local, group, []).ids);
  for (const id of listing.server.idArray()) ids.add(id);
  return sortedIds(ids);
}

/**
 * A group whose scope is one fixed path: its changes since the group's cursor when the server filters
 * it by `updated` and the replica has a cursor for this very path (listChanges), else `id;updated`
 * (plus `extra`) of the whole scope, or every field when the group is being filled.
 */
async function listFixed(
  options: ListingOptions,
  group: RecordGroup,
  path: RecordsPath,
  spec: { extra: readonly string[]; fill?: Fill | undefined },
  onExtras?: (listed: Listed) => void,
): Promise<GroupListing> {
  const scopePath = printPath(path);
  const since = spec.fill ? undefined : options.changesSince?.(group, scopePath);
  if (since !== undefined && options.local && path.pairs.length < MAX_FILTER_PAIRS && !path.pairs.some((pair) => pair.key === 'updated')) {
    const changes = await listChanges(options, options.local, group, path, since, spec.extra);
    if (changes) {
      onExtras?.(changes.extras);
      return { ...changes.listing, scope: path };
    }
  }
  const server = await listPaths(options, group, [path], { stamps: true, extra: spec.extra, fill: spec.fill }, onExtras);
  return { label: group, server, usedUpdatedFilter: false, nextSince: unpackStamp(server.maxStamp()), scope: path };
}

/**
 * `<path>/updated/<since>,<tomorrow>` (inclusive: changes in the cursor's own second are listed again,
 * never missed) beside a count of the whole scope. When the replica's records of the group plus the
 * new ones among the changes add up to the server's count, nothing left the scope and the changes
 * are the whole story; when they do not (a deletion, a record moved out of sight, a report the server
 * refuses), undefined: the caller lists the group in full, which finds what went.
 */
async function listChanges(
  options: ListingOptions,
  local: Pick<Replica, 'sqlite'>,
  group: RecordGroup,
  path: RecordsPath,
  since: string,
  extra: readonly string[],
): Promise<{ listing: GroupListing; extras: Listed } | undefined> {
  const changedPath: RecordsPath = { ...path, pairs: [...path.pairs, { key: 'updated', range: [since, changesRangeEnd(options.now)] }] };
  let changedExtras: Listed | undefined;
  let changed: StampList;
  let count: number | undefined;
  try {
    [changed, count] = await Promise.all([listPaths(options, group, [changedPath], { stamps: true, extra }, (listed) => (changedExtras = listed)), serverCount(options.fetch, group, path)]);
  } catch (error) {
    // The server stopped taking the filter on this group (it changes roughly monthly): list it in full.
    if (!(error instanceof DizionsError && error.kind === 'rejected')) throw error;
    options.onUpdatedFilterRefused?.(group);
    return undefined;
  }
  if (count === undefined) return undefined;
  const known = localStampsFor(local, group, changed.idArray());
  if (localServerCount(local, group) + changed.length - known.length !== count) return undefined;

  // The fields the default scope derives from: the replica's for unchanged records, the listing's for changed ones.
  const extras: Listed = { list: new StampList(), extras: Object.fromEntries(extra.map((f) => [f, []])) };
  if (extra.length > 0) {
    const stored = localColumns(local, group, extra);
    stored.ids.forEach((id, i) => {
      if (changed.has(id)) return;
      extras.list.push(id, UNKNOWN_STAMP);
      for (const field of extra) extras.extras[field]!.push(stored.values[field]![i]!);
    });
    const listed = changedExtras!;
    for (let i = 0; i < listed.list.length; i++) {
      extras.list.push(listed.list.ids[i]!, listed.list.stamps[i]!);
      for (const field of extra) extras.extras[field]!.push(listed.extras[field]![i]!);
    }
  }
  const max = unpackStamp(changed.maxStamp());
  return { listing: { label: group, server: changed, partial: true, usedUpdatedFilter: true, nextSince: max !== undefined && max > since ? max : since }, extras };
}
