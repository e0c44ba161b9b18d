// Push events fan out from here to Electron's window and the browser host's SSE streams. Payloads are
// validated against the contract's event schemas first (a bad one is logged and dropped, never sent),
// and the latest sync status and outbox counts are kept so a page that connects late starts current.

import { events, isEventName, type EventName, type EventPayload } from '../../shared/ipc/events.js';
import type { LogWriter } from './error-envelope.js';

export type EventListener = (name: EventName, payload: unknown) => void;

export interface EventHub {
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  subscribe(listener: EventListener): () => void;
  /** The last payload of a sticky event (`sync:status`, `outbox:changed`, `core:status`), if any was sent. */
  latest<E extends EventName>(name: E): EventPayload<E> | undefined;
}

const STICKY: ReadonlySet<EventName> = new Set<EventName>(['sync:status', 'outbox:changed', 'core:status']);

export function createEventHub(options: { log?: LogWriter } = {}): EventHub {
  const listeners = new Set<EventListener>();
  const latest = new Map<EventName, unknown>();

  return {
    emit(name, payload) {
      if (!isEventName(name)) {
        options.log?.('ipc.event_unknown', { event: String(name).slice(0, 60) });
        return;
      }
      const parsed = events[name].safeParse(payload);
      if (!parsed.success) {
        options.log?.('ipc.event_invalid', { event: name, issues: parsed.error.issues.length });
        return;
      }
      if (STICKY.has(name)) latest.set(name, parsed.data);
      for (const listener of [...listeners]) {
        try {
          listener(name, parsed.data);
        } catch (error) {
          options.log?.('ipc.event_listener_failed', { event: name, error: error instanceof Error ? error.name : typeof error });
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    latest<E extends EventName>(name: E) {
      return latest.get(name) as EventPayload<E> | undefined;
    },
  };
}
