// A form's draft as the renderer keeps it (composables/use-draft.ts), through the real contract:
// the page's bridge is the app core's own dispatcher over a real encrypted replica (the preload
// that would carry it in Electron cannot run here). Only what the person changed is a draft; it
// comes back into the form after a reload, and is gone once the form is saved.
import fs from 'node:fs';
import { createPinia, setActivePinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectScope, reactive } from 'vue';
import { createAppCore, type AppCore } from '../../main/app/core.js';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { BRIDGE_GLOBAL, buildBridge } from '../../shared/ipc/bridge.js';
import type { Draft } from '../../renderer/src/composables/use-draft.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { dispatchOk } from '../support/dispatch-calls.js';

let core: AppCore;
let dispatcher: Dispatcher;
let dataDir: string;
let useDraft: typeof import('../../renderer/src/composables/use-draft.js').useDraft;

beforeAll(async () => {
  dataDir = tempDir('caseworker-renderer-drafts-');
  core = await createAppCore({ dataDir, keyProvider: new StaticKeyProvider(TEST_KEY), pushAfterEditMs: null });
  dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL] = buildBridge({
    call: (channel, input) => dispatcher.dispatch(channel, input, 'test'),
    subscribe: () => () => {},
  });
  // The bridge picks its transport when first imported: after the global is in place.
  ({ useDraft } = await import('../../renderer/src/composables/use-draft.js'));
});

afterAll(async () => {
  delete (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL];
  await core.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A form holding `start` values that drafts under `key` (in its own scope, as a view's setup is). */
function openForm(key: string, start: { surname: string; note: string }) {
  setActivePinia(createPinia());
  const form = reactive({ ...start });
  const scope = effectScope();
  const draft = scope.run(() => useDraft(key, form, 5)) as Draft;
  return { form, draft, wrapper: { unmount: () => scope.stop() } };
}

const saved = async (key: string) => (await dispatchOk(dispatcher, 'drafts:get', { key })).draft;
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return read();
}

describe('a form draft in the renderer', () => {
  it('keeps what the person typed in the replica and puts it back after a reload', async () => {
    const first = openForm('client-edit:41', { surname: '', note: '' });
    await first.draft.ready;
    first.form.surname = 'Baker-Smith';
    expect(
      await until(
        () => saved('client-edit:41'),
        (d) => d !== null,
      ),
    ).toEqual({ surname: 'Baker-Smith', note: '' });
    first.wrapper.unmount();

    const again = openForm('client-edit:41', { surname: '', note: '' });
    await again.draft.ready;
    expect(again.form.surname).toBe('Baker-Smith');
    expect(again.draft.restored.value).toBe(true);
    again.draft.clear();
    expect(
      await until(
        () => saved('client-edit:41'),
        (d) => d === null,
      ),
    ).toBeNull();
    again.wrapper.unmount();
  });

  it('keeps no draft of a form that still holds its starting values', async () => {
    const opened = openForm('client-edit:42', { surname: 'Baker', note: '' });
    await opened.draft.ready;
    opened.draft.markClean();
    opened.form.note = 'visited';
    expect(
      await until(
        () => saved('client-edit:42'),
        (d) => d !== null,
      ),
    ).toEqual({ surname: 'Baker', note: 'visited' });
    opened.form.note = '';
    expect(
      await until(
        () => saved('client-edit:42'),
        (d) => d === null,
      ),
    ).toBeNull();
    opened.wrapper.unmount();
  });
});
