// A form's draft kept in the encrypted replica (drafts:* channels) while it is being filled in, so
// a closed lid or a reload loses nothing, and no note about a client sits in the browser's plaintext
// storage. Only what the person changed counts: a form that still holds its starting values (empty,
// or the record's own) keeps no draft. The draft is removed when the form is saved or discarded.

import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import type { DraftFields } from '../../../shared/ipc/drafts.js';
import { call } from '../api/bridge.js';
import { useNoticesStore } from '../stores/notices-store.js';

/** Where drafts lived before they moved into the replica; removed at start (they were plaintext). */
const OLD_BROWSER_PREFIX = 'caseworker.draft.';

export interface Draft {
  /** True while a saved draft put back into the form is showing (the view says so). */
  restored: Ref<boolean>;
  /** Settles once the saved draft (if any) is back in the form; a view awaits it before filling from the record. */
  ready: Promise<void>;
  /** The form now holds its starting values (filled from the record): only changes from here are a draft. */
  markClean(): void;
  /** Throw the draft away and start again from `refill`'s values; changes are kept as a draft again. */
  discard(refill: () => void): void;
  /** Forget the draft for good (after a save). */
  clear(): void;
}

type Scalar = string | number | boolean | null;
const isScalar = (v: unknown): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The form as the flat field → value object the contract takes; one level of nesting becomes `outer.inner`. */
function flatten(form: object): DraftFields {
  const flat: DraftFields = {};
  for (const [key, value] of Object.entries(form)) {
    if (isScalar(value)) flat[key] = value;
    else if (isPlainObject(value)) {
      for (const [inner, v] of Object.entries(value)) if (isScalar(v)) flat[`${key}.${inner}`] = v;
    }
  }
  return flat;
}

/** Puts a saved draft back, only into fields the form has (a draft of an older form shape cannot add any). */
function restoreInto(form: Record<string, unknown>, draft: DraftFields): void {
  for (const [path, value] of Object.entries(draft)) {
    const [outer, inner] = path.split('.') as [string, string | undefined];
    if (!Object.hasOwn(form, outer)) continue;
    if (inner === undefined) {
      if (isScalar(form[outer])) form[outer] = value;
      continue;
    }
    const nested = form[outer];
    if (isPlainObject(nested) && Object.hasOwn(nested, inner) && isScalar(nested[inner])) nested[inner] = value;
  }
}

/** Restores the reactive `form` from the draft saved for `key`, then keeps every change (debounced). */
export function useDraft<T extends object>(key: string, form: T, delayMs = 300): Draft {
  const notices = useNoticesStore();
  const snapshot = () => JSON.stringify(flatten(form));
  let baseline = snapshot();
  /** What the replica holds for this key as far as we know (null: nothing). */
  let stored: string | null = null;
  let loaded = false;
  /** A discard or clear came before the saved draft arrived: it must not come back. */
  let superseded = false;
  let cleared = false;
  let complained = false;
  const restored = ref(false);

  // Writes go one after another, so a clear can never overtake the save before it.
  let writes: Promise<unknown> = Promise.resolve();
  const write = (work: () => Promise<unknown>) => {
    writes = writes.then(work).catch((error: unknown) => {
      if (complained) return;
      complained = true;
      notices.showError(error, 'Your draft of this form could not be kept');
    });
  };
  const remove = () => {
    stored = null;
    write(() => call('drafts:clear', { key }));
  };

  const ready = call('drafts:get', { key })
    .then(({ draft }) => {
      if (draft && !superseded) {
        restoreInto(form as Record<string, unknown>, draft);
        restored.value = true;
        stored = snapshot();
      }
    })
    .catch(() => {
      // No saved draft could be read: the form starts empty and drafting still works.
    })
    .finally(() => {
      loaded = true;
      if (!cleared && snapshot() !== (stored ?? baseline)) schedule(); // typed before the draft arrived
    });

  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (cleared || !loaded) return;
    const now = snapshot();
    if (now === baseline && !restored.value) {
      if (stored !== null) remove();
    } else if (now !== stored) {
      stored = now;
      const draft = JSON.parse(now) as DraftFields;
      write(() => call('drafts:save', { key, draft }));
    }
  };
  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  }
  const stop = watch(snapshot, schedule);
  onBeforeUnmount(() => {
    stop();
    if (timer) {
      clearTimeout(timer);
      flush();
    }
  });
  return {
    restored,
    ready,
    markClean() {
      baseline = snapshot();
      if (timer) clearTimeout(timer);
      timer = null;
      if (loaded && !restored.value && stored !== null) remove();
    },
    discard(refill: () => void) {
      if (timer) clearTimeout(timer);
      timer = null;
      superseded = true;
      remove();
      restored.value = false;
      refill();
      baseline = snapshot();
    },
    clear() {
      cleared = true;
      superseded = true;
      stop();
      if (timer) clearTimeout(timer);
      timer = null;
      remove();
    },
  };
}

/** Removes drafts an earlier version left in the browser's unencrypted storage. */
export function forgetBrowserDrafts(): void {
  try {
    const store = window.localStorage;
    const old: string[] = [];
    for (let i = 0; i < store.length; i++) {
      const k = store.key(i);
      if (k?.startsWith(OLD_BROWSER_PREFIX)) old.push(k);
    }
    for (const k of old) store.removeItem(k);
  } catch {
    // No storage in this page (blocked or sandboxed): nothing to remove.
  }
}
