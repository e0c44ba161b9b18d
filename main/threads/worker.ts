// The data plane's threads: one module, three roles (workerData.role). The core runs the app core
// (sync runner, outbox, settings, drafts) exactly as the single-thread app did; the reader answers
// READ_CHANNELS over a query-only connection of its own, so reads never wait behind ingest; the
// editor answers EDIT_CHANNELS over a writing connection of its own, so an edit waits only for the
// write lock, never for the core's event loop. All reply with the envelope's ErrorBody, never a
// thrown error, and log to the serving thread.

import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { AppCore } from '../app/core.js';
import { StaticKeyProvider } from '../db/keys.js';
import { keyPragma, PRIVATE_TEMP_STORE, type Replica } from '../db/open.js';
import * as schema from '../db/schema.js';
import { errorToBody, type LogWriter } from '../ipc/error-envelope.js';
import { createEventHub } from '../ipc/event-hub.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import type { CoreWorkerConfig, EditWorkerConfig, FromWorker, ReadWorkerConfig, ToWorker, WorkerInit } from './protocol.js';
import { releaseLeaseOfDeadThread } from '../outbox/push-lock.js';
import { commitOpenIngest } from './person-writes.js';
import { createReadServices } from './read-services.js';
import { ReadRewarm } from './read-rewarm.js';
import { ReadSnapshot } from './read-snapshot.js';
import { connectionStoreOver } from './sync-call.js';
import { CoreGate, EditorGate, isLockBusy, LockWaitTimeout } from './write-gate.js';

const port = parentPort;
if (!port) throw new Error('main/threads/worker.ts runs only as a worker thread');
const post = (message: FromWorker) => port.postMessage(message);
const log: LogWriter = (event, fields) => post({ type: 'log', event, fields });

async function answer(services: Partial<Services>, id: number, channel: string, input: unknown): Promise<void> {
  const service = services[channel as keyof Services] as ((input: unknown) => Promise<unknown>) | undefined;
  try {
    if (!service) throw new ServiceError('NOT_FOUND', `There is no channel called "${channel.slice(0, 60)}".`);
    post({ type: 'reply', id, ok: true, data: await service(input) });
  } catch (error) {
    post({ type: 'reply', id, ok: false, error: errorToBody(error, { channel, log }) });
  }
}

/**
 * On Linux the nice value belongs to the thread (setpriority on "0" is the calling thread), so the
 * core — ingest, parsing, the demo's simulator — can yield the CPU to the threads that answer the
 * window. Elsewhere it would lower the whole app, so it is left alone.
 */
function lowerCorePriority(niceness: number | undefined): void {
  if (process.platform !== 'linux' || !niceness) return;
  try {
    os.setPriority(0, niceness);
  } catch (error) {
    log('core.priority_unchanged', { error: error instanceof Error ? error.name : typeof error });
  }
}

async function runCore(config: CoreWorkerConfig): Promise<void> {
  lowerCorePriority(config.niceness);
  const events = createEventHub({ log });
  events.subscribe((name, payload) => post({ type: 'event', name, payload }));
  let core: AppCore;
  let networkNow = config.network;
  // The editor's waits for the write lock: the sync gives way to them, and the watch below commits for them.
  const gate = config.gate ? new CoreGate(config.gate) : undefined;
  try {
    // Loaded here, not at the top: the reader never needs the app core, and starts faster without it.
    const { createAppCore } = await import('../app/core.js');
    core = await createAppCore({
      dataDir: config.dataDir,
      replicaFile: config.replicaFile,
      keyProvider: new StaticKeyProvider(config.key, config.keySource),
      migrationsFolder: config.migrationsFolder,
      connections: config.connections.kind === 'serving-thread' ? connectionStoreOver(config.connections.link) : undefined,
      events,
      log,
      demo: config.demo,
      demoOptions: config.demoOptions,
      backgroundSync: config.backgroundSync,
      pushAfterEditMs: config.pushAfterEditMs,
      keyStoredBesideData: config.keyStoredBesideData,
      requestTimeoutMs: config.requestTimeoutMs,
      retry: config.retry,
      pushTimings: config.pushTimings,
      offlineRetryMs: config.offlineRetryMs,
      network: networkNow ? () => networkNow! : undefined,
      writeWaiters: gate,
    });
  } catch (error) {
    post({ type: 'init-failed', error: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } });
    return;
  }
  if (config.restarted && releaseLeaseOfDeadThread(core.replica().sqlite)) log('core.lease_of_dead_thread_released', {});
  // The editor waits for the write lock: commit what the sync holds open (at a step boundary, as here between two tasks).
  const watch = gate?.watch(() => {
    try {
      commitOpenIngest(core.replica().sqlite);
    } catch (error) {
      log('core.commit_for_editor_failed', { error: error instanceof Error ? error.name : typeof error });
    }
  });
  port!.on('message', (message: ToWorker) => {
    if (message.type === 'call') {
      try {
        commitOpenIngest(core.replica().sqlite);
      } catch (error) {
        log('core.commit_before_write_failed', { error: error instanceof Error ? error.name : typeof error });
      }
      void answer(core.services, message.id, message.channel, message.input);
    } else if (message.type === 'control') {
      if (message.op === 'release') return;
      const work =
        message.op === 'start' ? core.start() : message.op === 'sync' ? core.sync() : message.op === 'dialect' ? Promise.resolve(core.dialect()) : Promise.resolve(core.syncIntervalMinutes());
      work.then(
        (data) => post({ type: 'reply', id: message.id, ok: true, data: message.op === 'sync' ? null : (data ?? null) }),
        (error: unknown) => post({ type: 'reply', id: message.id, ok: false, error: errorToBody(error, { channel: `core:${message.op}`, log }) }),
      );
    } else if (message.type === 'edited') {
      core.edited(message.counts);
    } else if (message.type === 'network') {
      networkNow = message.options;
    } else if (message.type === 'stop') {
      watch?.stop();
      void core.stop().finally(() => {
        post({ type: 'stopped' });
        port!.close();
      });
    }
  });
  post({ type: 'ready' });
}

