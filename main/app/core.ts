// The app core that the Electron shell and the browser host share: the replica/demo lifecycle. It
// opens the encrypted replica, runs sync and the outbox (main/app/sync-runner.ts), switches between
// the demo (the simulator in-process) and a real Charitylog connection, and merges the per-domain
// service maps (`create*Services`, one per contract domain in shared/ipc/) into Services. Invariants: one replica open at a time, replaced only while no run is
// active; a replica is wiped only when it holds practice data or data of a server we are leaving
// with nothing left to send; the Charitylog keys never leave the ConnectionStore except into a client.

import fs from 'node:fs';
import path from 'node:path';
import type { SettingsView } from '../../shared/ipc/settings.js';
import { isRefusedPlainHttp, plainHttpRefusedSentence } from '../../shared/server-address.js';
import { createDizionsClient, type DizionsClient } from '../api/client.js';
import { createConnectionCheckServices, restoreConnectionCheck, takeConnectionCheck } from './connection-check.js';
import { createRelatedPeopleServices } from './related-people.js';
import type { NetworkOptions } from '../api/network.js';
import type { RetryOptions } from '../api/retry.js';
import type { KeyProvider } from '../db/keys.js';
import { MIGRATIONS_FOLDER, migrateReplica, openReplica, type Replica } from '../db/open.js';
import type { LogWriter } from '../ipc/error-envelope.js';
import { createEventHub, type EventHub } from '../ipc/event-hub.js';
import { createReplicaServices } from './replica-services.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import type { ReplayTimings } from '../outbox/replay.js';
import type { RunningSimulator } from '../sim/server.js';
import { createActionServices } from './actions.js';
import { createCaseloadServices } from './caseload.js';
import { ReplicaConnectionStore, type ConnectionStore, type StoredConnection } from './connection-store.js';
import { demoStoreKey, startDemoServer, wipeDemoData, type DemoOptions, type DemoServer } from './demo.js';
import { createDraftServices } from './drafts.js';
import { createEditServices } from './edits.js';
import { createExtensionServices, keptExtensionDatabases } from './extension-databases.js';
import { createOutboxServices, outboxCounts } from './outbox-view.js';
import { createRecordViewServices } from './record-views.js';
import { replaceReplicaFiles } from './replica-reset.js';
import { createReportServices } from './reports.js';
import { isDemo, myUserId, setDemo, setMe, settingsView, syncIntervalMinutes } from './settings.js';
import { createSettingsServices } from './settings-services.js';
import { SyncRunner, createSyncServices } from './sync-runner.js';
import { createUploadGroupServices } from './upload-groups.js';
import type { Dialect } from '../../shared/dizions/dialects.js';
import type { WriteWaiters } from '../sync/turns.js';
import type { OutboxCounts } from '../../shared/ipc/events.js';

export interface AppCoreOptions {
  /** The app's folder: the replica (`replica.db`) and the demo's charity (`demo-sim/`) live here. */
  dataDir: string;
  keyProvider: KeyProvider;
  /** Default `<dataDir>/replica.db`. */
  replicaFile?: string | undefined;
  /** The drizzle migrations (the packaged app ships them beside itself). */
  migrationsFolder?: string | undefined;
  /** Where the Charitylog keys live; default: inside the encrypted replica (the browser host). */
  connections?: ConnectionStore | undefined;
  events?: EventHub | undefined;
  log?: LogWriter | undefined;
  /** Start the demo at start() when no connection is configured (the browser host). A demo chosen earlier always resumes. */
  demo?: boolean | undefined;
  demoOptions?: DemoOptions | undefined;
  /** The core syncs in the background on the interval (the browser host); the Electron shell drives its own. */
  backgroundSync?: boolean | undefined;
  /** A push this long after each local edit (default 1500 ms); null: edits go with the next sync only. */
  pushAfterEditMs?: number | null | undefined;
  /** The replica key is stored next to the data (the browser host's demo key file): refuse a real connection. */
  keyStoredBesideData?: boolean | undefined;
  /** Per request to the server (default 30 s). */
  requestTimeoutMs?: number | undefined;
  retry?: Partial<Omit<RetryOptions, 'signal'>> | undefined;
  pushTimings?: Partial<ReplayTimings> | undefined;
  offlineRetryMs?: number | undefined;
  /** Proxy and trusted CAs for each new client (the desktop app: the system's); default: the environment's. */
  network?: (() => NetworkOptions) | undefined;
  /** Writers on other connections (the editor thread): a sync commits and gives way to them (main/threads/write-gate.ts). */
  writeWaiters?: WriteWaiters | undefined;
}

