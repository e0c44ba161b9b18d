// The one place unexpected errors reach the user: a short sentence in the alert region, never a
// stack trace. Confirmations ("Saved — waiting to be sent") use the same list as polite status.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { IpcError } from '../api/bridge.js';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

const INFO_MS = 6000;

/** A sentence for people, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof IpcError) {
    if (error.code === 'VALIDATION' && error.issues.length > 0) {
      return `${error.message} ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`.trim();
    }
    return error.message;
  }
  return 'Something went wrong in Caseworker. Try again; if it keeps happening, the support log has the details.';
}

export const useNoticesStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([]);
  let next = 1;

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  function push(kind: Notice['kind'], text: string): number {
    // One copy of a sentence is enough: the same one again replaces the old (and is announced again).
    const id = next++;
    notices.value = [...notices.value.filter((n) => !(n.kind === kind && n.text === text)).slice(-4), { id, kind, text }];
    if (kind === 'info') setTimeout(() => dismiss(id), INFO_MS);
    return id;
  }

  /** Shows what went wrong; `doing` says what the user was trying ("Could not save the contact"). */
  function showError(error: unknown, doing?: string): void {
    const text = describeError(error);
    push('error', doing ? `${doing}: ${text}` : text);
  }

  function showInfo(text: string): void {
    push('info', text);
  }

  return { notices, showError, showInfo, dismiss };
});
