// Demo and training mode: the Dizions simulator in-process on 127.0.0.1 (a free port), its charity
// generated once from a fixed seed under `<dataDir>/demo-sim/` (so practice edits survive a restart
// of the app), and the app signed in as its first demo field worker. The demo keys are the
// simulator's public ones; they are never stored as a connection. What a trainee types or attaches
// is encrypted at rest there too, under a key derived from the replica's.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { removeRetrying } from '../files/file-in-use.js';
import { startSimulator, type RunningSimulator } from '../sim/server.js';
import type { DemoUserLine } from '../sim/types.js';
import type { Dialect } from '../../shared/dizions/dialects.js';
import type { StoredConnection } from './connection-store.js';

export const DEMO_SEED = 2024;
export const DEMO_CLIENTS = 300;

export interface DemoOptions {
  clients?: number | undefined;
  seed?: number | undefined;
  /** A fault spec for the simulator (training: show what a bad network does). */
  faults?: string | undefined;
  /** Which manual the demo server speaks (default the seed's, as `caseworker sim`); the app speaks the same. */
  dialect?: Dialect | undefined;
}

export interface DemoServer {
  sim: RunningSimulator;
  /** The demo field worker the app is signed in as. */
  user: DemoUserLine;
  connection: StoredConnection;
  close(): Promise<void>;
}

export function demoDataDir(dataDir: string): string {
  return path.join(dataDir, 'demo-sim');
}

/** The demo simulator's store key (64 hex digits), derived from the replica key: never the same bytes. */
export function demoStoreKey(replicaKey: string): string {
  return createHash('sha256').update('caseworker demo simulator\0').update(replicaKey).digest('hex');
}

/** Starts the demo simulator (generating its charity the first time), its store encrypted under `storeKey`. */
export async function startDemoServer(dataDir: string, options: DemoOptions = {}, storeKey?: string): Promise<DemoServer> {
  const dir = demoDataDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const simOptions = {
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    seed: options.seed ?? DEMO_SEED,
    clients: options.clients ?? DEMO_CLIENTS,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.dialect ? { dialect: options.dialect } : {}),
    ...(storeKey !== undefined ? { storeKey } : {}),
  };
  let sim: RunningSimulator;
  try {
    sim = await startSimulator(simOptions);
  } catch (error) {
    // The demo charity was encrypted under another key (the replica key changed): it cannot be
    // read by anyone now, so it is generated afresh, as the replica beside it was.
    if ((error as { code?: string }).code !== 'SQLITE_NOTADB') throw error;
    wipeDemoData(dataDir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    sim = await startSimulator(simOptions);
  }
  const user = sim.users.find((u) => u.worker !== null) ?? sim.users[0];
  if (!user) {
    await sim.close();
    throw new Error('the demo server has no demo users');
  }
  return {
    sim,
    user,
    connection: { baseUrl: sim.url, source: user.source, org: user.org, user: user.user, dialect: options.dialect ?? '2019' },
    close: () => sim.close(),
  };
}

/** Removes the demo charity (the next start generates it afresh). The server must be closed first. */
export function wipeDemoData(dataDir: string): void {
  removeRetrying(demoDataDir(dataDir), { recursive: true }); // the indexer or antivirus may hold a file for a moment
}