export interface AppCore {
  services: Services;
  events: EventHub;
  /** Resumes the demo (or starts it, see `demo`), announces the status, starts background syncs. */
  start(): Promise<void>;
  /** Stops syncing, the demo server and closes the replica. Safe to call twice. */
  stop(): Promise<void>;
  /** One sync (outbox first); for the Electron shell's online watch. */
  sync(): Promise<unknown>;
  syncIntervalMinutes(): number;
  /** The demo's simulator while the demo runs (tests, trainers), else null. */
  demoServer(): RunningSimulator | null;
  /** The replica open now (it changes on demo reset and when switching servers). */
  replica(): Replica;
  /** An edit written on another connection (the editor thread), its screens told already: the status's count, and a push soon. */
  edited(counts: OutboxCounts): void;
  /** The dialect edits are checked and queued in (the current connection's). */
  dialect(): Dialect;
}

const STOPPED = 'Caseworker is shutting down.';

function sameServer(a: StoredConnection, b: StoredConnection): boolean {
  const normal = (url: string) => url.replace(/\/+$/, '').toLowerCase();
  return normal(a.baseUrl) === normal(b.baseUrl) && a.org === b.org;
}

export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const replicaFile = options.replicaFile ? path.resolve(options.replicaFile) : path.join(dataDir, 'replica.db');
  const events = options.events ?? createEventHub(options.log ? { log: options.log } : {});
  const log: LogWriter = (event, fields) => options.log?.(event, fields);

  async function openCurrent(): Promise<Replica> {
    const opened = await openReplica({ file: replicaFile, keyProvider: options.keyProvider, migrate: false });
    try {
      migrateReplica(opened, options.migrationsFolder ?? MIGRATIONS_FOLDER);
    } catch (error) {
      opened.close();
      throw error;
    }
    return opened;
  }

  let replica = await openCurrent();
  let demo: DemoServer | null = null;
  let stopped = false;
  const handle = {
    get sqlite() {
      return replica.sqlite;
    },
  };
  const connections: ConnectionStore = options.connections ?? new ReplicaConnectionStore(() => replica.sqlite);

  function currentConnection(): StoredConnection | null {
    if (isDemo(replica)) return demo?.connection ?? null;
    return connections.load();
  }

  function clientFor(connection: StoredConnection): DizionsClient {
    // A connection saved before plain http was refused may still name another machine.
    if (isRefusedPlainHttp(connection.baseUrl)) throw new ServiceError('VALIDATION', plainHttpRefusedSentence());
    return createDizionsClient({ ...connection, timeoutMs: options.requestTimeoutMs ?? 30_000, ...(options.network ? { network: options.network() } : {}) });
  }

  const runner = new SyncRunner({
    replica: () => replica,
    client: () => {
      if (stopped) throw new ServiceError('INTERNAL', STOPPED);
      const connection = currentConnection();
      if (connection) return clientFor(connection);
      if (isDemo(replica)) throw new ServiceError('OFFLINE', 'The demo server is not running: reset the demo in Settings, or restart Caseworker.');
      throw new ServiceError('VALIDATION', 'Connect to Charitylog (Settings) or try the demo data before syncing.');
    },
    events,
    log,
    retry: options.retry,
    pushTimings: options.pushTimings,
    intervalMinutes: () => syncIntervalMinutes(replica),
    extensionDatabases: () => keptExtensionDatabases(replica),
    offlineRetryMs: options.offlineRetryMs,
    pushAfterEditMs: options.pushAfterEditMs === undefined ? 1_500 : options.pushAfterEditMs,
    writeWaiters: options.writeWaiters,
  });

  // ---- modes: demo, real connection -------------------------------------------------------------------

  /** Mode changes take turns (a double click on "Try the demo" starts one demo). */
  let modeTurn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = modeTurn.then(work, work);
    modeTurn = next.catch(() => undefined);
    return next;
  }

  /** No sync or push runs while `work` replaces the replica or the demo server. */
  async function withRunsHeld<T>(work: () => Promise<T>): Promise<T> {
    const release = await runner.hold();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Closes the replica, deletes it and opens a new, empty one with the same key (runs held). */
  async function freshReplica(): Promise<void> {
    // Retries while antivirus or backup holds the file; on failure the old replica is open again.
    await replaceReplicaFiles(
      replicaFile,
      () => replica.close(),
      async () => {
        replica = await openCurrent();
      },
      log,
    );
    runner.reset();
  }

  async function stopDemoServer(): Promise<void> {
    const running = demo;
    demo = null;
    await running?.close();
  }

  function refuseIfUnsent(leaving: string): void {
    const { pending } = outboxCounts(replica);
    if (pending > 0) {
      throw new ServiceError(
        'CONFLICT',
        `${pending} edit${pending === 1 ? ' has' : 's have'} not reached ${leaving} yet. Sync them (or discard them in the outbox) before switching, so nothing you recorded is lost or sent to the wrong place.`,
      );
    }
  }

  async function beginDemo(): Promise<void> {
    demo = await startDemoServer(dataDir, options.demoOptions, demoStoreKey(await options.keyProvider.getKey()));
    replica.sqlite.transaction(() => {
      setDemo(replica, true);
      setMe(replica, demo!.user.id, demo!.user.worker);
    })();
    log('demo.start', { user: demo.user.id, clients: options.demoOptions?.clients });
    runner.outboxChanged();
  }

  /** The first sync of a demo, in the background: its progress shows on the Sync screen. */
  function firstSync(): void {
    if (options.backgroundSync) runner.poke();
    else void runner.run({ reason: 'demo' }).catch((error: unknown) => log('demo.first_sync_failed', { error: error instanceof Error ? error.name : typeof error }));
  }

  const view = (): SettingsView => settingsView(replica, { connections, keySource: options.keyProvider.describe(), demoUserName: demo?.user.name });

  async function startDemo(): Promise<SettingsView> {
    if (stopped) throw new ServiceError('INTERNAL', STOPPED);
    if (isDemo(replica) && demo) return view();
    const stored = isDemo(replica) ? null : connections.load();
    if (stored) {
      refuseIfUnsent(new URL(stored.baseUrl).host);
      await withRunsHeld(async () => {
        connections.clear();
        await freshReplica(); // the real server's records must not mix with practice data
      });
    }
    await beginDemo();
    firstSync();
    return view();
  }

  async function resetDemo(): Promise<SettingsView> {
    if (stopped) throw new ServiceError('INTERNAL', STOPPED);
    if (!isDemo(replica)) throw new ServiceError('VALIDATION', 'The demo is not running, so there is nothing to reset. Start it with "Try with demo data".');
    await withRunsHeld(async () => {
      await stopDemoServer();
      wipeDemoData(dataDir);
      await freshReplica();
      await beginDemo();
    });
    log('demo.reset', {});
    firstSync();
    return view();
  }

  async function setConnection(connection: StoredConnection, acceptUnprotected: boolean): Promise<SettingsView> {
    if (stopped) throw new ServiceError('INTERNAL', STOPPED);
    if (options.keyStoredBesideData) {
      throw new ServiceError(
        'VALIDATION',
        'This Caseworker keeps its database key in a file next to the data, which is fine for the demo but not for real records. ' +
          'Stop it and start it again with CASEWORKER_DB_KEY set to a passphrase only you know, then connect.',
        { issues: [{ path: 'connection', message: 'restart Caseworker with CASEWORKER_DB_KEY set to connect to Charitylog' }] },
      );
    }
    if (acceptUnprotected) connections.acceptUnprotectedStorage?.();
    const lastCheck = takeConnectionCheck(replica); // a check of these keys counts in the fresh replica too
    if (isDemo(replica)) {
      await withRunsHeld(async () => {
        await stopDemoServer(); // its charity stays in demo-sim/ for a later demo
        await freshReplica(); // practice records and practice edits must never reach a real server
      });
    } else {
      const previous = connections.load();
      if (previous && !sameServer(previous, connection)) {
        refuseIfUnsent(new URL(previous.baseUrl).host);
        await withRunsHeld(freshReplica);
      }
    }
    try {
      connections.save(connection);
    } catch (error) {
      // The keychain refused (Electron without a keyring): its message says what to do.
      if (error instanceof Error && error.name === 'CredentialStorageError') throw new ServiceError('VALIDATION', error.message);
      throw error;
    }
    setDemo(replica, false);
    restoreConnectionCheck(replica, lastCheck);
    log('connection.saved', { dialect: connection.dialect });
    runner.outboxChanged();
    runner.poke();
    return view();
  }

  // ---- services: the per-domain maps, merged; each reads the open replica and connection on every call ----

  const editDialect = (): Dialect => currentConnection()?.dialect ?? '2019';
  const written = (tables: readonly string[]) => {
    runner.outboxChanged(tables);
    runner.pushSoon();
  };

  /** A client for the current connection (the demo's simulator in demo mode), for calls that ask the server. */
  function connectedClient(why: { demoStopped: string; unconnected: string }): DizionsClient {
    const connection = currentConnection();
    if (connection) return clientFor(connection);
    if (isDemo(replica)) throw new ServiceError('OFFLINE', why.demoStopped);
    throw new ServiceError('VALIDATION', why.unconnected);
  }

  /** A client for an admin's read-only check against the server (Settings). */
  function checkClient(what: string): DizionsClient {
    return connectedClient({
      demoStopped: `The demo server is not running, so ${what} cannot be checked: reset the demo in Settings, or restart Caseworker.`,
      unconnected: `Connect to Charitylog (Settings) first: ${what} is checked with the server.`,
    });
  }

  const replicaServices = createReplicaServices(handle);
  const services: Services = {
    ...replicaServices,
    ...createReportServices(() => replica, {
      client: () =>
        connectedClient({
          demoStopped: 'The demo server is not running, so there is nothing to compare with: reset the demo in Settings, or restart Caseworker.',
          unconnected: 'Connect to Charitylog (Settings) to compare these figures with the server.',
        }),
    }),
    ...createConnectionCheckServices({ replica: () => replica, connections, saved: () => (isDemo(replica) ? null : connections.load()), timeoutMs: options.requestTimeoutMs }),
    ...createRelatedPeopleServices(() =>
      connectedClient({
        demoStopped: 'The demo server is not running, so names outside your caseload cannot be looked up: reset the demo in Settings, or restart Caseworker.',
        unconnected: 'Connect to Charitylog (Settings) to look up names outside your caseload.',
      }),
    ),
    ...createEditServices({ replica: () => replica, dialect: editDialect, written }),
    ...createOutboxServices({ replica: () => replica, changed: written, dialect: () => currentConnection()?.dialect }),
    ...createDraftServices(() => replica),
    ...createExtensionServices({
      replica: () => replica,
      dialect: editDialect,
      client: () => checkClient('an extension database'),
      written,
      changed: () => runner.poke(),
    }),
    ...createUploadGroupServices({ replica: () => replica, client: () => checkClient('the groups dictionary') }),
    ...createCaseloadServices(() => replica),
    ...createActionServices(
      () => replica,
      () => myUserId(replica),
    ),
    ...createRecordViewServices(() => replica),
    ...createSyncServices(runner),
    ...createSettingsServices({
      replica: () => replica,
      view,
      currentConnection,
      clientFor,
      requestTimeoutMs: options.requestTimeoutMs,
      poke: () => runner.poke(),
      reschedule: () => runner.reschedule(),
      setConnection: (connection, acceptUnprotected) => exclusive(() => setConnection(connection, acceptUnprotected)),
      startDemo: () => exclusive(startDemo),
      resetDemo: () => exclusive(resetDemo),
    }),
  };

  let started = false;
  return {
    services,
    events,
    async start() {
      if (started || stopped) return;
      started = true;
      await exclusive(async () => {
        if (isDemo(replica)) {
          await beginDemo(); // a demo chosen earlier resumes on its own charity
          if (!options.backgroundSync) firstSync();
        } else if (options.demo && !connections.load()) {
          await beginDemo();
          if (!options.backgroundSync) firstSync();
        }
      });
      runner.outboxChanged();
      if (options.backgroundSync) runner.startLoop();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await runner.stop();
      await modeTurn.catch(() => undefined);
      await stopDemoServer().catch(() => undefined);
      replica.close();
      log('app.stopped', {});
    },
    sync: () => runner.run({ reason: 'watch' }),
    syncIntervalMinutes: () => syncIntervalMinutes(replica),
    demoServer: () => demo?.sim ?? null,
    replica: () => replica,
    edited: (counts) => runner.editedElsewhere(counts),
    dialect: editDialect,
  };
}
