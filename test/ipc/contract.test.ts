// The contract is the single source of channels: the plain list the preload uses, the handlers main
// registers, the preload's functions and the browser host's routes are all derived from it, and
// this file fails the moment any of them drifts (a channel without a handler, method or route).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
vi.mock('electron', async () => (await import('../support/electron-fake.js')).createFakeElectron());
import * as electron from 'electron';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHANNELS, EVENT_NAMES, EVENT_WIRE_PREFIX } from '../../shared/ipc/channels.js';
import { CHANNEL_NAME, contract, mergeChannelMaps } from '../../shared/ipc/contract.js';
import { events } from '../../shared/ipc/events.js';
import { caseloadChannels } from '../../shared/ipc/caseload.js';
import { clientsChannels } from '../../shared/ipc/clients.js';
import { OUTBOX_STATES, STORED_OUTBOX_STATES, outboxDisplayState } from '../../shared/ipc/outbox.js';
import { OUTBOX_STATES as OUTBOX_STATES_IN_DB } from '../../main/db/schema-outbox.js';
import { createDispatcher, HandlerRegistry } from '../../main/ipc/register.js';
import { registerIpcHandlers } from '../../main/electron/app.js';
import { isAppFrameSender } from '../../main/electron/policy.js';
import { isWebHostSender, startWebHost, type WebHost } from '../../main/web/host.js';
import { appHeaders, countingServices, rawRequest, tokenOf, trustEveryone } from '../support/ipc-support.js';

const sorted = (list: Iterable<string>) => [...list].sort();

/** The parts of zod 4's schema definitions the bounds check reads. */
interface ZodInternals {
  _zod: {
    def: {
      type: string;
      checks?: Array<{ _zod: { def: { check: string } } }>;
      element?: ZodInternals;
      shape?: Record<string, ZodInternals>;
      keyType?: ZodInternals;
      valueType?: ZodInternals;
      options?: ZodInternals[];
      innerType?: ZodInternals;
      in?: ZodInternals;
    };
  };
}

