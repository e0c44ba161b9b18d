import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FIELDS, CONTACT_FIELDS, GROUP_FILTERS, FLAG_FIELDS, GROUP_RANGES, RECORD_GROUPS } from '../../shared/dizions/model.js';
import { TODAY, call, get, openTestStore, type TestStore } from '../support/sim-data-support.js';

let t: TestStore;
beforeAll(() => {
  t = openTestStore({ clients: 150 });
});
afterAll(() => t.close());

/** ISO 8601 week label of a date, computed independently of SQLite. */
function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const ids = (rows: Array<{ id: number }>) => rows.map((r) => r.id);
const column = (sql: string, ...params: unknown[]) =>
  t.store.db
    .prepare(sql)
    .pluck()
    .all(...params) as any[];

describe('collections', () => {
  it("returns an array of objects keyed by the group's model fields, in id order", () => {
    const clients = get(t.store, t.priya, 'clients');
    expect(clients.length).toBeGreaterThan(0);
    expect(Object.keys(clients[0])).toEqual([...CLIENT_FIELDS]);
    expect(ids(clients)).toEqual([...ids(clients)].sort((a, b) => a - b));
    const contacts = get(t.store, t.priya, 'due_contacts');
    expect(Object.keys(contacts[0])).toEqual([...CONTACT_FIELDS]);
  });

  it('answers id/510-style lookups with an array of one, or none', () => {
    const [first] = get(t.store, t.priya, 'referrals/field/id');
    expect(get(t.store, t.priya, `referrals/id/${first.id}`)).toHaveLength(1);
    expect(get(t.store, t.priya, 'referrals/id/999999')).toEqual([]);
  });

  it('returns only the fields asked for with field/, including the extension field and relationship details', () => {
    const client = column('SELECT first FROM relationships ORDER BY id LIMIT 1')[0];
    const viewer = t.store.allUsers().find((u) => get(t.store, u, `clients/id/${client}/field/id`).length === 1)!;
    const [row] = get(t.store, viewer, `clients/id/${client}/field/id;surname;website_photo_consent;relationship_details`);
    expect(Object.keys(row)).toEqual(['id', 'surname', 'website_photo_consent', 'relationship_details']);
    expect(row.relationship_details.length).toBeGreaterThan(0);
    expect(Object.keys(row.relationship_details[0])).toEqual([
      'id_second',
      'relationship_first_to_second',
      'relationship_second_to_first',
      'relationship_first_to_second_carer',
      'relationship_second_to_first_carer',
    ]);
  });

  it('ANDs filter keys and ORs the ;-alternatives of one key', () => {
    // The two religions most common among registered-disabled clients, so the answer is never empty by chance.
    const [a, b] = column(`SELECT religion FROM clients WHERE registered_disabled = 'Y' AND religion IS NOT NULL GROUP BY religion ORDER BY count(*) DESC LIMIT 2`);
    const expected = column(`SELECT id FROM clients WHERE religion IN (?, ?) AND registered_disabled = 'Y' ORDER BY id`, a, b);
    const visible = new Set(ids(get(t.store, t.priya, 'clients/field/id')));
    const got = ids(get(t.store, t.priya, `clients/religion/${a};${b}/registered_disabled/Y/field/id`));
    expect(got).toEqual(expected.filter((id) => visible.has(id)));
    expect(got.length).toBeGreaterThan(0);
  });

  it("filters referrals and contacts by their client's fields (client_*)", () => {
    const gender = column('SELECT gender FROM clients LIMIT 1')[0];
    const rows = get(t.store, t.priya, `referrals/client_gender/${gender}/field/id;client`);
    expect(rows.length).toBeGreaterThan(0);
    const genders = new Set(column(`SELECT gender FROM clients WHERE id IN (${rows.map((r: any) => r.client).join(',')})`));
    expect([...genders]).toEqual([gender]);
    const contacts = get(t.store, t.priya, `done_contacts/client_gender/${gender}/field/id;client`);
    for (const c of contacts) expect(column('SELECT gender FROM clients WHERE id = ?', c.client)).toEqual([gender]);
  });

  it("filters contacts by their referral's project facts (project_category, project_active, template, referrer)", () => {
    const project = t.priya.projects[0]!;
    const category = t.store.dictionaryItem('referrals/project', project)!.extra!.category;
    const rows = get(t.store, t.priya, `done_contacts/project_category/${category}/field/id;project`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(t.store.dictionaryItem('referrals/project', row.project)!.extra!.category).toBe(category);
    const active = get(t.store, t.priya, 'due_contacts/project_active/Y/field/id');
    const all = get(t.store, t.priya, 'due_contacts/field/id');
    expect(active.length).toBeLessThanOrEqual(all.length);
    const template = column('SELECT template FROM referrals WHERE project = ? LIMIT 1', project)[0];
    for (const row of get(t.store, t.priya, `done_contacts/template/${template}/field/referral`)) {
      expect(column('SELECT template FROM referrals WHERE id = ?', row.referral)).toEqual([template]);
    }
  });

  it('filters clients by the single-record extension field website_photo_consent', () => {
    const rows = get(t.store, t.priya, 'clients/website_photo_consent/109/field/id;website_photo_consent');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.website_photo_consent).toBe(109);
  });

  it('accepts every filter key the model lists for each group', () => {
    for (const group of RECORD_GROUPS) {
      for (const key of GROUP_FILTERS[group]) {
        const value = /date$/.test(key)
          ? TODAY
          : ['description', 'postcode', 'gp_name', 'external_id', 'nhs_number', 'social_services_number', 'project_name'].includes(key.replace(/^client_/, ''))
            ? 'x'
            : FLAG_FIELDS.has(key.replace(/^client_/, ''))
              ? 'Y'
              : '1';
        const reply = call(t.store, t.priya, 'GET', `${group}/${key}/${value}/field/id`);
        expect(reply.status, `${group}/${key}: ${JSON.stringify(reply.body)}`).toBe(200);
      }
      for (const key of GROUP_RANGES[group]) {
        expect(call(t.store, t.priya, 'GET', `${group}/${key}/2024-01-01,2024-12-31/field/id`).status, `${group}/${key}`).toBe(200);
      }
    }
  });
});

