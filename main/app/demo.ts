// Demo and training mode: the Dizions simulator in-process on 127.0.0.1 (a free port), its charity
// generated once from a fixed seed under `<dataDir>/demo-sim/` (so practice edits survive a restart
// of the app), and the app signed in as its first demo field worker. The demo keys are the
// simulator's public ones; they are never stored as a connection.

import fs from 'node:fs';
import path from 'node:path';
import { removeRetrying } from '../files/file-in-use.js';
import { startSimulator, type RunningSimulator } from '../sim/server.js';
import type { DemoUserLine } from '../sim/types.js';
import type { StoredConnection } from './connection-store.js';

export const DEMO_SEED = 2024;
export const DEMO_CLIENTS = 300;

export interface DemoOptions {
  clients?: number | undefined;
  seed?: number | undefined;
  /** A fault spec for the simulator (training: show what a bad network does). */
  faults?: string | undefined;
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

/** Starts the demo simulator (generating its charity the first time). */
export async function startDemoServer(dataDir: string, options: DemoOptions = {}): Promise<DemoServer> {
  const dir = demoDataDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sim = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    seed: options.seed ?? DEMO_SEED,
    clients: options.clients ?? DEMO_CLIENTS,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const user = sim.users.find((u) => u.worker !== null) ?? sim.users[0];
  if (!user) {
    await sim.close();
    throw new Error('the demo server has no demo users');
  }
  return {
    sim,
    user,
    connection: { baseUrl: sim.url, source: user.source, org: user.org, user: user.user, dialect: '2019' },
    close: () => sim.close(),
  };
}

/** Removes the demo charity (the next start generates it afresh). The server must be closed first. */
export function wipeDemoData(dataDir: string): void {
  removeRetrying(demoDataDir(dataDir), { recursive: true }); // the indexer or antivirus may hold a file for a moment
}
