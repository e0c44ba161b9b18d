// A form's draft kept in localStorage while it is being filled in, so a closed lid or a reload
// loses nothing. Only what the person changed counts: a form that still holds its starting values
// (empty, or the record's own) keeps no draft. The draft is removed when the form is saved or discarded.

import { onBeforeUnmount, ref, watch, type Ref } from 'vue';

const PREFIX = 'caseworker.draft.';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export interface Draft {
  /** True while a saved draft put back into the form is showing (the view says so). */
  restored: Ref<boolean>;
  /** The form now holds its starting values (filled from the record): only changes from here are a draft. */
  markClean(): void;
  /** Throw the draft away and start again from `refill`'s values; changes are kept as a draft again. */
  discard(refill: () => void): void;
  /** Forget the draft for good (after a save). */
  clear(): void;
}

/** Restores the reactive `form` from a saved draft for `key`, then keeps every change (debounced). */
export function useDraft<T extends object>(key: string, form: T, delayMs = 300): Draft {
  const store = storage();
  const fullKey = PREFIX + key;
  let baseline = JSON.stringify(form);
  const restored = ref(false);
  const saved = store?.getItem(fullKey);
  if (saved) {
    try {
      Object.assign(form, JSON.parse(saved) as Partial<T>);
      restored.value = true;
    } catch {
      store?.removeItem(fullKey);
    }
  }
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cleared = false;
  const flush = () => {
    timer = null;
    if (cleared) return;
    const now = JSON.stringify(form);
    if (now === baseline && !restored.value) store?.removeItem(fullKey);
    else store?.setItem(fullKey, now);
  };
  const stop = watch(() => JSON.stringify(form), () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  });
  onBeforeUnmount(() => {
    stop();
    if (timer) {
      clearTimeout(timer);
      flush();
    }
  });
  return {
    restored,
    markClean() {
      baseline = JSON.stringify(form);
      if (timer) clearTimeout(timer);
      timer = null;
      if (!restored.value) store?.removeItem(fullKey);
    },
    discard(refill: () => void) {
      if (timer) clearTimeout(timer);
      timer = null;
      store?.removeItem(fullKey);
      restored.value = false;
      refill();
      baseline = JSON.stringify(form);
    },
    clear() {
      cleared = true;
      stop();
      if (timer) clearTimeout(timer);
      timer = null;
      store?.removeItem(fullKey);
    },
  };
}

/** Every draft key on this machine (Settings can offer to clear them). */
export function draftKeys(): string[] {
  const store = storage();
  if (!store) return [];
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    if (k?.startsWith(PREFIX)) keys.push(k);
  }
  return keys;
}
