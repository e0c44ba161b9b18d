// Generation at scale: the generator streams clients into batched transactions, so 20,000 clients
// (~200,000 contacts) come out in seconds with proportional counts. The 100,000-client figure is
// measured by hand (docs/simulator-data.md), not here: no timing assertions in unit tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleApiRequest } from '../../main/sim/api-handler.js';
import { openTestStore, type TestStore } from '../support/sim-data-support.js';

describe('generation at scale', () => {
  let t: TestStore;
  beforeAll(() => {
    t = openTestStore({ clients: 20_000, seed: 3 });
  }, 120_000);
  afterAll(() => t.close());

  it('keeps the per-client proportions at 20,000 clients', () => {
    const counts = t.store.counts();
    expect(counts.clients).toBe(20_000);
    expect(counts.referrals! / counts.clients!).toBeCloseTo(3, 0);
    expect((counts.due_contacts! + counts.done_contacts!) / counts.clients!).toBeGreaterThan(8);
    expect(counts.workers).toBe(800);
  });

  it('streams a large collection in id order without losing or repeating a row', () => {
    const user = t.priya;
    const response = handleApiRequest(t.store, { method: 'GET', path: 'done_contacts/field/id', user, form: {}, files: [] });
    expect('rows' in response).toBe(true);
    let previous = 0;
    let n = 0;
    let outOfOrder = 0;
    for (const row of (response as { rows: Iterable<Record<string, unknown>> }).rows) {
      if ((row.id as number) <= previous) outOfOrder++;
      previous = row.id as number;
      n++;
    }
    expect(outOfOrder).toBe(0);
    const expected = t.store.db
      .prepare(`SELECT COUNT(*) FROM contacts WHERE done = 1 AND project IN (${user.projects.join(',')})`)
      .pluck()
      .get();
    expect(n).toBe(expected);
    expect(n).toBeGreaterThan(2000); // more than one chunk
  });
});
