// A list a store loads from main, with where the loading stands: loading, loaded at least once, and
// the last failure (cleared by the next success). A failed reload keeps the rows already shown.

import { ref, shallowRef } from 'vue';

export function useLoadedList<T>(fetch: () => Promise<T[]>) {
  const items = shallowRef<T[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<unknown>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = await fetch();
      loaded.value = true;
      error.value = null;
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
  }

  return { items, loading, loaded, error, load };
}
