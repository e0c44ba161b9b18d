// The data plane's threads: one module, two roles (workerData.role). The core runs the app core
// (replica writer, sync runner, outbox, settings, drafts) exactly as the single-thread app did; the
// reader answers READ_CHANNELS over a query-only connection of its own, so reads never wait behind
// ingest. Both reply with the envelope's ErrorBody, never a thrown error, and log to the serving thread.

import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { AppCore } from '../app/core.js';
import { StaticKeyProvider } from '../db/keys.js';
import { keyPragma, type Replica } from '../db/open.js';
import * as schema from '../db/schema.js';
import { errorToBody, type LogWriter } from '../ipc/error-envelope.js';
import { createEventHub } from '../ipc/event-hub.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import type { CoreWorkerConfig, FromWorker, ReadWorkerConfig, ToWorker, WorkerInit } from './protocol.js';
import { releaseLeaseOfDeadThread } from '../outbox/push-lock.js';
import { commitOpenIngest } from './person-writes.js';
import { createReadServices } from './read-services.js';
import { ReadRewarm } from './read-rewarm.js';
import { ReadSnapshot } from './read-snapshot.js';
import { connectionStoreOver } from './sync-call.js';

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
    });
  } catch (error) {
    post({ type: 'init-failed', error: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) } });
    return;
  }
  if (config.restarted && releaseLeaseOfDeadThread(core.replica().sqlite)) log('core.lease_of_dead_thread_released', {});
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
      const work = message.op === 'start' ? core.start() : message.op === 'sync' ? core.sync() : Promise.resolve(core.syncIntervalMinutes());
      work.then(
        (data) => post({ type: 'reply', id: message.id, ok: true, data: message.op === 'sync' ? null : (data ?? null) }),
        (error: unknown) => post({ type: 'reply', id: message.id, ok: false, error: errorToBody(error, { channel: `core:${message.op}`, log }) }),
      );
    } else if (message.type === 'network') {
      networkNow = message.options;
    } else if (message.type === 'stop') {
      void core.stop().finally(() => {
        post({ type: 'stopped' });
        port!.close();
      });
    }
  });
  post({ type: 'ready' });
}

/** The reader's connection: keyed like the writer's, query-only, reopened when the file is replaced. */
function openReader(config: ReadWorkerConfig): Replica {
  const sqlite = new Database(config.replicaFile, { fileMustExist: true });
  try {
    sqlite.pragma(`cipher = 'sqlcipher'`);
    sqlite.pragma(keyPragma(config.key));
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -32768');
    sqlite.pragma('query_only = ON');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return { sqlite, db: drizzle(sqlite, { schema }), file: config.replicaFile, close: () => sqlite.close() };
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
    const stat = fs.statSync(config.replicaFile, { throwIfNoEntry: false });
    if (!stat || stat.size === 0) {
      throw new ServiceError('INTERNAL', 'The replica is being replaced (a demo reset or a new server). Try again in a moment.');
    }
    // A file deleted and made again may get the same inode back: its birth time tells them apart.
    const identity = `${stat.ino}:${stat.birthtimeMs}`;
    const stale = open !== null && (open.identity !== identity || open.syncedAt !== syncedAt || (syncing && Date.now() - open.at > REOPEN_WHILE_SYNCING_MS));
    if (open === null || stale) {
      close();
      open = { replica: openReader(config), identity, at: Date.now(), syncedAt };
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

const init = workerData as WorkerInit;
if (init.role === 'core') void runCore(init.config);
else runReader(init.config);
