// The reader's re-warm (main/threads/read-rewarm.ts): after the core pushes a status (a write that
// emptied the reader's page cache), the lists last read are read again once reads pause, so the
// screens' reload finds them warm — and never in the way: not during a sync's download, not for a
// list the screen already read again, not for a slow read, and not before the reads pause.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadRewarm } from '../../main/threads/read-rewarm.js';

const SETTLE_MS = 40;

describe('the reader re-warms the lists a person comes back to', () => {
  let replayed: Array<{ channel: string; input: unknown }>;
  let rewarm: ReadRewarm;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate'] });
    replayed = [];
    rewarm = new ReadRewarm(async (channel, input) => {
      replayed.push({ channel, input });
    }, SETTLE_MS);
  });
  afterEach(() => {
    rewarm.stop();
    vi.useRealTimers();
  });

  it('replays the last input of each list once reads have paused after a write, and nothing else', async () => {
    rewarm.answered('caseload:list', { offset: 0, limit: 200, sort: 'surname' }, 12);
    rewarm.answered('caseload:list', { offset: 200, limit: 200, sort: 'surname' }, 12);
    rewarm.answered('actions:list', {}, 8);
    rewarm.answered('clients:get', { id: 4 }, 3);
    rewarm.statusPushed(false);
    await vi.advanceTimersByTimeAsync(SETTLE_MS / 2);
    expect(replayed).toEqual([]);
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    expect(replayed).toEqual([
      { channel: 'caseload:list', input: { offset: 200, limit: 200, sort: 'surname' } },
      { channel: 'actions:list', input: {} },
    ]);
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 5);
    expect(replayed).toHaveLength(2); // once per write
  });

  it('waits while reads keep coming, and skips a list the screen has read again since the write', async () => {
    rewarm.answered('caseload:list', { limit: 200 }, 12);
    rewarm.answered('actions:list', {}, 8);
    rewarm.statusPushed(false);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(SETTLE_MS / 2);
      rewarm.answered('clients:get', { id: i }, 3);
    }
    expect(replayed).toEqual([]);
    rewarm.answered('caseload:list', { limit: 200 }, 30); // the screen's own reload: warm now
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(replayed).toEqual([{ channel: 'actions:list', input: {} }]);
  });

  it('does nothing while a sync downloads, before any list was read, or for a list that answered slowly', async () => {
    rewarm.statusPushed(false);
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    rewarm.answered('caseload:list', { limit: 200 }, 12);
    rewarm.statusPushed(true);
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(replayed).toEqual([]);
    rewarm.answered('caseload:list', { search: 'smith' }, 900);
    rewarm.statusPushed(false);
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(replayed).toEqual([]);
  });

  it('forgets what it would replay when the reader lets the replica go', async () => {
    rewarm.answered('caseload:list', { limit: 200 }, 12);
    rewarm.statusPushed(false);
    rewarm.stop();
    rewarm.statusPushed(false);
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(replayed).toEqual([]);
  });
});
