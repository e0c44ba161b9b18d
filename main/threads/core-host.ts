// The serving thread's side of the data plane: starts the core worker (the app core), the reader
// worker and the editor worker, and offers the same Services and EventHub the single-thread core
// did, so the dispatcher, the contract and the envelope are untouched. This thread only moves
// envelopes and events. A worker that stops unexpectedly is restarted on the same replica (the core
// reconciles entries that were mid-send, as at any start); `core:status` tells the screens while
// the core is away and when it is back.

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isDialect, type Dialect } from '../../shared/dizions/dialects.js';
import { CHANNELS } from '../../shared/ipc/channels.js';
import type { ErrorBody } from '../../shared/ipc/envelope.js';
import type { CoreStatus } from '../../shared/ipc/events.js';
import type { SyncStatus } from '../../shared/sync-status.js';
import type { AppCore, AppCoreOptions } from '../app/core.js';
import type { ConnectionStore } from '../app/connection-store.js';
import { ReplicaKeyError, type KeyProvider } from '../db/keys.js';
import type { LogWriter } from '../ipc/error-envelope.js';
import { createEventHub, type EventHub } from '../ipc/event-hub.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import { EDIT_CHANNELS, READ_CHANNELS, REPLACING_CHANNELS, type CoreWorkerConfig, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { CoreGate, createGateBuffer } from './write-gate.js';
import { serveConnectionStore } from './sync-call.js';

export interface ThreadedCoreOptions extends Omit<AppCoreOptions, 'connections' | 'events' | 'keyProvider'> {
  keyProvider: KeyProvider;
  /** A store that lives on this thread (the OS keychain); the core asks it synchronously. Default: inside the replica. */
  connections?: ConnectionStore | undefined;
  events?: EventHub | undefined;
  /** The worker module: default worker-entry.mjs beside this file (runs the TypeScript through tsx); the packaged app passes its bundle. */
  workerFile?: string | URL | undefined;
  /** Restarts allowed within a minute before giving up (default 5). */
  maxRestartsPerMinute?: number | undefined;
  /** Linux: a nice value for the core thread (default 0: level with the window's threads; see docs/architecture.md). */
  coreNiceness?: number | undefined;
}

/** The app core's face (its sync interval as last read, refreshed after every settings change), plus the workers' state. */
export interface ThreadedCore extends Omit<AppCore, 'demoServer' | 'replica' | 'edited' | 'dialect'> {
  state(): CoreStatus;
  /** Fault drills (tests, the bench): ends a worker the way a crash would. */
  kill(which: 'core' | 'reader' | 'editor'): Promise<void>;
}

// Written from the repository root's depth (two folders down), so it names the same file from this
// source and from the prebuilt CLI's chunks in dist/cli/ (build/cli.mjs keeps them at that depth).
const DEFAULT_WORKER = new URL('../../main/threads/worker-entry.mjs', import.meta.url);
const DEFAULT_CORE_NICENESS = 0;
const GONE = 'Caseworker’s data engine stopped while doing this and is restarting. What was saved before is safe; check whether this last change is there, then try again.';
const FAILED =
  'Caseworker’s data engine keeps stopping, so it was not restarted. Your saved work is in the replica: quit and open Caseworker again, and send the support log to your administrator if it happens again.';
const ALL_TABLES = ['clients', 'referrals', 'contacts', 'workers', 'schedules', 'dictionaries', 'extension_records', 'outbox', 'drafts'];

class WorkerGone extends Error {
  override name = 'WorkerGone';
}

/** One worker thread and the calls waiting on it. */
class WorkerLink {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  private nextId = 1;
  stopping = false;
  exited = false;
  readonly exit: Promise<number>;

