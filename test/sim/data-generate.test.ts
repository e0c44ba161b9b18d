import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DICTIONARY_TABLES, RELATIONSHIP_DICTIONARIES } from '../../shared/dizions/model.js';
import { UK_POSTCODE_PATTERN, isValidNhsNumber, nhsCheckDigit } from '../../main/sim/data-random.js';
import { openSimStore } from '../../main/sim/store.js';
import { FIXED_NOW, TODAY, call, get, openTestStore, tempDir, type TestStore } from '../support/sim-data-support.js';

describe('the generated charity', () => {
  let t: TestStore;
  beforeAll(() => {
    t = openTestStore({ clients: 200 });
  });
  afterAll(() => t.close());

  it('scales everything from the number of clients: ~3 referrals and ~10 contacts per client', () => {
    const counts = t.store.counts();
    expect(counts.clients).toBe(200);
    expect(counts.referrals! / 200).toBeGreaterThan(2.5);
    expect(counts.referrals! / 200).toBeLessThan(3.5);
    const contacts = counts.due_contacts! + counts.done_contacts!;
    expect(contacts / 200).toBeGreaterThan(7);
    expect(contacts / 200).toBeLessThan(13);
    for (const table of ['workers', 'schedules', 'relationships', 'wellcheck_notes_9']) expect(counts[table]).toBeGreaterThan(0);
  });

  it('gives every client a 10-digit NHS number with a valid mod-11 check digit (or none)', () => {
    const numbers = t.store.db.prepare('SELECT nhs_number FROM clients WHERE nhs_number IS NOT NULL').pluck().all() as string[];
    expect(numbers.length).toBeGreaterThan(150);
    for (const n of numbers) expect(isValidNhsNumber(n), n).toBe(true);
  });

  it('checks NHS numbers like the NHS does (worked example 943 476 5919)', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
  });

  it('writes postcodes in valid UK format and addresses with town, county and district', () => {
    const rows = t.store.db.prepare('SELECT postcode, town, county, district FROM clients').all() as Array<Record<string, unknown>>;
    for (const row of rows) {
      expect(row.postcode).toMatch(UK_POSTCODE_PATTERN);
      expect(row.town).toBeTruthy();
      expect(t.store.dictionaryItem('organisations/county', row.county as number)).toBeDefined();
      expect(t.store.dictionaryItem('organisations/district', row.district as number)).toBeDefined();
    }
  });

  it('includes names beyond ASCII (Siân, Zoë, Łukasz…)', () => {
    const names = t.store.db.prepare("SELECT first_name || ' ' || surname FROM clients").pluck().all() as string[];
    expect(names.some((n) => /[^\x00-\x7f]/.test(n))).toBe(true);
  });

  it('has a dictionary for every table the model references, plus the relationship dictionaries', () => {
    const all = get(t.store, t.priya, 'dictionary');
    for (const table of [...DICTIONARY_TABLES, ...RELATIONSHIP_DICTIONARIES]) {
      expect(all[table]?.length, table).toBeGreaterThan(0);
    }
    expect(get(t.store, t.priya, 'dictionary/organisations/website_photo_consent').map((e: any) => e.id)).toContain(109);
  });

  it('maps every stage to Pending, Open or Closed through its template, and gives projects a category', () => {
    const stages = get(t.store, t.priya, 'dictionary/referrals/stage');
    const templates = new Set(get(t.store, t.priya, 'dictionary/referrals/template').map((e: any) => e.id));
    for (const stage of stages) {
      expect(['Pending', 'Open', 'Closed']).toContain(stage.status);
      expect(templates.has(stage.template)).toBe(true);
    }
    const categories = new Set(get(t.store, t.priya, 'dictionary/referrals/project_category').map((e: any) => e.id));
    for (const project of get(t.store, t.priya, 'dictionary/referrals/project')) expect(categories.has(project.category)).toBe(true);
  });

  it("keeps every referral and contact stage inside its referral's template", () => {
    const bad = t.store.db
      .prepare(
        `
      SELECT COUNT(*) FROM contacts c JOIN referrals r ON r.id = c.referral
        JOIN dictionaries d ON d.table_ref = 'referrals/stage' AND d.id = COALESCE(c.stage, c.due_stage)
       WHERE json_extract(d.extra, '$.template') != r.template`,
      )
      .pluck()
      .get();
    expect(bad).toBe(0);
  });

  it('has at least three demo users in different projects, each with keys and a worker', () => {
    const users = t.store.users();
    expect(users.length).toBeGreaterThanOrEqual(3);
    expect(users[0]!.name).toBe('Priya Shah');
    const projectSets = users.map((u) => u.projects.join(','));
    expect(new Set(projectSets).size).toBe(users.length);
    for (const user of users) {
      expect(user.worker).not.toBeNull();
      expect(t.store.findUserByKeys(user.source, user.org, user.user)?.id).toBe(user.id);
    }
    expect(t.store.findUserByKeys(users[0]!.source, users[0]!.org, 'wrong')).toBeUndefined();
  });

  it('gives each demo user a real caseload: clients they support, due contacts today and overdue', () => {
    for (const user of t.store.users()) {
      const clients = get(t.store, user, `clients/usual_support_worker/${user.worker}/field/id`);
      expect(clients.length, user.name).toBeGreaterThan(3);
      const today = get(t.store, user, `due_contacts/user/${user.id}/date_active/${TODAY},${TODAY}/field/id`);
      expect(today.length, user.name).toBeGreaterThanOrEqual(1);
      const overdue = get(t.store, user, `due_contacts/user/${user.id}/date_active/2024-01-01,2025-03-11/field/id`);
      expect(overdue.length, user.name).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives done contacts travel time in minutes and mileage with decimals, within the last two years', () => {
    const rows = get(t.store, t.priya, 'done_contacts/field/start_date;end_date;travel_time;travel_mileage;transport_method');
    expect(rows.some((r: any) => Number.isInteger(r.travel_time) && r.travel_time > 0)).toBe(true);
    expect(rows.some((r: any) => typeof r.travel_mileage === 'number' && !Number.isInteger(r.travel_mileage))).toBe(true);
    for (const row of rows) {
      expect(row.start_date >= '2023-03-12' && row.start_date < `${TODAY} 00:00:00`).toBe(true);
      expect(row.end_date >= row.start_date).toBe(true);
    }
  });

  it('has workers without a login', () => {
    const workers = get(t.store, t.priya, 'workers/field/id;user');
    expect(workers.some((w: any) => w.user === null)).toBe(true);
    expect(workers.some((w: any) => w.user !== null)).toBe(true);
  });
});