describe('date ranges', () => {
  it('date_active on contacts takes start_date within [A 00:00:00, B 23:59:59]', () => {
    const rows = get(t.store, t.priya, 'done_contacts/date_active/2024-06-01,2024-06-30/field/id;start_date');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.start_date >= '2024-06-01 00:00:00' && row.start_date <= '2024-06-30 23:59:59').toBe(true);
    const visible = column(`SELECT id FROM contacts WHERE done = 1 AND start_date BETWEEN '2024-06-01 00:00:00' AND '2024-06-30 23:59:59'
      AND project IN (${t.priya.projects.join(',')}) ORDER BY id`);
    expect(ids(rows)).toEqual(visible);
  });

  it('date_active on referrals means a due or done contact in the range', () => {
    const rows = get(t.store, t.priya, `referrals/date_active/${TODAY},${TODAY}/field/id`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(column(`SELECT COUNT(*) FROM contacts WHERE referral = ? AND start_date LIKE '${TODAY}%'`, row.id)[0]).toBeGreaterThan(0);
    }
  });

  it('date_active on schedules means the schedule overlaps the range', () => {
    const rows = get(t.store, t.priya, 'schedules/date_active/2024-01-01,2024-01-31/field/id;start_date;end_date');
    for (const row of rows) {
      expect(row.start_date <= '2024-01-31 23:59:59').toBe(true);
      expect(row.end_date === null || row.end_date >= '2024-01-01 00:00:00').toBe(true);
    }
    const all = get(t.store, t.priya, 'schedules/field/id;start_date;end_date');
    const overlapping = all.filter((s: any) => s.start_date <= '2024-01-31 23:59:59' && (s.end_date === null || s.end_date >= '2024-01-01'));
    expect(ids(rows)).toEqual(ids(overlapping));
  });

  it('date on referrals is the referral date; updated accepts dates and full timestamps as bounds', () => {
    for (const row of get(t.store, t.priya, 'referrals/date/2024-01-01,2024-03-31/field/date')) {
      expect(row.date >= '2024-01-01' && row.date <= '2024-03-31').toBe(true);
    }
    const stamps = get(t.store, t.priya, 'referrals/field/updated')
      .map((r: any) => r.updated)
      .sort();
    const middle = stamps[Math.floor(stamps.length / 2)];
    const after = get(t.store, t.priya, `referrals/updated/${encodeURIComponent(middle)},2099-01-01/field/updated`);
    expect(after.length).toBe(stamps.filter((s: string) => s >= middle).length);
    const byDay = get(t.store, t.priya, `referrals/updated/${middle.slice(0, 10)},${middle.slice(0, 10)}/field/updated`);
    for (const row of byDay) expect(row.updated.slice(0, 10)).toBe(middle.slice(0, 10));
  });

  it('refuses ranges on groups without them, and malformed or backwards bounds', () => {
    expect(call(t.store, t.priya, 'GET', 'clients/date_active/2024-01-01,2024-01-02')).toMatchObject({ status: 400, body: { error: expect.stringContaining('date_active') } });
    expect(call(t.store, t.priya, 'GET', 'done_contacts/updated/2024-01-01,2024-01-02').body.error).toMatch(/only referrals/);
    expect(call(t.store, t.priya, 'GET', 'referrals/date_active/2024-13-01,2024-01-02')).toMatchObject({ status: 400, body: { error: expect.stringContaining('date_active start') } });
    expect(call(t.store, t.priya, 'GET', 'referrals/date/2024-02-01,2024-01-02').status).toBe(400);
  });
});

