// The one way a component reads sync state: the store's refs, started on first use.

import { storeToRefs } from 'pinia';
import { useSyncStore } from '../stores/sync-store.js';

export function useSyncStatus() {
  const store = useSyncStore();
  store.start();
  const { status, counts, progress, pending, busy, lastSummary } = storeToRefs(store);
  return { status, counts, progress, pending, busy, lastSummary, run: store.run, cancel: store.cancel, refresh: store.refresh };
}