/**
 * A worker's own connection: keyed like the core's, reopened when the file is replaced. The reader's
 * is query-only; the editor's never sleeps in SQLite's busy handler (it waits on the gate instead).
 */
function openWorkerConnection(config: ReadWorkerConfig, role: 'reader' | 'editor'): Replica {
  const sqlite = new Database(config.replicaFile, { fileMustExist: true });
  try {
    sqlite.pragma(`cipher = 'sqlcipher'`);
    sqlite.pragma(keyPragma(config.key));
    sqlite.pragma('busy_timeout = 5000'); // the first read may meet another process's first fill (fill-journal.ts)
    sqlite.pragma(PRIVATE_TEMP_STORE);
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    if (role === 'reader') {
      sqlite.pragma('cache_size = -65536'); // as the writer's (open.ts): a report's index stays decrypted between runs
      sqlite.pragma('query_only = ON');
    } else {
      sqlite.pragma('busy_timeout = 0');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('foreign_keys = ON');
      // Its commits never checkpoint: SQLite's automatic one runs inside the COMMIT that finds 1000
      // pages in the WAL — every edit's, during a sync — copying what the sync wrote and syncing the
      // file before the edit is answered. runEditor checkpoints after answering instead (checkpointAfterReply).
      sqlite.pragma('wal_autocheckpoint = 0');
    }
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return { sqlite, db: drizzle(sqlite, { schema }), file: config.replicaFile, close: () => sqlite.close() };
}

/** The replica file's identity: a file deleted and made again may get the same inode back, its birth time tells them apart. */
function fileIdentity(file: string): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat || stat.size === 0) {
    throw new ServiceError('INTERNAL', 'The replica is being replaced (a demo reset or a new server). Try again in a moment.');
  }
  return `${stat.ino}:${stat.birthtimeMs}`;
}

/** Statistics the writer's ANALYZE refreshed reach another connection only when it reopens. */
const REOPEN_WHILE_SYNCING_MS = 60_000;