describe('visibility', () => {
  it('shows a user the referrals and contacts of their projects only', () => {
    for (const user of [t.priya, t.tom, t.sian]) {
      const referrals = get(t.store, user, 'referrals/field/id;project');
      expect(referrals.length).toBeGreaterThan(0);
      for (const r of referrals) expect(user.projects).toContain(r.project);
      expect(referrals.length).toBe(column(`SELECT COUNT(*) FROM referrals WHERE project IN (${user.projects.join(',')})`)[0]);
      for (const c of get(t.store, user, 'done_contacts/field/project')) expect(user.projects).toContain(c.project);
    }
  });

  it('shows clients of visible referrals, clients they support and clients they created — nobody else', () => {
    const user = t.tom;
    const expected = column(
      `SELECT id FROM clients c WHERE usual_support_worker = ? OR created_by_user = ?
      OR EXISTS (SELECT 1 FROM referrals r WHERE r.client = c.id AND r.project IN (${user.projects.join(',')})) ORDER BY id`,
      user.worker,
      user.id,
    );
    expect(ids(get(t.store, user, 'clients/field/id'))).toEqual(expected);
    expect(expected.length).toBeLessThan(150);
    const hidden = column(`SELECT id FROM clients WHERE id NOT IN (${expected.join(',')}) LIMIT 1`)[0];
    expect(get(t.store, user, `clients/id/${hidden}`)).toEqual([]);
  });

  it('shows all workers and the schedules of visible clients', () => {
    expect(get(t.store, t.priya, 'workers').length).toBe(t.store.counts().workers);
    const visibleClients = new Set(ids(get(t.store, t.priya, 'clients/field/id')));
    for (const s of get(t.store, t.priya, 'schedules/field/client')) expect(visibleClients.has(s.client)).toBe(true);
  });
});

