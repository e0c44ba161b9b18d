// Reload a view when main says the replica tables it shows were written (a sync, a local edit).
// Listens while the component is mounted; bursts of events collapse into one reload.

import { onMounted, onBeforeUnmount } from 'vue';
import { on } from '../api/bridge.js';

export function useDataChanged(tables: readonly string[] | 'any', reload: () => void, delayMs = 150): void {
  let stop: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  onMounted(() => {
    stop = on('data:changed', (payload) => {
      if (tables !== 'any' && !payload.tables.some((t) => tables.includes(t))) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, delayMs);
    });
  });
  onBeforeUnmount(() => {
    stop?.();
    if (timer) clearTimeout(timer);
  });
}
