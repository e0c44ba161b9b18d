import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, get, openTestStore, type TestStore } from '../support/sim-data-support.js';

let t: TestStore;
beforeEach(() => {
  t = openTestStore({ clients: 80 });
});
afterEach(() => t.close());

const count = (sql: string, ...params: unknown[]) =>
  t.store.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;
const updatedOf = (table: string, id: number) => t.store.db.prepare(`SELECT updated FROM ${table} WHERE id = ?`).pluck().get(id) as string;

describe('control operations for sync tests and trainers', () => {
  it('deletes a client with its referrals, contacts, schedules, relationships and extension rows', () => {
    const client = t.store.db
      .prepare(
        `SELECT c.id FROM clients c WHERE EXISTS (SELECT 1 FROM relationships r WHERE r.first = c.id OR r.second = c.id)
      AND EXISTS (SELECT 1 FROM contacts x WHERE x.client = c.id) LIMIT 1`,
      )
      .pluck()
      .get() as number;
    const other = t.store.db.prepare('SELECT CASE WHEN first = ? THEN second ELSE first END FROM relationships WHERE first = ? OR second = ?').pluck().get(client, client, client) as number;
    const otherBefore = updatedOf('clients', other);
    expect(t.store.deleteRecord('clients', client)).toBe(true);
    expect(count('SELECT COUNT(*) FROM clients WHERE id = ?', client)).toBe(0);
    for (const table of ['referrals', 'contacts', 'schedules', 'wellcheck_notes_9', 'staff_disciplinary_13']) {
      expect(count(`SELECT COUNT(*) FROM ${table} WHERE client = ?`, client), table).toBe(0);
    }
    expect(count('SELECT COUNT(*) FROM relationships WHERE first = ? OR second = ?', client, client)).toBe(0);
    expect(updatedOf('clients', other) > otherBefore).toBe(true);
    expect(t.store.deleteRecord('clients', client)).toBe(false);
  });

  it('deletes a referral with its contacts; a due or done contact only from its own group', () => {
    const referral = t.store.db.prepare('SELECT referral FROM contacts GROUP BY referral HAVING COUNT(*) > 1 LIMIT 1').pluck().get() as number;
    expect(t.store.deleteRecord('referrals', referral)).toBe(true);
    expect(count('SELECT COUNT(*) FROM contacts WHERE referral = ?', referral)).toBe(0);
    const due = t.store.db.prepare('SELECT id FROM contacts WHERE done = 0 LIMIT 1').pluck().get() as number;
    expect(t.store.deleteRecord('done_contacts', due)).toBe(false);
    expect(t.store.deleteRecord('due_contacts', due)).toBe(true);
    expect(t.store.deleteRecord('schedules', 999999)).toBe(false);
    expect(t.store.deleteRecord('nonsense', 1)).toBe(false);
  });

  it('deletes a worker, leaving its clients without a usual support worker (and marking them changed)', () => {
    const worker = t.store.db.prepare('SELECT usual_support_worker FROM clients WHERE usual_support_worker IS NOT NULL LIMIT 1').pluck().get() as number;
    const clients = t.store.db.prepare('SELECT id, updated FROM clients WHERE usual_support_worker = ?').all(worker) as Array<{ id: number; updated: string }>;
    expect(t.store.deleteRecord('workers', worker)).toBe(true);
    for (const c of clients) {
      expect(t.store.db.prepare('SELECT usual_support_worker FROM clients WHERE id = ?').pluck().get(c.id)).toBeNull();
      expect(updatedOf('clients', c.id) > c.updated).toBe(true);
    }
    expect(count('SELECT COUNT(*) FROM users WHERE worker = ?', worker)).toBe(0);
  });

  it("moves a client into another worker's caseload, which sync sees through usual_support_worker and updated", () => {
    const client = get(t.store, t.priya, `clients/field/id;usual_support_worker`).find((c: any) => c.usual_support_worker !== t.tom.worker).id;
    const before = updatedOf('clients', client);
    expect(get(t.store, t.tom, `clients/usual_support_worker/${t.tom.worker}/id/${client}`)).toEqual([]);
    expect(t.store.moveClientToWorker(client, t.tom.worker)).toBe(true);
    expect(get(t.store, t.tom, `clients/usual_support_worker/${t.tom.worker}/id/${client}/field/id`)).toEqual([{ id: client }]);
    expect(updatedOf('clients', client) > before).toBe(true);
    expect(t.store.moveClientToWorker(client, null)).toBe(true);
    expect(t.store.moveClientToWorker(999999, null)).toBe(false);
    expect(t.store.moveClientToWorker(client, 999999)).toBe(false);
  });

  it("moves a referral to another project: it leaves one user's view, enters another's, and its contacts follow", () => {
    const referral = get(t.store, t.priya, 'referrals/field/id')[0].id;
    const contacts = t.store.db.prepare('SELECT id, updated FROM contacts WHERE referral = ?').all(referral) as Array<{ id: number; updated: string }>;
    const tomProject = t.tom.projects[0]!;
    const before = updatedOf('referrals', referral);
    expect(t.store.moveReferralToProject(referral, tomProject)).toBe(true);
    expect(get(t.store, t.priya, `referrals/id/${referral}`)).toEqual([]);
    const moved = get(t.store, t.tom, `referrals/id/${referral}/field/project;project_category;updated`)[0];
    expect(moved.project).toBe(tomProject);
    expect(moved.project_category).toBe(t.store.dictionaryItem('referrals/project', tomProject)!.extra!.category);
    expect(moved.updated > before).toBe(true);
    for (const c of contacts) {
      expect(t.store.db.prepare('SELECT project FROM contacts WHERE id = ?').pluck().get(c.id)).toBe(tomProject);
      expect(updatedOf('contacts', c.id) > c.updated).toBe(true);
    }
    expect(t.store.moveReferralToProject(referral, 424242)).toBe(false);
    expect(t.store.moveReferralToProject(999999, tomProject)).toBe(false);
  });

  it('touches a deterministic sample of a group, changing a visible field and moving updated forward', () => {
    const before = new Map((t.store.db.prepare('SELECT id, description, updated FROM referrals').all() as Array<{ id: number; description: string; updated: string }>).map((r) => [r.id, r]));
    const changed = t.store.touchRecords('referrals', 0.2, 5);
    expect(changed.length).toBeGreaterThan(0.1 * before.size);
    expect(changed.length).toBeLessThan(0.3 * before.size);
    for (const id of changed) {
      const row = t.store.db.prepare('SELECT description, updated FROM referrals WHERE id = ?').get(id) as { description: string; updated: string };
      expect(row.description).not.toBe(before.get(id)!.description);
      expect(row.updated > before.get(id)!.updated).toBe(true);
    }
    const untouched = [...before.keys()].find((id) => !changed.includes(id))!;
    expect(updatedOf('referrals', untouched)).toBe(before.get(untouched)!.updated);
    expect(t.store.touchRecords('referrals', 0.2, 5)).toEqual(changed);
    const phones = t.store.touchRecords('clients', 0.5, 1);
    expect(phones.length).toBeGreaterThan(0);
    expect(t.store.touchRecords('done_contacts', 0.05, 2).length).toBeGreaterThan(0);
  });

  it('keeps control changes and API changes on one forward-moving clock', () => {
    const client = get(t.store, t.priya, 'clients/field/id')[0].id;
    t.store.moveClientToWorker(client, t.priya.worker);
    const first = updatedOf('clients', client);
    expect(call(t.store, t.priya, 'POST', `clients/id/${client}`, { mobile: '07700 900123' }).status).toBe(200);
    expect(updatedOf('clients', client) > first).toBe(true);
  });
});