describe('resolveIds', () => {
  it('replaces the named dictionary ids by names, and ALL replaces every one', () => {
    const [raw] = get(t.store, t.priya, 'clients/field/id;ethnicity;religion;district');
    const [named] = get(t.store, t.priya, `clients/id/${raw.id}/field/id;ethnicity;religion;district?resolveIds[]=ethnicity`);
    expect(named.ethnicity).toBe(t.store.dictionaryItem('organisations/ethnicity', raw.ethnicity)!.name);
    expect(named.religion).toBe(raw.religion);
    const [everything] = get(t.store, t.priya, `clients/id/${raw.id}/field/id;ethnicity;religion;district?resolveIds[]=ALL`);
    expect(typeof everything.religion).toBe('string');
    expect(typeof everything.district).toBe('string');
    expect(everything.id).toBe(raw.id);
  });

  it('refuses resolveIds of a field that is not a dictionary field', () => {
    expect(call(t.store, t.priya, 'GET', 'clients?resolveIds[]=surname')).toMatchObject({ status: 400, body: { error: expect.stringContaining('surname') } });
  });
});

describe('reports', () => {
  it('counts clients per district (and gender), with counts adding up to the records matched', () => {
    const visible = get(t.store, t.priya, 'clients/field/id;district;gender');
    const rows = get(t.store, t.priya, 'clients/dimension/district/metric/gender');
    expect(Object.keys(rows[0])).toEqual(['district', 'gender', 'count']);
    expect(rows.reduce((n: number, r: any) => n + r.count, 0)).toBe(visible.length);
    const first = rows[0];
    expect(first.count).toBe(visible.filter((c: any) => c.district === first.district && c.gender === first.gender).length);
  });

  it('puts records without a value in a null row', () => {
    const rows = get(t.store, t.priya, 'clients/dimension/sexual_orientation');
    const visible = get(t.store, t.priya, 'clients/field/sexual_orientation');
    const missing = visible.filter((c: any) => c.sexual_orientation === null).length;
    expect(missing).toBeGreaterThan(0);
    expect(rows.find((r: any) => r.sexual_orientation === null)?.count).toBe(missing);
  });

  it('breaks contacts down by day, ISO week, month and year of start_date, filtered like a GET', () => {
    const path = `done_contacts/dimension/day/date_active/2024-10-01,2024-10-31/user/${t.priya.id}`;
    const days = get(t.store, t.priya, path);
    const matched = get(t.store, t.priya, `done_contacts/date_active/2024-10-01,2024-10-31/user/${t.priya.id}/field/start_date`);
    expect(days.reduce((n: number, r: any) => n + r.count, 0)).toBe(matched.length);
    for (const row of days) expect(row.day).toMatch(/^2024-10-\d\d$/);
    expect(days.length).toBeGreaterThan(0);
    // 2024-12-30 (a Monday) starts ISO week 1 of 2025.
    const weeks = get(t.store, t.priya, 'done_contacts/dimension/week/date_active/2024-12-16,2025-01-05');
    expect(weeks.map((r: any) => r.week)).toEqual(['2024-W51', '2024-W52', '2025-W01'].filter((w) => weeks.some((r: any) => r.week === w)));
    expect(weeks.length).toBeGreaterThan(0);
    for (const row of get(t.store, t.priya, 'done_contacts/field/start_date').slice(0, 20)) {
      const day = row.start_date.slice(0, 10);
      expect(get(t.store, t.priya, `done_contacts/dimension/week/date_active/${day},${day}`).map((r: any) => r.week)).toEqual([isoWeek(day)]);
    }
    const months = get(t.store, t.priya, 'referrals/dimension/month');
    expect(months.length).toBeGreaterThan(0);
    for (const row of months) expect(row.month).toMatch(/^\d{4}-\d\d$/);
    const years = get(t.store, t.priya, 'schedules/dimension/year');
    expect(years.length).toBeGreaterThan(0);
    for (const row of years) expect(row.year).toMatch(/^\d{4}$/);
  });

  it('refuses a time dimension for clients, and unknown dimensions', () => {
    expect(call(t.store, t.priya, 'GET', 'clients/dimension/month')).toMatchObject({ status: 400, body: { error: expect.stringContaining('no date') } });
    expect(call(t.store, t.priya, 'GET', 'clients/dimension/shoe_size')).toMatchObject({ status: 400, body: { error: expect.stringContaining('shoe_size') } });
    expect(call(t.store, t.priya, 'GET', 'clients/dimension/district/metric/colour').body.error).toContain('colour');
  });
});

