// The split of the contract between the threads (main/threads/protocol.ts): every channel the reader
// is given is a channel of the contract and has a read service; the editor's are exactly the edit
// services; a channel that may replace the replica is one the core answers.
import { expect, it } from 'vitest';
import { CHANNELS } from '../../shared/ipc/channels.js';
import { createEditServices } from '../../main/app/edits.js';
import { EDIT_CHANNELS, READ_CHANNELS, REPLACING_CHANNELS } from '../../main/threads/protocol.js';
import { createReadServices } from '../../main/threads/read-services.js';
import { freshReplica } from '../support/db-fixtures.js';

it('gives the reader only contract channels it has a service for', () => {
  const replica = freshReplica();
  try {
    const { services } = createReadServices(() => replica);
    const known = new Set<string>(CHANNELS);
    for (const channel of READ_CHANNELS) {
      expect(known.has(channel), channel).toBe(true);
      expect(typeof services[channel as keyof typeof services], channel).toBe('function');
    }
    expect(Object.keys(services).sort()).toEqual([...READ_CHANNELS].sort());
  } finally {
    replica.close();
  }
});

it('leaves every write and every replica replacement to the core', () => {
  for (const channel of REPLACING_CHANNELS) expect(READ_CHANNELS.has(channel), channel).toBe(false);
  for (const channel of READ_CHANNELS) expect(channel).toMatch(/:(list|get|query|run|export|saved-list|search|workers|count|status)$/);
});

it('gives the editor exactly the edit services and the drafts being typed, none of them a read or a replacement', () => {
  const replica = freshReplica();
  try {
    const services = createEditServices({ replica: () => replica, dialect: () => '2019', written: () => undefined });
    expect([...Object.keys(services), 'drafts:save', 'drafts:clear'].sort()).toEqual([...EDIT_CHANNELS].sort());
    for (const channel of EDIT_CHANNELS) {
      expect(READ_CHANNELS.has(channel), channel).toBe(false);
      expect(REPLACING_CHANNELS.has(channel), channel).toBe(false);
    }
  } finally {
    replica.close();
  }
});
