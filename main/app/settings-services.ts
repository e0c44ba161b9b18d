// The settings channels (shared/ipc/settings.ts) but the connection check (connection-check.ts):
// the view with the keys masked, who I am, the scope, the sync interval, and the calls that ask the
// server (test the keys, preview a scope). Switching server or demo replaces the replica, so those
// three channels hand over to the app core's lifecycle (core.ts), which runs them one at a time.

import type { SettingsView } from '../../shared/ipc/settings.js';
import { parsePath, printPath } from '../../shared/url-grammar.js';
import type { DizionsClient } from '../api/client.js';
import type { Replica } from '../db/open.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import type { StoredConnection } from './connection-store.js';
import { checkMe } from './me-check.js';
import { checkScopeList, saveScope, setMe, setSyncIntervalMinutes } from './settings.js';

type SettingsServices = Pick<
  Services,
  | 'settings:get'
  | 'settings:set-connection'
  | 'settings:test-connection'
  | 'settings:set-me'
  | 'settings:set-scope'
  | 'settings:set-sync-interval'
  | 'settings:preview-scope'
  | 'settings:start-demo'
  | 'settings:demo-reset'
>;

export interface SettingsContext {
  /** The replica open now (read on each call: the core swaps it on demo reset and server changes). */
  replica: () => Replica;
  /** settings:get's answer, as it stands now. */
  view: () => SettingsView;
  /** The connection in use (the demo's while it runs), or null. */
  currentConnection: () => StoredConnection | null;
  /** A client for `connection` (closed here). */
  clientFor: (connection: StoredConnection) => DizionsClient;
  /** Per request to the server (default 15 s for these checks, never more). */
  requestTimeoutMs?: number | undefined;
  /** The sync runner: sync soon after a change of who or what, re-plan after a new interval. */
  poke: () => void;
  reschedule: () => void;
  /** The core's lifecycle: each replaces the connection or the demo, one at a time. */
  setConnection: (connection: StoredConnection, acceptUnprotected: boolean) => Promise<SettingsView>;
  startDemo: () => Promise<SettingsView>;
  resetDemo: () => Promise<SettingsView>;
}

export function createSettingsServices(context: SettingsContext): SettingsServices {
  const checkTimeoutMs = () => Math.min(context.requestTimeoutMs ?? 15_000, 15_000);

  async function testConnection(connection: StoredConnection | undefined) {
    const target = connection ?? context.currentConnection();
    if (!target)
      throw new ServiceError('VALIDATION', 'Enter the server address and the Source, Org and User keys first.', {
        issues: [{ path: 'connection', message: 'enter the server address and the three keys' }],
      });
    const client = context.clientFor(target);
    try {
      const workers = await client.getRecords('workers', {}, {}, { timeoutMs: checkTimeoutMs() });
      return {
        workers: workers.map((w) => {
          const record = w as Record<string, unknown>;
          return {
            ...Object.fromEntries(Object.entries(record).filter(([, v]) => v === null || typeof v === 'string' || typeof v === 'number')),
            id: Number(record.id),
            first_name: typeof record.first_name === 'string' ? record.first_name : null,
            surname: typeof record.surname === 'string' ? record.surname : null,
            user: typeof record.user === 'number' ? record.user : null,
          };
        }),
      };
    } finally {
      await client.close();
    }
  }

  async function previewScope(scope: string[]) {
    checkScopeList(scope);
    const connection = context.currentConnection();
    if (!connection) throw new ServiceError('VALIDATION', 'The preview asks the server: connect to Charitylog (or start the demo) first.');
    const client = context.clientFor(connection);
    try {
      const counts: Array<{ path: string; count: number }> = [];
      for (const text of scope) {
        const parsed = parsePath(text);
        if (parsed.kind !== 'records') continue;
        const reply = await client.getRecordsRaw(printPath({ ...parsed, fields: ['id'] }));
        const rows = JSON.parse(reply.text) as unknown;
        counts.push({ path: printPath(parsed), count: Array.isArray(rows) ? rows.length : 0 });
      }
      return { counts };
    } finally {
      await client.close();
    }
  }

  return {
    'settings:get': async () => context.view(),
    'settings:set-connection': ({ connection, acceptUnprotectedStorage }) => context.setConnection(connection, acceptUnprotectedStorage === true),
    'settings:test-connection': async ({ connection }) => testConnection(connection),
    'settings:set-me': async ({ user, worker }) => {
      const connection = context.currentConnection();
      await checkMe(user, worker, { replica: context.replica(), client: connection ? () => context.clientFor(connection) : undefined, timeoutMs: checkTimeoutMs() });
      setMe(context.replica(), user, worker); // the replica open once the server has answered
      context.poke();
      return context.view();
    },
    'settings:set-scope': async ({ scope }) => {
      saveScope(context.replica(), checkScopeList(scope));
      context.poke();
      return context.view();
    },
    'settings:set-sync-interval': async ({ minutes }) => {
      setSyncIntervalMinutes(context.replica(), minutes);
      context.reschedule();
      return context.view();
    },
    'settings:preview-scope': async ({ scope }) => previewScope(scope),
    'settings:start-demo': () => context.startDemo(),
    'settings:demo-reset': () => context.resetDemo(),
  };
}
