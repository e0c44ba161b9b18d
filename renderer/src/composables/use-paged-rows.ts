// Rows of a long list fetched a page at a time as they scroll into view, for the virtual grid.
// A new query starts a new generation: answers to an older query are dropped, never shown.

import { ref, shallowRef } from 'vue';

export interface Page<T> {
  rows: T[];
  total: number;
}

export function usePagedRows<T>(fetchPage: (offset: number, limit: number) => Promise<Page<T>>, pageSize = 200) {
  const pages = shallowRef(new Map<number, T[]>());
  const total = ref(0);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<unknown>(null);
  const inFlight = new Set<number>();
  let generation = 0;

  async function loadPage(page: number): Promise<void> {
    if (pages.value.has(page) || inFlight.has(page)) return;
    const mine = generation;
    inFlight.add(page);
    loading.value = true;
    try {
      const answer = await fetchPage(page * pageSize, pageSize);
      if (mine !== generation) return;
      const next = new Map(pages.value);
      next.set(page, answer.rows);
      pages.value = next;
      total.value = answer.total;
      loaded.value = true;
      error.value = null;
    } catch (e) {
      if (mine === generation) error.value = e;
    } finally {
      if (mine === generation) {
        inFlight.delete(page);
        loading.value = inFlight.size > 0;
      }
    }
  }

  /** Makes sure rows [start, end) are loaded or loading. */
  function ensure(start: number, end: number): void {
    const from = Math.floor(start / pageSize);
    const to = Math.floor(Math.max(start, end - 1) / pageSize);
    for (let p = from; p <= to; p++) void loadPage(p);
  }

  function row(index: number): T | undefined {
    return pages.value.get(Math.floor(index / pageSize))?.[index % pageSize];
  }

  /** Forget everything and load the first page again (a new search, or the data changed). */
  async function restart(keepRows = false): Promise<void> {
    generation++;
    inFlight.clear();
    if (!keepRows) {
      loaded.value = false;
      total.value = 0;
    }
    const old = pages.value;
    pages.value = keepRows ? old : new Map();
    if (keepRows) {
      // Refresh the pages on screen in place, so a background reload does not flash "Loading".
      const mine = generation;
      const kept = [...old.keys()];
      await Promise.all(
        kept.map(async (p) => {
          try {
            const answer = await fetchPage(p * pageSize, pageSize);
            if (mine !== generation) return;
            const next = new Map(pages.value);
            next.set(p, answer.rows);
            pages.value = next;
            total.value = answer.total;
          } catch (e) {
            if (mine === generation) error.value = e;
          }
        }),
      );
      if (kept.length === 0) await loadPage(0);
      return;
    }
    await loadPage(0);
  }

  return { pages, total, loading, loaded, error, ensure, row, restart };
}