describe('discovery and dictionaries', () => {
  it('lists selectable fields, including the client extension field and relationship details', () => {
    const fields = get(t.store, t.priya, 'clients/selectable_fields');
    expect(fields).toEqual(expect.arrayContaining([...CLIENT_FIELDS, 'website_photo_consent', 'relationship_details']));
    expect(get(t.store, t.priya, 'done_contacts/selectable_fields')).toEqual([...CONTACT_FIELDS]);
    expect(get(t.store, t.priya, 'extension_database/staff_disciplinary_13/selectable_fields')).toContain('date_43');
  });

  it('serves one dictionary, the relationship dictionaries, and a case-insensitive substring search', () => {
    expect(get(t.store, t.priya, 'dictionary/contacts/contact_type')[0]).toMatchObject({ id: expect.any(Number), name: expect.any(String) });
    expect(get(t.store, t.priya, 'dictionary/relationships').map((e: any) => e.name)).toContain('Mother');
    expect(get(t.store, t.priya, 'dictionary/carer_relationships').map((e: any) => e.name)).toContain('Main carer');
    const found = get(t.store, t.priya, 'dictionary/search/referrals/project/CARE').map((e: any) => e.name);
    expect(found).toEqual(['Carers Support', 'Young Carers']);
    expect(get(t.store, t.priya, `dictionary/search/referrals/project/${encodeURIComponent('café')}`).map((e: any) => e.name)).toEqual(['Dementia Café']);
    expect(call(t.store, t.priya, 'GET', 'dictionary/organisations/shoe_size')).toMatchObject({ status: 404, body: { error: expect.stringContaining('organisations/shoe_size') } });
  });
});

describe('extension databases', () => {
  it('lists and filters multiple-record extension databases like any group, field/ included', () => {
    const rows = get(t.store, t.priya, 'extension_database/wellcheck_notes_9');
    expect(rows.length).toBeGreaterThan(0);
    const referral = rows[0].referral;
    const byReferral = get(t.store, t.priya, `extension_database/wellcheck_notes_9/referral/${referral}/field/id;referral`);
    expect(byReferral.length).toBeGreaterThan(0);
    for (const row of byReferral) expect(Object.keys(row)).toEqual(['id', 'referral']);
    expect(call(t.store, t.priya, 'GET', 'extension_database/staff_disciplinary_13/field/id;date_43').status).toBe(200);
    expect(call(t.store, t.priya, 'GET', 'extension_database/pets_4').status).toBe(404);
  });
});

describe('bad requests name what is wrong', () => {
  it.each([
    ['clients/shoe_size/9', 400, 'shoe_size'],
    ['clients/field/id;shoe_size', 400, 'shoe_size'],
    ['clients/religion/abc', 400, 'religion'],
    ['clients/active/maybe', 400, 'active'],
    ['volunteers', 404, 'volunteers'],
    ['clients/a/1/b/2/c/3/d/4/e/5/f/6/g/7/h/8/i/9/j/10/k/11', 400, '10 filter pairs'],
    ['clients/religion', 400, 'religion'],
    ['clients/id/1/uploads', 405, 'uploads'],
  ])('GET %s → %i naming %s', (path, status, named) => {
    const reply = call(t.store, t.priya, 'GET', path);
    expect(reply.status).toBe(status);
    expect(reply.body.error).toContain(named);
  });

  it('refuses methods the API does not have', () => {
    expect(call(t.store, t.priya, 'DELETE', 'clients/id/1').status).toBe(405);
    expect(call(t.store, t.priya, 'PUT', 'dictionary').status).toBe(405);
    expect(call(t.store, t.priya, 'GET', 'external_referral').status).toBe(405);
  });
});
