// The settings main holds (connection with masked keys, who I am, scope, interval, encryption,
// demo). The store only mirrors what main answered; every change goes through a channel and the
// view main sends back replaces the mirror.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ChannelArgs } from '../../../shared/ipc/contract.js';
import type { SettingsView } from '../../../shared/ipc/settings.js';
import { call } from '../api/bridge.js';

export const useSettingsStore = defineStore('settings', () => {
  const view = ref<SettingsView | null>(null);
  const loading = ref(false);
  let loaded: Promise<SettingsView> | null = null;

  const demo = computed(() => view.value?.demo === true);
  const configured = computed(() => !!view.value && (view.value.demo || view.value.connection !== null));
  const me = computed(() => view.value?.me ?? null);

  async function load(force = false): Promise<SettingsView> {
    if (loaded && !force) return loaded;
    loading.value = true;
    loaded = call('settings:get', {})
      .then((v) => (view.value = v))
      .finally(() => (loading.value = false));
    loaded.catch(() => (loaded = null));
    return loaded;
  }

  function keep(next: SettingsView): SettingsView {
    view.value = next;
    loaded = Promise.resolve(next);
    return next;
  }

  const setConnection = async (input: ChannelArgs<'settings:set-connection'>) => keep(await call('settings:set-connection', input));
  const setMe = async (user: number, worker: number | null) => keep(await call('settings:set-me', { user, worker }));
  const setScope = async (scope: string[]) => keep(await call('settings:set-scope', { scope }));
  const setSyncInterval = async (minutes: number) => keep(await call('settings:set-sync-interval', { minutes }));
  const startDemo = async () => keep(await call('settings:start-demo', {}));
  const resetDemo = async () => keep(await call('settings:demo-reset', {}));

  return { view, loading, demo, configured, me, load, setConnection, setMe, setScope, setSyncInterval, startDemo, resetDemo };
});
