// The one SyncStatus the app shows (header pending count, Sync view), kept current by the
// `sync:status`, `sync:progress` and `outbox:changed` events; read it through useSyncStatus().

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { INITIAL_SYNC_STATUS, type SyncProgress, type SyncStatus } from '../../../shared/sync-status.js';
import type { OutboxCounts } from '../../../shared/ipc/events.js';
import type { SyncSummary } from '../../../shared/ipc/sync.js';
import { call, on } from '../api/bridge.js';

export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus>({ ...INITIAL_SYNC_STATUS });
  const counts = ref<OutboxCounts>({ pending: 0, needsAttention: 0 });
  const progress = ref<SyncProgress | null>(null);
  const lastSummary = ref<SyncSummary | null>(null);
  const running = ref(false);
  let started = false;

  const pending = computed(() => Math.max(status.value.pending, counts.value.pending));
  const busy = computed(() => running.value || status.value.uploading || status.value.downloading);

  function applyStatus(next: SyncStatus): void {
    status.value = next;
    counts.value = { ...counts.value, pending: next.pending };
    if (!next.uploading && !next.downloading) progress.value = null;
  }

  async function refresh(): Promise<void> {
    applyStatus(await call('sync:status', {}));
  }

  /** Subscribes once for the life of the page. */
  function start(): void {
    if (started) return;
    started = true;
    on('sync:status', applyStatus);
    on('sync:progress', (p) => (progress.value = p));
    on('outbox:changed', (c) => {
      counts.value = c;
      status.value = { ...status.value, pending: c.pending };
    });
    void refresh().catch(() => {
      // The header shows "offline" until the first status arrives; nothing to tell the user yet.
    });
  }

  /** Runs a sync to its end; rejects with the IpcError when it fails. */
  async function run(full = false): Promise<SyncSummary> {
    running.value = true;
    try {
      const summary = await call('sync:run', { full });
      lastSummary.value = summary;
      return summary;
    } finally {
      running.value = false;
      void refresh().catch(() => undefined);
    }
  }

  async function cancel(): Promise<void> {
    await call('sync:cancel', {});
  }

  return { status, counts, progress, lastSummary, pending, busy, running, start, refresh, run, cancel };
});
