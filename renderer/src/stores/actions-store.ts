// My actions (due contacts) as main lists them. Completing one removes it from the list at once
// (optimistic); if main refuses, it comes back where it was and the reason is shown.

import { defineStore } from 'pinia';
import type { Action } from '../../../shared/ipc/contacts.js';
import type { ChannelArgs } from '../../../shared/ipc/contract.js';
import { call } from '../api/bridge.js';
import { useLoadedList } from './loaded-list.js';

export const useActionsStore = defineStore('actions', () => {
  /** Ids completed here whose removal must survive a reload racing the save. */
  const completing = new Set<number>();
  const {
    items: actions,
    loading,
    loaded,
    error,
    load,
  } = useLoadedList(async () => {
    const reply: { actions: Action[] } = await call('actions:list', {});
    return reply.actions.filter((a) => !completing.has(a.contact.id));
  });

  /** Takes the action off the list now; returns how to put it back. */
  function removeOptimistically(id: number): () => void {
    const before = actions.value;
    completing.add(id);
    actions.value = before.filter((a) => a.contact.id !== id);
    return () => {
      completing.delete(id);
      if (!actions.value.some((a) => a.contact.id === id)) {
        const original = before.find((a) => a.contact.id === id);
        if (original) actions.value = [...actions.value, original].sort((a, b) => String(a.contact.start_date).localeCompare(String(b.contact.start_date)));
      }
    };
  }

  /** Completes a due contact: off the list first, back on it if main refuses. */
  async function complete(input: ChannelArgs<'contacts:complete'>) {
    const rollback = removeOptimistically(input.id);
    try {
      const result = await call('contacts:complete', input);
      completing.delete(input.id);
      return result;
    } catch (e) {
      rollback();
      throw e;
    }
  }

  return { actions, loading, loaded, error, load, complete, removeOptimistically };
});
