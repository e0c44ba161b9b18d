// The sandboxed preload: exposes `window.caseworker` with exactly one function per contract channel
// and `on(event, listener)` for the push events — no generic invoke, no process.env, no SQL, no
// Node. It imports only plain name lists (shared/ipc/channels.ts via bridge.ts), bundled by esbuild.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, buildBridge } from '../../shared/ipc/bridge.js';
import { EVENT_WIRE_PREFIX } from '../../shared/ipc/channels.js';

contextBridge.exposeInMainWorld(
  BRIDGE_GLOBAL,
  buildBridge({
    call: (channel, input) => ipcRenderer.invoke(channel, input),
    subscribe: (event, listener) => {
      const wire = `${EVENT_WIRE_PREFIX}${event}`;
      // Hand the renderer the payload only, never the IpcRendererEvent (it carries the sender).
      const relay = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(wire, relay);
      return () => {
        ipcRenderer.removeListener(wire, relay);
      };
    },
  }),
);
