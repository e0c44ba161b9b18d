// Names for a client's related people who are not on this device: asked of the server once per
// set of ids (the server's visibility decides), remembered for the page. Offline, or not shown to
// this worker, the label says so instead of showing a bare id.

import { shallowRef, watch, type Ref } from 'vue';
import type { ClientDetail } from '../../../shared/ipc/clients.js';
import { call } from '../api/bridge.js';
import { personName } from '../format/labels.js';

type Relationship = ClientDetail['relationships'][number];

export function useRelatedNames(detail: Ref<ClientDetail | null>) {
  const labels = shallowRef(new Map<number, string>());

  const missing = () => (detail.value?.relationships ?? []).filter((r) => r.other === null && r.id_second > 0).map((r) => r.id_second);

  watch(
    () => missing().join(','),
    async (key) => {
      if (key === '') return;
      const ids = key
        .split(',')
        .map(Number)
        .filter((id) => !labels.value.has(id))
        .slice(0, 50);
      if (ids.length === 0) return;
      const next = new Map(labels.value);
      try {
        const { people, notVisible } = await call('clients:names', { ids });
        for (const p of people) next.set(p.id, personName(p, 'Client'));
        for (const id of notVisible) next.set(id, `Client ${id} (not in your caseload)`);
      } catch {
        for (const id of ids) next.set(id, `Client ${id} (not on this device; the name shows when online)`);
      }
      labels.value = next;
    },
    { immediate: true },
  );

  /** The words for the other person of a relationship that is not on this device. */
  function otherLabel(r: Relationship): string {
    return labels.value.get(r.id_second) ?? `Client ${r.id_second}`;
  }

  return { otherLabel };
}
