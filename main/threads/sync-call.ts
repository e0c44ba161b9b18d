// A synchronous call from a worker to the serving thread, for the one interface the core calls
// synchronously and that only the serving thread can answer: the ConnectionStore over the OS
// keychain (Electron's safeStorage lives on the main thread). The worker posts the request on its
// own port and sleeps on a shared flag (Atomics.wait) until the serving thread has answered.

import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ConnectionStore, StoredConnection } from '../app/connection-store.js';

type StoreOp = 'load' | 'save' | 'clear' | 'protection' | 'accept-unprotected';
interface StoreRequest {
  op: StoreOp;
  connection?: StoredConnection;
}
type StoreAnswer = { ok: true; value: unknown } | { ok: false; name: string; message: string };

/** What the worker gets: its end of the channel and the flag both sides share. */
export interface StoreLink {
  port: MessagePort;
  flag: SharedArrayBuffer;
}

const WAIT_LIMIT_MS = 30_000;

/** Serving side: answers the worker's store calls from `store`; returns the link to hand to the worker and a close. */
export function serveConnectionStore(store: ConnectionStore): { link: StoreLink; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const signal = new Int32Array(flag);
  port1.on('message', (request: StoreRequest) => {
    let answer: StoreAnswer;
    try {
      let value: unknown;
      if (request.op === 'load') value = store.load();
      else if (request.op === 'save') store.save(request.connection!);
      else if (request.op === 'clear') store.clear();
      else if (request.op === 'protection') value = store.protection();
      else store.acceptUnprotectedStorage?.();
      answer = { ok: true, value: value ?? null };
    } catch (error) {
      answer = { ok: false, name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
    }
    port1.postMessage(answer);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
  port1.unref();
  return { link: { port: port2, flag }, close: () => port1.close() };
}

/** An error from the serving side keeps its name, so the core's checks (CredentialStorageError) still match. */
class ForwardedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Worker side: a ConnectionStore whose every call is answered by the serving thread. */
export function connectionStoreOver(link: StoreLink): ConnectionStore {
  const signal = new Int32Array(link.flag);
  function ask(request: StoreRequest): unknown {
    Atomics.store(signal, 0, 0);
    link.port.postMessage(request);
    if (Atomics.wait(signal, 0, 0, WAIT_LIMIT_MS) === 'timed-out') throw new Error('the keychain did not answer in time');
    const answer = receiveMessageOnPort(link.port)?.message as StoreAnswer | undefined;
    if (!answer) throw new Error('the keychain answer went missing');
    if (!answer.ok) throw new ForwardedError(answer.name, answer.message);
    return answer.value;
  }
  return {
    load: () => ask({ op: 'load' }) as StoredConnection | null,
    save: (connection) => void ask({ op: 'save', connection }),
    clear: () => void ask({ op: 'clear' }),
    protection: () => ask({ op: 'protection' }) as ReturnType<ConnectionStore['protection']>,
    acceptUnprotectedStorage: () => void ask({ op: 'accept-unprotected' }),
  };
}