describe('determinism and persistence', () => {
  function snapshot(file: string, seed: number): string {
    const dir = tempDir();
    const store = openSimStore({ file: path.join(dir, file), seed, clients: 60, uploadsDir: path.join(dir, 'u'), now: () => new Date(FIXED_NOW) });
    try {
      const dump = ['clients', 'referrals', 'contacts', 'workers', 'schedules', 'relationships', 'users', 'wellcheck_notes_9'].map((table) =>
        JSON.stringify(store.db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()),
      );
      return dump.join('\n');
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('generates the same data from the same seed, and different data from another seed', () => {
    const a = snapshot('a.db', 11);
    expect(snapshot('b.db', 11)).toBe(a);
    expect(snapshot('c.db', 12)).not.toBe(a);
  });

  it('keeps its state across a restart and ignores the generation options then', () => {
    const dir = tempDir();
    const first = openTestStore({ clients: 50 }, dir);
    const created = call(first.store, first.priya, 'PUT', 'clients', { first_name: 'Zoë', surname: 'Restart' });
    expect(created.status).toBe(200);
    first.store.close();

    const second = openTestStore({ clients: 500, seed: 99 }, dir);
    try {
      expect(second.store.counts().clients).toBe(51);
      expect(get(second.store, second.priya, `clients/id/${created.body.id}/field/surname`)).toEqual([{ surname: 'Restart' }]);
      expect(second.priya.user).toBe(first.priya.user);
    } finally {
      second.close();
    }
  });

  it('starts afresh when a previous generation was cut short', () => {
    const dir = tempDir();
    const file = path.join(dir, 'sim.db');
    fs.writeFileSync(file, '');
    const t = openTestStore({ clients: 30 }, dir);
    try {
      expect(t.store.counts().clients).toBe(30);
    } finally {
      t.close();
    }
  });
});