function runReader(config: ReadWorkerConfig): void {
  let open: { replica: Replica; identity: string; at: number; syncedAt: string | null } | null = null;
  const snapshot = new ReadSnapshot(log);
  const close = () => {
    snapshot.end();
    open?.replica.close();
    open = null;
  };
  let syncedAt: string | null = null;
  let syncing = false;

  function current(): Replica {
    const identity = fileIdentity(config.replicaFile);
    const stale = open !== null && (open.identity !== identity || open.syncedAt !== syncedAt || (syncing && Date.now() - open.at > REOPEN_WHILE_SYNCING_MS));
    if (open === null || stale) {
      close();
      open = { replica: openWorkerConnection(config, 'reader'), identity, at: Date.now(), syncedAt };
    }
    return open.replica;
  }

  const read = createReadServices(current);
  // After a write elsewhere, the lists last read are read again before the screens reload (read-rewarm.ts).
  const rewarm = new ReadRewarm(async (channel, input) => {
    const service = read.services[channel as keyof Services] as ((input: unknown) => Promise<unknown>) | undefined;
    // Never opens the replica: after a release the file may be being replaced.
    if (!service || open === null) return;
    snapshot.enter(current().sqlite, undefined); // a fresh snapshot: sees that write
    try {
      await service(input);
    } finally {
      snapshot.leave();
    }
  });
  port!.on('message', (message: ToWorker) => {
    if (message.type === 'call') {
      try {
        snapshot.enter(current().sqlite, message.writes);
      } catch {
        // No replica to read (being replaced): the service's own current() says so in its reply.
      }
      const started = performance.now();
      void answer(read.services, message.id, message.channel, message.input).finally(() => {
        snapshot.leave();
        rewarm.answered(message.channel, message.input, performance.now() - started);
      });
    } else if (message.type === 'control' && message.op === 'release') {
      rewarm.stop();
      close();
      post({ type: 'reply', id: message.id, ok: true, data: null });
    } else if (message.type === 'status') {
      read.setStatus(message.status);
      syncedAt = message.status.lastSyncedAt;
      syncing = message.status.downloading;
      rewarm.statusPushed(message.status.downloading);
    } else if (message.type === 'stop') {
      rewarm.stop();
      close();
      post({ type: 'stopped' });
      port!.close();
    }
  });
  post({ type: 'ready' });
}

/** How long an edit waits for the write lock before it is refused (the sync's index build after a first fill is the longest holder). */
const EDIT_LOCK_WAIT_MS = 30_000;

async function runEditor(config: EditWorkerConfig): Promise<void> {
  // Loaded here: the reader never needs the outbox's code.
  const [{ createEditServices }, { createDraftServices }, { outboxCounts }] = await Promise.all([import('../app/edits.js'), import('../app/drafts.js'), import('../app/outbox-view.js')]);
  const gate = new EditorGate(config.gate);
  let dialect = config.dialect;
  let open: { replica: Replica; identity: string } | null = null;
  const close = () => {
    open?.replica.close();
    open = null;
  };
  function current(): Replica {
    const identity = fileIdentity(config.replicaFile);
    if (open?.identity !== identity) {
      close();
      open = { replica: openWorkerConnection(config, 'editor'), identity };
    }
    return open.replica;
  }
  const edits = createEditServices({ replica: current, dialect: () => dialect, written: (tables) => post({ type: 'written', tables: [...tables], counts: outboxCounts(current()) }) });
  const drafts = createDraftServices(current);
  const writes = { ...edits, 'drafts:save': drafts['drafts:save'], 'drafts:clear': drafts['drafts:clear'] };
  const services = Object.fromEntries(
    Object.entries(writes).map(([channel, service]) => [
      channel,
      (input: unknown) =>
        gate
          .write(() => (service as (input: unknown) => Promise<unknown>)(input), EDIT_LOCK_WAIT_MS)
          .catch((error: unknown) => {
            if (error instanceof LockWaitTimeout) throw new ServiceError('INTERNAL', EDIT_WAITED_TOO_LONG);
            throw error;
          }),
    ]),
  ) as Partial<Services>;
  /**
   * After an edit is answered, what it wrote goes from the WAL into the file (PASSIVE: never waits;
   * during a sync the core's checkpointer does the same, whoever comes first), so edits made offline,
   * when the core writes nothing, do not grow the WAL without end.
   */
  const checkpointAfterReply = () =>
    setImmediate(() => {
      if (!open) return;
      try {
        open.replica.sqlite.pragma('wal_checkpoint(PASSIVE)');
      } catch (error) {
        if (!isLockBusy(error)) log('editor.checkpoint_failed', { error: error instanceof Error ? error.name : typeof error });
      }
    });
  port!.on('message', (message: ToWorker) => {
    if (message.type === 'call') void answer(services, message.id, message.channel, message.input).then(checkpointAfterReply);
    else if (message.type === 'dialect') dialect = message.dialect;
    else if (message.type === 'control' && message.op === 'release') {
      close();
      post({ type: 'reply', id: message.id, ok: true, data: null });
    } else if (message.type === 'stop') {
      close();
      post({ type: 'stopped' });
      port!.close();
    }
  });
  post({ type: 'ready' });
}

const EDIT_WAITED_TOO_LONG = 'Caseworker is busy writing a large download and could not save this change yet. Nothing was saved: try again in a moment.';

const init = workerData as WorkerInit;
if (init.role === 'core') void runCore(init.config);
else if (init.role === 'reader') runReader(init.config);
else void runEditor(init.config);
