// Test fixture for the simulator's data layer: a freshly generated store in a temp folder with a
// controllable clock, and a `call` helper that runs one request through handleApiRequest and
// materialises the reply (streamed rows become an array), as the HTTP layer would serialise it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { handleApiRequest } from '../../main/sim/api-handler.js';
import { openSimStore, type OpenSimStoreOptions, type SimStore } from '../../main/sim/store.js';
import type { SimUser, UploadedFile } from '../../main/sim/types.js';

/** 10:30 on a Wednesday in March 2025, UK time (GMT). */
export const FIXED_NOW = Date.parse('2025-03-12T10:30:00Z');
export const TODAY = '2025-03-12';

export interface TestStore {
  store: SimStore;
  dir: string;
  file: string;
  /** Moves the store's clock. */
  clock: { ms: number };
  /** The demo users: Priya Shah, Tom Evans, Siân Jones. */
  priya: SimUser;
  tom: SimUser;
  sian: SimUser;
  close(): void;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sim-data-'));
}

export function openTestStore(options: Partial<OpenSimStoreOptions> = {}, dir = tempDir()): TestStore {
  const clock = { ms: FIXED_NOW };
  const file = path.join(dir, 'sim.db');
  const store = openSimStore({ file, clients: 120, seed: 7, uploadsDir: path.join(dir, 'uploads'), now: () => new Date(clock.ms), ...options });
  const [priya, tom, sian] = store.users();
  return {
    store,
    dir,
    file,
    clock,
    priya: priya!,
    tom: tom!,
    sian: sian!,
    close() {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  body: any;
}

export function call(store: SimStore, user: SimUser, method: string, apiPath: string, form: Record<string, string> = {}, files: UploadedFile[] = []): Reply {
  const response = handleApiRequest(store, { method, path: apiPath, user, form, files });
  const body = 'rows' in response ? [...response.rows] : response.json;
  // What the wire would carry: JSON, so undefined and non-JSON values would show up here.
  return { status: response.status, body: JSON.parse(JSON.stringify(body)) };
}

/** GET that must succeed; returns the body. */
export function get(store: SimStore, user: SimUser, apiPath: string): any {
  const reply = call(store, user, 'GET', apiPath);
  if (reply.status !== 200) throw new Error(`GET ${apiPath} → ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}