  constructor(
    file: string | URL,
    init: WorkerInit,
    transfer: Transferable[],
    private readonly onMessage: (message: FromWorker) => void,
  ) {
    this.worker = new Worker(file, { workerData: init, transferList: transfer as never });
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-failed')
          reject(message.error.name === 'ReplicaKeyError' ? new ReplicaKeyError(message.error.message) : Object.assign(new Error(message.error.message), { name: message.error.name }));
        else if (message.type === 'reply') {
          const waiter = this.waiting.get(message.id);
          this.waiting.delete(message.id);
          if (!waiter) return;
          if (message.ok) waiter.resolve(message.data);
          else waiter.reject(fromBody(message.error));
        } else this.onMessage(message);
      });
      this.worker.once('error', reject);
      this.worker.once('exit', () => reject(new WorkerGone('the worker ended before it was ready')));
    });
    this.ready.catch(() => undefined);
    this.exit = new Promise<number>((resolve) => {
      this.worker.once('exit', (code) => {
        this.exited = true;
        for (const waiter of this.waiting.values()) waiter.reject(new WorkerGone('the worker ended'));
        this.waiting.clear();
        resolve(code);
      });
    });
    this.worker.on('error', () => undefined); // reported through exit
  }

  request(message: Omit<Extract<ToWorker, { type: 'call' }>, 'id'> | Omit<Extract<ToWorker, { type: 'control' }>, 'id'>): Promise<unknown> {
    if (this.exited) return Promise.reject(new WorkerGone('the worker ended'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as ToWorker);
    });
  }

  post(message: ToWorker): void {
    if (!this.exited) this.worker.postMessage(message);
  }

  /** Asks the worker to stop cleanly (the core closes the replica), ending it after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    this.post({ type: 'stop' });
    const timer = setTimeout(() => void this.worker.terminate(), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}

/** The worker's error envelope becomes a ServiceError again, which the dispatcher passes through unchanged. */
function fromBody(body: ErrorBody): ServiceError {
  return new ServiceError(body.code, body.message, body.details);
}