describe('one contract, derived everywhere', () => {
  it("the preload's plain channel list is exactly the contract's channels", () => {
    expect(sorted(CHANNELS)).toEqual(sorted(Object.keys(contract)));
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
  });

  it("the event list is exactly the contract's events", () => {
    expect(sorted(EVENT_NAMES)).toEqual(sorted(Object.keys(events)));
  });

  it('shows every state the outbox stores as one the renderer knows (confirmed ones are history)', () => {
    expect(sorted(STORED_OUTBOX_STATES)).toEqual(sorted(OUTBOX_STATES_IN_DB));
    for (const stored of OUTBOX_STATES_IN_DB) {
      for (const code of [null, 'network', 'rejected', 'blocked', 'gone', 'unverifiable']) {
        const shown = outboxDisplayState(stored, code);
        if (stored === 'confirmed') expect(shown).toBeNull();
        else expect(OUTBOX_STATES, `${stored}/${code}`).toContain(shown);
      }
    }
    expect(outboxDisplayState('failed', 'rejected')).toBe('rejected');
    expect(outboxDisplayState('pending', 'network')).toBe('failed');
  });

  it("bounds every string and list an input may carry (zod's own definitions, walked)", () => {
    const unbounded: string[] = [];
    const hasMax = (schema: ZodInternals) => (schema._zod.def.checks ?? []).some((c) => c._zod.def.check === 'max_length');
    const walk = (schema: ZodInternals, where: string): void => {
      const def = schema._zod.def;
      if (def.type === 'string' && !hasMax(schema)) unbounded.push(`${where}: text without a maximum length`);
      if (def.type === 'array') {
        if (!hasMax(schema)) unbounded.push(`${where}: list without a maximum length`);
        walk(def.element!, `${where}[]`);
      }
      if (def.type === 'object') for (const [key, field] of Object.entries(def.shape!)) walk(field, `${where}.${key}`);
      if (def.type === 'record') {
        walk(def.keyType!, `${where}{key}`);
        walk(def.valueType!, `${where}{value}`);
      }
      if (def.type === 'union') def.options!.forEach((option, i) => walk(option, `${where}|${i}`));
      if (def.innerType) walk(def.innerType, where);
      if (def.type === 'pipe') walk(def.in!, where);
      if (['any', 'unknown', 'custom', 'lazy', 'map', 'set', 'tuple', 'intersection'].includes(def.type)) unbounded.push(`${where}: ${def.type} cannot be bounded`);
    };
    for (const [channel, spec] of Object.entries(contract)) walk(spec.input as unknown as ZodInternals, channel);
    expect(unbounded).toEqual([]);
  });

  it('names every channel domain:verb', () => {
    for (const name of Object.keys(contract)) expect(name).toMatch(CHANNEL_NAME);
  });

  it('throws at load when two domains define the same channel', () => {
    expect(() => mergeChannelMaps([caseloadChannels, clientsChannels, { 'clients:get': clientsChannels['clients:get'] }])).toThrow('IPC channel "clients:get" is defined twice');
  });

  it('cannot build a dispatcher while a channel lacks a service, and names it', () => {
    const { services } = countingServices();
    const incomplete: Record<string, unknown> = { ...services };
    delete incomplete['outbox:resolve'];
    expect(() => createDispatcher(incomplete as never, { isTrustedSender: trustEveryone })).toThrow('no service for IPC channel: outbox:resolve');
    expect(() => createDispatcher({ ...services, 'outbox:undo': async () => ({}) } as never, { isTrustedSender: trustEveryone })).toThrow('services for names outside the IPC contract: outbox:undo');
  });

  it('refuses to register a channel twice, or a name outside the contract', () => {
    const registry = new HandlerRegistry();
    const handler = async () => ({ entries: [] });
    registry.register('dictionaries:get', handler);
    expect(() => registry.register('dictionaries:get', handler)).toThrow('already has a handler');
    expect(() => registry.register('dictionaries:drop' as never, handler as never)).toThrow('not a channel');
  });

  it('Electron registers one ipcMain handler per channel, answering through the dispatcher', async () => {
    const { services, calls } = countingServices();
    const fakeIpc = electron.ipcMain as unknown as { handle: typeof electron.ipcMain.handle; handlers: Map<string, (event: unknown, input: unknown) => Promise<unknown>> };
    registerIpcHandlers(fakeIpc, createDispatcher(services, { isTrustedSender: isAppFrameSender }));
    expect(sorted(fakeIpc.handlers.keys())).toEqual(sorted(CHANNELS));

    const fromApp = { senderFrame: { url: 'app://caseworker/index.html', parent: null } };
    const answer = await fakeIpc.handlers.get('settings:get')!(fromApp, {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(calls.get('settings:get')).toHaveLength(1);
  });

  it('the preload exposes exactly one function per channel and on(), nothing generic', async () => {
    await import('../../main/electron/preload.js');
    const bridge = (electron.contextBridge as unknown as { exposed: Record<string, Record<string, unknown>> }).exposed.caseworker!;
    expect(sorted(Object.keys(bridge))).toEqual(sorted([...CHANNELS, 'on']));
    for (const banned of ['invoke', 'send', 'ipcRenderer', 'process', 'env', 'sql', 'exec']) expect(bridge).not.toHaveProperty(banned);

    const renderer = electron.ipcRenderer as unknown as { invoked: Array<{ channel: string; input: unknown }>; deliver(c: string, p: unknown): void; listenerCount(c: string): number };
    for (const channel of CHANNELS) {
      await (bridge[channel] as (input: unknown) => Promise<unknown>)({ probe: channel });
      expect(renderer.invoked.at(-1)).toEqual({ channel, input: { probe: channel } });
    }

    const received: unknown[] = [];
    const stop = (bridge.on as (e: string, l: (p: unknown) => void) => () => void)('outbox:changed', (payload) => received.push(payload));
    renderer.deliver(`${EVENT_WIRE_PREFIX}outbox:changed`, { pending: 2, needsAttention: 0 });
    stop();
    renderer.deliver(`${EVENT_WIRE_PREFIX}outbox:changed`, { pending: 3, needsAttention: 0 });
    expect(received).toEqual([{ pending: 2, needsAttention: 0 }]); // the payload only, and nothing after unsubscribing
    expect(renderer.listenerCount(`${EVENT_WIRE_PREFIX}outbox:changed`)).toBe(0);
    expect(() => (bridge.on as (e: string, l: () => void) => void)('process:exit', () => {})).toThrow('unknown event');
  });

  describe('the browser host', () => {
    let host: WebHost;
    let dir: string;
    const counting = countingServices();

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-contract-'));
      fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Caseworker</title>');
      host = await startWebHost({ dispatcher: createDispatcher(counting.services, { isTrustedSender: isWebHostSender }), staticDir: dir });
    });
    afterAll(async () => {
      await host.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('has a /rpc route for every channel', () => {
      expect(sorted(host.rpcRoutes)).toEqual(sorted(CHANNELS.map((c) => `/rpc/${c}`)));
    });

    it('answers every channel with an envelope over real HTTP, never the 404 of a missing route', async () => {
      const token = tokenOf(host.url);
      for (const channel of CHANNELS) {
        const reply = await rawRequest(host.port, { method: 'POST', path: `/rpc/${channel}`, headers: appHeaders(host.port, token), body: '{}' });
        expect(reply.status, channel).toBe(200);
        expect(typeof JSON.parse(reply.body).ok, channel).toBe('boolean');
      }
      const missing = await rawRequest(host.port, { method: 'POST', path: '/rpc/outbox:undo', headers: appHeaders(host.port, token), body: '{}' });
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.body)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });
  });
});
