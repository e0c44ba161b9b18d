// A form's draft kept in localStorage while it is being filled in, so a closed lid or a reload
// loses nothing. Only the draft itself is stored (under one key per form and record), and it is
// removed when the form is saved or abandoned.

import { onBeforeUnmount, watch } from 'vue';

const PREFIX = 'caseworker.draft.';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export interface Draft {
  /** True when a saved draft was put back into the form. */
  restored: boolean;
  /** Forget the draft (after a save, or when the user discards it). */
  clear(): void;
}

/** Restores the reactive `form` from a saved draft for `key`, then saves every change (debounced). */
export function useDraft<T extends object>(key: string, form: T, delayMs = 300): Draft {
  const store = storage();
  const fullKey = PREFIX + key;
  const target = (): T => form;
  let restored = false;
  const saved = store?.getItem(fullKey);
  if (saved) {
    try {
      const data = JSON.parse(saved) as Partial<T>;
      Object.assign(target(), data);
      restored = true;
    } catch {
      store?.removeItem(fullKey);
    }
  }
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cleared = false;
  const flush = () => {
    timer = null;
    if (!cleared) store?.setItem(fullKey, JSON.stringify(target()));
  };
  const stop = watch(() => JSON.stringify(target()), () => {
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