export async function startThreadedCore(options: ThreadedCoreOptions): Promise<ThreadedCore> {
  const { keyProvider, connections, events: givenEvents, workerFile, maxRestartsPerMinute, coreNiceness, log: givenLog, network, ...rest } = options;
  const events = givenEvents ?? createEventHub(givenLog ? { log: givenLog } : {});
  const log: LogWriter = (event, fields) => givenLog?.(event, fields);
  const file = workerFile ?? DEFAULT_WORKER;
  // The key is resolved here once (Electron's keychain answers only on this thread) and handed to both workers.
  let key: string;
  try {
    key = await keyProvider.getKey();
  } catch (error) {
    if (error instanceof ReplicaKeyError) throw error;
    throw new ReplicaKeyError(`could not get the database key from ${keyProvider.describe()}: ${(error as Error).message}`);
  }
  if (typeof key !== 'string' || key === '') throw new ReplicaKeyError(`no database key: ${keyProvider.describe()} gave an empty key`);
  const dataDir = rest.dataDir;
  const replicaFile = path.resolve(rest.replicaFile ?? path.join(dataDir, 'replica.db'));
  const keySource = keyProvider.describe();

  let core!: WorkerLink;
  let reader!: WorkerLink;
  let editor!: WorkerLink;
  let editorUp: Promise<void>;
  const editorRestarts: number[] = [];
  let editorGaveUp = false;
  /** The dialect edits are checked in: the core's answer, asked at start and after every settings change. */
  let dialect: Dialect = '2019';
  const gate = createGateBuffer();
  let coreUp: Promise<void>;
  let readerUp: Promise<void>;
  let started = false;
  let stopped = false;
  let interval = 15;
  let status: CoreStatus = { state: 'running', message: null, restarts: 0 };
  const recentRestarts: number[] = [];
  const readerRestarts: number[] = [];
  let readerGaveUp = false;
  /** Counts a restart; true when there were more than allowed in the last minute. */
  function tooMany(restarts: number[]): boolean {
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    return restarts.length > (maxRestartsPerMinute ?? 5);
  }
  let keychain = connections ? serveConnectionStore(connections) : null;

  function setState(next: CoreStatus): void {
    status = next;
    events.emit('core:status', next);
  }

  /** Core calls finished and data/outbox events seen: a read asked after them must see their writes (read-snapshot.ts). */
  let writes = 0;
  function onCoreMessage(message: FromWorker): void {
    if (message.type === 'event') {
      if (message.name === 'data:changed' || message.name === 'outbox:changed') writes++;
      events.emit(message.name as never, message.payload as never);
      if (message.name === 'sync:status') reader?.post({ type: 'status', status: message.payload as SyncStatus });
    } else if (message.type === 'log') log(message.event, message.fields);
  }
  function onReaderMessage(message: FromWorker): void {
    if (message.type === 'log') log(message.event, message.fields);
  }
  function onEditorMessage(message: FromWorker): void {
    if (message.type === 'written') {
      // Before the edit's reply (same port, in order): a read or a status asked after it sees the new counts.
      writes++;
      events.emit('outbox:changed', message.counts);
      events.emit('data:changed', { tables: [...new Set(message.tables)].slice(0, 50) });
      core.post({ type: 'edited', counts: message.counts }); // its status's count, and a push soon
    } else if (message.type === 'log') log(message.event, message.fields);
  }

  function spawnCore(restarted = false): WorkerLink {
    const config: CoreWorkerConfig = {
      ...rest,
      replicaFile,
      key,
      keySource,
      connections: keychain ? { kind: 'serving-thread', link: keychain.link } : { kind: 'replica' },
      niceness: coreNiceness ?? DEFAULT_CORE_NICENESS,
      gate,
      network: network?.(),
      restarted,
    };
    // A port can be handed over once: a restarted core gets a fresh pair (restart()).
    const link = new WorkerLink(file, { role: 'core', config }, keychain ? [keychain.link.port as unknown as Transferable] : [], onCoreMessage);
    void link.exit.then((code) => {
      if (!link.stopping && !stopped) void restart('core', code);
    });
    return link;
  }

  function spawnReader(): WorkerLink {
    const link = new WorkerLink(file, { role: 'reader', config: { replicaFile, key, keySource } }, [], onReaderMessage);
    void link.exit.then((code) => {
      if (!link.stopping && !stopped) void restart('reader', code);
    });
    return link;
  }

  function spawnEditor(): WorkerLink {
    new CoreGate(gate).reset(); // a predecessor that died mid-wait left its count behind
    const link = new WorkerLink(file, { role: 'editor', config: { replicaFile, key, keySource, gate, dialect } }, [], onEditorMessage);
    void link.exit.then((code) => {
      if (!link.stopping && !stopped) void restart('editor', code);
    });
    return link;
  }

  /** Asks the core for the dialect edits are checked in, and tells the editor. */
  async function refreshDialect(): Promise<void> {
    const answer = await core.request({ type: 'control', op: 'dialect' });
    if (isDialect(answer)) {
      dialect = answer;
      editor?.post({ type: 'dialect', dialect });
    }
  }

  let restarting: Promise<void> | null = null;
  async function restart(which: 'core' | 'reader' | 'editor', code: number): Promise<void> {
    log('core.worker_exited', { worker: which, code });
    if (which === 'editor') {
      if (tooMany(editorRestarts)) {
        editorGaveUp = true;
        log('core.editor_given_up', {});
        return;
      }
      // The edit it was writing either committed or did not (its caller was told to check); the next one goes to a new editor.
      editor = spawnEditor();
      editorUp = editor.ready;
      return;
    }
    if (which === 'reader') {
      if (tooMany(readerRestarts)) {
        readerGaveUp = true;
        log('core.reader_given_up', {});
        return;
      }
      // Reads hold nothing: a new reader takes over at once, and the calls that were waiting are asked again.
      reader = spawnReader();
      readerUp = reader.ready;
      return;
    }
    if (tooMany(recentRestarts)) {
      setState({ state: 'failed', message: FAILED, restarts: status.restarts });
      coreUp = Promise.reject(new ServiceError('INTERNAL', FAILED));
      coreUp.catch(() => undefined);
      return;
    }
    setState({
      state: 'restarting',
      message: 'Caseworker’s data engine stopped unexpectedly and is restarting. Nothing you saved is lost; anything that was being sent is checked with the server before it is sent again.',
      restarts: status.restarts + 1,
    });
    const last = events.latest('sync:status');
    if (last) events.emit('sync:status', { ...last, uploading: false, downloading: false, phase: null, progress: null });
    restarting = (async () => {
      if (keychain && connections) {
        // The transferred port died with the worker: serve the store again on a new pair.
        keychain.close();
        keychain = serveConnectionStore(connections);
      }
      core = spawnCore(true);
      coreUp = core.ready;
      try {
        await core.ready;
        if (started) await core.request({ type: 'control', op: 'start' });
        interval = Number(await core.request({ type: 'control', op: 'interval' })) || interval;
        await refreshDialect();
        setState({ state: 'running', message: 'Caseworker’s data engine was restarted. Your work is as you left it.', restarts: status.restarts });
        events.emit('data:changed', { tables: ALL_TABLES });
      } catch (error) {
        log('core.restart_failed', { error: error instanceof Error ? error.name : typeof error });
      } finally {
        restarting = null;
      }
    })();
    await restarting;
  }

  core = spawnCore();
  coreUp = core.ready;
  // Both threads load at once; the reader opens the replica only at its first read, which waits
  // for the core to have created and migrated it.
  reader = spawnReader();
  readerUp = Promise.all([core.ready, reader.ready]).then(() => undefined);
  readerUp.catch(() => undefined);
  editor = spawnEditor();
  editorUp = Promise.all([core.ready, editor.ready]).then(() => undefined);
  editorUp.catch(() => undefined);
  try {
    await readerUp;
    await editorUp;
    interval = Number(await core.request({ type: 'control', op: 'interval' })) || interval;
    await refreshDialect();
  } catch (error) {
    stopped = true;
    await core.stop().catch(() => undefined);
    await reader?.stop().catch(() => undefined);
    await editor?.stop().catch(() => undefined);
    keychain?.close();
    throw error;
  }

  /** While a call may replace the replica file, reads wait for it (see REPLACING_CHANNELS). */
  let replacing: Promise<unknown> | null = null;

  async function callCore(channel: string, input: unknown): Promise<unknown> {
    if (stopped) throw new ServiceError('INTERNAL', 'Caseworker is shutting down.');
    if (REPLACING_CHANNELS.has(channel)) {
      // Set before any await: a read asked after this call waits for it.
      const call = (async () => {
        await coreUp;
        await readerUp;
        await reader.request({ type: 'control', op: 'release' }).catch(() => undefined);
        await editorUp.catch(() => undefined);
        await editor.request({ type: 'control', op: 'release' }).catch(() => undefined);
        return core.request({ type: 'call', channel, input });
      })();
      const mine = call.catch(() => undefined);
      replacing = mine;
      void mine.then(() => {
        if (replacing === mine) replacing = null;
      });
      return finishCore(channel, call);
    }
    await coreUp;
    return finishCore(channel, core.request({ type: 'call', channel, input }));
  }

  async function finishCore(channel: string, call: Promise<unknown>): Promise<unknown> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof WorkerGone) throw new ServiceError('INTERNAL', GONE);
      throw error;
    } finally {
      writes++;
      if (channel.startsWith('settings:')) {
        void core.request({ type: 'control', op: 'interval' }).then(
          (minutes) => {
            interval = Number(minutes) || interval;
          },
          () => undefined,
        );
        void refreshDialect().catch(() => undefined);
      }
    }
  }

  async function callEditor(channel: string, input: unknown): Promise<unknown> {
    if (stopped) throw new ServiceError('INTERNAL', 'Caseworker is shutting down.');
    if (editorGaveUp) return callCore(channel, input); // the core writes edits too, only after its step in hand
    await replacing;
    if (editor.exited) await new Promise((resolve) => setImmediate(resolve)); // its successor is spawned as it exits
    await editorUp;
    try {
      return await editor.request({ type: 'call', channel, input });
    } catch (error) {
      // Never asked again: the edit may have committed before the editor ended.
      if (error instanceof WorkerGone) throw new ServiceError('INTERNAL', GONE);
      throw error;
    } finally {
      writes++;
    }
  }

  async function callReader(channel: string, input: unknown): Promise<unknown> {
    if (stopped) throw new ServiceError('INTERNAL', 'Caseworker is shutting down.');
    if (readerGaveUp) return callCore(channel, input); // the core answers every channel too, only not beside a sync
    for (let attempt = 0; ; attempt++) {
      await replacing;
      await readerUp;
      try {
        return await reader.request({ type: 'call', channel, input, writes });
      } catch (error) {
        // A read has no effects: ask the next reader once.
        if (error instanceof WorkerGone && attempt === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        if (error instanceof WorkerGone) throw new ServiceError('INTERNAL', GONE);
        throw error;
      }
    }
  }

  const services = Object.fromEntries(
    CHANNELS.map((channel) => [
      channel,
      READ_CHANNELS.has(channel)
        ? (input: unknown) => callReader(channel, input)
        : EDIT_CHANNELS.has(channel)
          ? (input: unknown) => callEditor(channel, input)
          : (input: unknown) => callCore(channel, input),
    ]),
  ) as unknown as Services;
  // The status is what the core pushed (it pushes every change, and the outbox count with every
  // outbox change), so this thread answers it without a hop: the status bar never waits for a worker.
  services['sync:status'] = async (input) => {
    const pushed = events.latest('sync:status');
    const counts = events.latest('outbox:changed');
    if (pushed && counts) return { ...pushed, pending: counts.pending };
    return callReader('sync:status', input) as ReturnType<Services['sync:status']>;
  };

  setState(status);

  return {
    services,
    events,
    async start() {
      if (started || stopped) return;
      started = true;
      await coreUp;
      await core.request({ type: 'control', op: 'start' });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await restarting?.catch(() => undefined);
      await Promise.all([core.stop(), reader?.stop(), editor?.stop()]);
      keychain?.close();
      log('app.threads_stopped', {});
    },
    async sync() {
      await coreUp;
      // The shell may have re-resolved the system proxy (a new network): the core sends through it from now on.
      if (network) core.post({ type: 'network', options: network() });
      try {
        return await core.request({ type: 'control', op: 'sync' });
      } catch (error) {
        if (error instanceof WorkerGone) throw new ServiceError('INTERNAL', GONE);
        throw error;
      }
    },
    syncIntervalMinutes: () => interval,
    state: () => status,
    async kill(which) {
      const link = which === 'core' ? core : which === 'reader' ? reader : editor;
      await link.worker.terminate();
      if (which !== 'reader') await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
