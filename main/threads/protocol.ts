// The messages between the thread that serves the window and the data-plane workers (core, reader
// and editor). Everything here is structured-clone data: channel inputs and outputs already passed the
// contract's schemas on the serving side, errors travel as the envelope's ErrorBody, events as
// (name, payload) pairs that the serving thread's EventHub checks again before fanning out.

import type { NetworkOptions } from '../api/network.js';
import type { Dialect } from '../../shared/dizions/dialects.js';
import type { ErrorBody } from '../../shared/ipc/envelope.js';
import type { OutboxCounts } from '../../shared/ipc/events.js';
import type { SyncStatus } from '../../shared/sync-status.js';
import type { AppCoreOptions } from '../app/core.js';
import type { StoreLink } from './sync-call.js';

/** Where the core keeps the Charitylog keys: inside the replica (browser host), or asked of the serving thread (the OS keychain, Electron). */
export type ConnectionsConfig = { kind: 'replica' } | { kind: 'serving-thread'; link: StoreLink };

/** The core's options that can cross a thread: the key is resolved by the serving thread first. */
export interface CoreWorkerConfig extends Pick<
  AppCoreOptions,
  'dataDir' | 'migrationsFolder' | 'demo' | 'demoOptions' | 'backgroundSync' | 'pushAfterEditMs' | 'keyStoredBesideData' | 'requestTimeoutMs' | 'retry' | 'pushTimings' | 'offlineRetryMs'
> {
  /** This core replaces one that died: a push lease its thread left under this process's PID is released. */
  restarted?: boolean | undefined;
  /** The proxy and CAs to reach the server with, as data (a function cannot cross to a worker). */
  network?: NetworkOptions | undefined;
  replicaFile: string;
  key: string;
  keySource: string;
  connections: ConnectionsConfig;
  /** Linux only: the core thread's nice value (the sync yields the CPU to the window's threads). */
  niceness?: number | undefined;
  /** Shared with the editor: its waits for the write lock, which the sync gives way to (write-gate.ts). */
  gate?: SharedArrayBuffer | undefined;
}

export interface ReadWorkerConfig {
  replicaFile: string;
  key: string;
  keySource: string;
}

export interface EditWorkerConfig extends ReadWorkerConfig {
  gate: SharedArrayBuffer;
  dialect: Dialect;
}

export type WorkerInit = { role: 'core'; config: CoreWorkerConfig } | { role: 'reader'; config: ReadWorkerConfig } | { role: 'editor'; config: EditWorkerConfig };

/** Serving thread → worker. */
export type ToWorker =
  /** `writes` (reader only): how many core calls and data/outbox events the serving thread had seen; a read sees them all. */
  | { type: 'call'; id: number; channel: string; input: unknown; writes?: number }
  /** Core: lifecycle calls of the AppCore (start, one sync, the interval, the edits' dialect). Reader and editor: `release` closes the connection until the next call. */
  | { type: 'control'; id: number; op: 'start' | 'sync' | 'interval' | 'dialect' | 'release' }
  /** Editor only: the dialect edits are checked and queued in, as the core last said. */
  | { type: 'dialect'; dialect: Dialect }
  /** Core only: the editor wrote an edit (the core updates its status and pushes soon). */
  | { type: 'edited'; counts: OutboxCounts }
  /** Reader only: the latest status the core pushed, so sync:status never waits for the core. */
  | { type: 'status'; status: SyncStatus }
  /** Core only: the system's proxy and CAs as the shell resolved them now (they change with the network). */
  | { type: 'network'; options: NetworkOptions }
  | { type: 'stop' };

export type Reply = { type: 'reply'; id: number; ok: true; data: unknown } | { type: 'reply'; id: number; ok: false; error: ErrorBody };

/** Worker → serving thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-failed'; error: { name: string; message: string } }
  | Reply
  | { type: 'event'; name: string; payload: unknown }
  /** Editor: an edit committed in these tables, and the outbox's counts after it. */
  | { type: 'written'; tables: string[]; counts: OutboxCounts }
  | { type: 'log'; event: string; fields: Record<string, unknown> }
  | { type: 'stopped' };

/**
 * The channels the reader answers from its own connection: they read the replica and nothing else,
 * so they never wait behind a sync's ingest or a push in the core. `sync:status` is the core's last
 * pushed status with the outbox count read here.
 */
export const READ_CHANNELS: ReadonlySet<string> = new Set([
  'caseload:list',
  'caseload:query',
  'clients:get',
  'referrals:get',
  'contacts:get',
  'actions:list',
  'outbox:list',
  'reports:run',
  'reports:saved-list',
  'reports:export',
  'dictionaries:get',
  'dictionaries:search',
  'dictionaries:workers',
  'drafts:get',
  'drafts:count',
  'sync:status',
]);

/**
 * The person's edits and the drafts typed into forms, answered by the editor thread over a
 * connection of its own: they never wait behind the core's event loop (a sync's parsing, its
 * steps, its garbage), only for the write lock, which the sync hands over at its next step
 * (write-gate.ts). createEditServices' channels, and the drafts' save and clear.
 */
export const EDIT_CHANNELS: ReadonlySet<string> = new Set([
  'clients:create',
  'clients:update',
  'referrals:create',
  'referrals:update',
  'contacts:complete',
  'contacts:record',
  'contacts:create-due',
  'contacts:update-due',
  'contacts:update-done',
  'contacts:external-referral',
  'contacts:attach',
  'drafts:save',
  'drafts:clear',
]);

/**
 * The calls that may delete the replica file and open a new one (another server, the demo). The
 * reader lets go of the file first (Windows cannot delete a file another connection holds open) and
 * reads wait until the call is over.
 */
export const REPLACING_CHANNELS: ReadonlySet<string> = new Set(['settings:set-connection', 'settings:start-demo', 'settings:demo-reset']);
