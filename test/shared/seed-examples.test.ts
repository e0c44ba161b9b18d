// Every request example of the seed document (shared/seed/charitylog-api-details-2019.txt), sent by
// the Dizions client to the simulator, asserting what the seed says it means. Where the seed's
// literal ids do not exist in the generated charity, the literal request must still be answered
// (a list, every record matching), and the same request with ids that exist must be non-empty.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDizionsClient, type DizionsClient } from '../../main/api/client.js';
import { DizionsError } from '../../main/api/errors.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { RECORD_GROUPS } from '../../shared/dizions/model.js';
import type { DictionaryEntryBody, ReportRowBody } from '../../shared/dizions/schemas.js';

let sim: RunningSimulator;
let client: DizionsClient;
let me: { id: number; projects: number[] };
let projects: DictionaryEntryBody[];
let stages: DictionaryEntryBody[];

beforeAll(async () => {
  sim = await startSimulator({ clients: 150, seed: 7 });
  const user = sim.users[0]!;
  client = createDizionsClient({ baseUrl: sim.url, source: user.source, org: user.org, user: user.user });
  me = { id: user.id, projects: sim.store.users().find((u) => u.id === user.id)!.projects };
  [projects, stages] = await Promise.all([client.dictionary('referrals', 'project'), client.dictionary('referrals', 'stage')]);
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

// ---- helpers ------------------------------------------------------------------------------------

async function getList(path: string): Promise<Array<Record<string, unknown>>> {
  const reply = await client.request('GET', path);
  expect(reply.status).toBe(200);
  expect(Array.isArray(reply.json)).toBe(true);
  return reply.json as Array<Record<string, unknown>>;
}

const ids = (records: Array<Record<string, unknown>>) => records.map((r) => r.id as number).sort((a, b) => a - b);
const today = () => new Date().toISOString().slice(0, 10);
const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function templateOf(projectId: number): number {
  return Number(projects.find((p) => p.id === projectId)!.template);
}
function stageOf(template: number, status: 'Pending' | 'Open' | 'Closed'): number {
  return stages.find((s) => Number(s.template) === template && s.status === status)!.id;
}

async function rejection(promise: Promise<unknown>): Promise<DizionsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DizionsError);
  return error as DizionsError;
}

/** A client of mine with a referral in one of my projects: the starting point of the write examples. */
async function newCase(clientFields: Record<string, string | number> = {}) {
  const { id: clientId } = await client.createClient({ first_name: 'Seed', surname: `Example${Math.floor(Math.random() * 1e6)}`, ...clientFields });
  const project = me.projects[0]!;
  const template = templateOf(project);
  const { id: referralId } = await client.createReferral({
    client: clientId,
    client_type: 1,
    date: today(),
    project,
    template,
    stage: stageOf(template, 'Open'),
    description: 'Referred by the seed examples',
  });
  return { clientId, referralId, project, template };
}

async function dueContact(referralId: number, day = today()) {
  return client.createDueContact(referralId, { user: me.id, start_date: `${day} 10:00:00`, end_date: `${day} 11:00:00`, description: 'Planned visit' });
}

// ---- filters ------------------------------------------------------------------------------------

describe('filters', () => {
  it('clients/religion/1;3;10/ethnicity/1: religion 1, 3 or 10 and ethnicity 1', async () => {
    const literal = await getList('clients/religion/1;3;10/ethnicity/1');
    for (const c of literal) expect([1, 3, 10].includes(c.religion as number) && c.ethnicity === 1).toBe(true);

    const everyone = await getList('clients/field/id;religion;ethnicity');
    const ethnicity = everyone[0]!.ethnicity as number;
    const religions = [...new Set(everyone.filter((c) => c.ethnicity === ethnicity).map((c) => c.religion as number))].slice(0, 3);
    const matched = await client.getRecords('clients', { religion: religions, ethnicity });
    const expected = everyone.filter((c) => religions.includes(c.religion as number) && c.ethnicity === ethnicity);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(matched)).toEqual(ids(expected));
    expect(matched.length).toBeLessThan(everyone.length);
  });

  it('done_contacts/client_registered_disabled/Y/client_employment_status/N/project/5: completed actions of disabled, unemployed clients in a project', async () => {
    // The seed's literal path is accepted (project 5 may not exist in the generated data).
    const literal = await getList('done_contacts/client_registered_disabled/Y/client_employment_status/N/project/5');
    for (const c of literal) expect(c.project).toBe(5);

    // The same question about a project that exists: employment_status is the seed's Y/N flag.
    const { clientId, referralId, project } = await newCase({ registered_disabled: 'Y', employment_status: 'N' });
    const { id: contactId } = await dueContact(referralId);
    await client.completeDueContact(contactId, {
      user: me.id,
      stage: stageOf(templateOf(project), 'Open'),
      start_date: `${today()} 10:00:00`,
      end_date: `${today()} 10:45:00`,
      description: 'Benefits check done',
    });

    const matched = await client.getRecords('done_contacts', { client_registered_disabled: 'Y', client_employment_status: 'N', project });
    expect(ids(matched)).toContain(contactId);
    const inProject = await client.getRecords('done_contacts', { project });
    const clients = new Map((await client.getRecords('clients', {}, { fields: ['id', 'registered_disabled', 'employment_status'] })).map((c) => [c.id, c]));
    const expected = inProject.filter((c) => clients.get(c.client!)?.registered_disabled === 'Y' && clients.get(c.client!)?.employment_status === 'N');
    expect(ids(matched)).toEqual(ids(expected));
    expect(matched.every((c) => c.client === clientId || clients.has(c.client!))).toBe(true);
  });

  it('referrals/id/510: a single record by id', async () => {
    const literal = await getList('referrals/id/510');
    expect(literal.length).toBeLessThanOrEqual(1);
    if (literal.length === 1) expect(literal[0]!.id).toBe(510);

    const visible = await client.getRecords('referrals', {}, { fields: ['id'] });
    const some = visible[Math.floor(visible.length / 2)]!.id!;
    const one = await getList(`referrals/id/${some}`);
    expect(one).toHaveLength(1);
    expect(one[0]!.id).toBe(some);
  });

  it('clients/website_photo_consent/109: filter by a single-record extension database value', async () => {
    const matched = await getList('clients/website_photo_consent/109/field/id;website_photo_consent');
    expect(matched.length).toBeGreaterThan(0);
    for (const c of matched) expect(c.website_photo_consent).toBe(109);
    const everyone = await getList('clients/field/id;website_photo_consent');
    expect(ids(matched)).toEqual(ids(everyone.filter((c) => c.website_photo_consent === 109)));
  });

  it('referrals/date_active/2018-10-01,2018-10-31: referrals active in a date range', async () => {
    const literal = await getList('referrals/date_active/2018-10-01,2018-10-31');
    for (const r of literal) expect(String(r.date) <= '2018-10-31').toBe(true);

    const from = daysFromToday(-60);
    const to = daysFromToday(-30);
    const active = await client.getRecords('referrals', { date_active: [from, to] });
    const everyone = await client.getRecords('referrals');
    expect(active.length).toBeGreaterThan(0);
    expect(active.length).toBeLessThan(everyone.length);
    // Whatever "active" means in detail, a referral opened after the range was not active in it,
    // and one with a completed contact inside the range was.
    for (const r of active) expect(r.date! <= to).toBe(true);
    const contactsInRange = await client.getRecords('done_contacts', { date_active: [from, to] }, { fields: ['id', 'referral'] });
    expect(contactsInRange.length).toBeGreaterThan(0);
    expect(ids(active)).toEqual(expect.arrayContaining([...new Set(contactsInRange.map((c) => c.referral!))]));
  });
});

// ---- field selection ----------------------------------------------------------------------------

describe('selecting fields', () => {
  it('clients/field/id;surname;website_photo_consent returns exactly those fields', async () => {
    const records = await getList('clients/field/id;surname;website_photo_consent');
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(Object.keys(r).sort()).toEqual(['id', 'surname', 'website_photo_consent']);
  });

  it.each(RECORD_GROUPS)('%s/selectable_fields lists fields that /field/ accepts', async (group) => {
    const fields = await client.selectableFields(group);
    expect(fields).toEqual(expect.arrayContaining(['id', 'updated']));
    if (group === 'clients') expect(fields).toContain('website_photo_consent');
    const records = await client.getRecords(group, {}, { fields });
    for (const r of records.slice(0, 5)) expect(Object.keys(r).sort()).toEqual([...fields].sort());
  });
});

// ---- creating records ---------------------------------------------------------------------------

describe('creating records (2019 verbs: PUT)', () => {
  it('PUT clients creates a client and returns its id', async () => {
    const { id } = await client.createClient({ first_name: 'Grace', surname: 'Hopper', postcode: 'LS1 4AP', registered_disabled: 'N' });
    expect(await client.getById('clients', id)).toMatchObject({ id, first_name: 'Grace', surname: 'Hopper', postcode: 'LS1 4AP', type: 1 });
  });

  it('PUT clients/external_id/X creates a client carrying that external id', async () => {
    const externalId = `CRM-SEED-${Date.now()}`;
    const { id } = await client.createClientWithExternalId(externalId, { first_name: 'Alan', surname: 'Turing' });
    expect(await client.getRecords('clients', { external_id: externalId })).toEqual([expect.objectContaining({ id, external_id: externalId, surname: 'Turing' })]);
  });

  it('PUT referrals records a contact (referral) for a client', async () => {
    const { clientId, referralId, project } = await newCase();
    expect(await client.getById('referrals', referralId)).toMatchObject({ id: referralId, client: clientId, project, date: today(), description: 'Referred by the seed examples' });
  });

  it('PUT due_contacts/referral/R creates an action on that referral', async () => {
    const { referralId, clientId } = await newCase();
    const { id } = await dueContact(referralId, daysFromToday(3));
    expect(await client.getById('due_contacts', id)).toMatchObject({ id, referral: referralId, client: clientId, user: me.id, start_date: `${daysFromToday(3)} 10:00:00` });
  });

  it('PUT external_referral stages a referral, and names the missing mandatory field', async () => {
    const { id } = await client.createExternalReferral({ org_type_id: 1, surname: 'Lamarr', description: 'Self-referral from the website', first_name: 'Hedy', project: me.projects[0]! });
    expect(sim.store.externalReferrals()).toEqual(expect.arrayContaining([expect.objectContaining({ id, surname: 'Lamarr' })]));
    for (const missing of ['org_type_id', 'surname', 'description']) {
      const fields: Record<string, string | number> = { org_type_id: 1, surname: 'Lamarr', description: 'x' };
      delete fields[missing];
      const error = await rejection(client.createExternalReferral(fields));
      expect(error).toMatchObject({ kind: 'rejected', status: 400 });
      expect(error.serverMessage).toContain(missing);
    }
  });
});

// ---- updating records ---------------------------------------------------------------------------

describe('updating records (2019 verbs: POST)', () => {
  it('POST clients/id/X updates fields and creates a relationship, read back as relationship_details', async () => {
    const { clientId } = await newCase();
    const { clientId: carerId } = await newCase();
    const relationships = await client.relationships();
    const carer = await client.relationships(true);
    const daughter = relationships.find((r) => r.name === 'Daughter')!.id;
    const father = relationships.find((r) => r.name === 'Father')!.id;
    await client.updateClient(clientId, {
      telephone: '0113 496 0000',
      id_second: carerId,
      relationship_first_to_second: father,
      relationship_second_to_first: daughter,
      relationship_second_to_first_carer: carer[0]!.id,
    });
    const [record] = await client.getRecords('clients', { id: clientId }, { fields: ['id', 'telephone', 'relationship_details'] });
    expect(record).toMatchObject({ id: clientId, telephone: '0113 496 0000' });
    expect(record!.relationship_details).toEqual([
      expect.objectContaining({
        id_second: carerId,
        relationship_first_to_second: father,
        relationship_second_to_first: daughter,
        relationship_second_to_first_carer: carer[0]!.id,
      }),
    ]);
  });

  it('POST referrals/id/X updates a referral', async () => {
    const { referralId, template } = await newCase();
    const closed = stageOf(template, 'Closed');
    await client.updateReferral(referralId, { stage: closed, description: 'Outcomes met' });
    expect(await client.getById('referrals', referralId)).toMatchObject({ stage: closed, description: 'Outcomes met' });
  });

  it('POST due_contacts/id/X updates an action', async () => {
    const { referralId } = await newCase();
    const { id } = await dueContact(referralId);
    await client.updateDueContact(id, { description: 'Rearranged: phone call instead', start_date: `${daysFromToday(2)} 14:00:00`, end_date: `${daysFromToday(2)} 14:30:00` });
    expect(await client.getById('due_contacts', id)).toMatchObject({ description: 'Rearranged: phone call instead', start_date: `${daysFromToday(2)} 14:00:00` });
  });

  it('POST done_contacts/id/X with start_date and end_date completes a due contact under the same id', async () => {
    const { referralId, template } = await newCase();
    const { id } = await dueContact(referralId);
    const reply = await client.completeDueContact(id, {
      user: me.id,
      stage: stageOf(template, 'Open'),
      start_date: `${today()} 10:05:00`,
      end_date: `${today()} 10:50:00`,
      description: 'Visited, all well',
      travel_time: 20,
      travel_mileage: 7.5,
    });
    expect(reply).toEqual({ id });
    expect(await client.getById('due_contacts', id)).toBeUndefined();
    expect(await client.getById('done_contacts', id)).toMatchObject({ id, referral: referralId, description: 'Visited, all well', travel_mileage: 7.5, end_date: `${today()} 10:50:00` });

    await client.updateDoneContact(id, { description: 'Visited, all well; left leaflet' });
    expect(await client.getById('done_contacts', id)).toMatchObject({ description: 'Visited, all well; left leaflet' });
  });
});

// ---- uploads ------------------------------------------------------------------------------------

describe('file uploads', () => {
  it.each(['clients', 'referrals'] as const)('POST %s/id/X/uploads stores the files with their visibility', async (group) => {
    const { clientId, referralId } = await newCase();
    const record = group === 'clients' ? clientId : referralId;
    const data = new TextEncoder().encode(`consent form for ${group} ${record}`);
    const { id: batch } = await client.upload(
      group,
      record,
      [
        { filename: 'consent.txt', data, contentType: 'text/plain' },
        { filename: 'photo.jpg', data: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), contentType: 'image/jpeg' },
      ],
      { user: [me.id], group: [1, 2] },
    );
    const stored = sim.store.uploads().filter((u) => u.batch === batch);
    expect(stored.map((u) => [u.group, u.record, u.filename, u.bytes])).toEqual([
      [group, record, 'consent.txt', data.length],
      [group, record, 'photo.jpg', 4],
    ]);
    expect(stored[0]!.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(stored[0]).toMatchObject({ user_visibility: [me.id], group_visibility: [1, 2], created_by_user: me.id });
  });
});

// ---- extension databases ------------------------------------------------------------------------

describe('multiple-record extension databases', () => {
  it('PUT extension_database/staff_disciplinary_13 with referral and date_43 returns the new id; GET finds it', async () => {
    const { referralId } = await newCase();
    const { id } = await client.createExtensionRecord('staff_disciplinary_13', { referral: referralId, date_43: '2018-11-08' });
    const all = await client.extensionRecords('staff_disciplinary_13');
    expect(all).toEqual(expect.arrayContaining([expect.objectContaining({ id, referral: referralId, date_43: '2018-11-08' })]));
    const chosen = await client.extensionRecords('staff_disciplinary_13', { referral: referralId }, ['id', 'date_43']);
    expect(chosen).toEqual([{ id, date_43: '2018-11-08' }]);
  });

  it('extension_database/wellcheck_notes_9/referral/R gets the rows of one referral; POST .../id/X updates one', async () => {
    const rows = await client.extensionRecords('wellcheck_notes_9');
    expect(rows.length).toBeGreaterThan(0);
    const referral = rows[0]!.referral!;
    const ofReferral = await client.extensionRecords('wellcheck_notes_9', { referral });
    expect(ids(ofReferral)).toEqual(ids(rows.filter((r) => r.referral === referral)));

    const target = rows[0]!.id!;
    expect(await client.updateExtensionRecord('wellcheck_notes_9', target, { notes_33: 'Much brighter today', wellbeing_score_32: 8 })).toEqual({ id: target });
    const [after] = await client.extensionRecords('wellcheck_notes_9', { id: target });
    expect(after).toMatchObject({ id: target, notes_33: 'Much brighter today', wellbeing_score_32: 8 });
  });
});

// ---- reports ------------------------------------------------------------------------------------

function countBy(records: Array<Record<string, unknown>>, keys: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    const key = JSON.stringify(keys.map((k) => r[k] ?? null));
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}
function rowsBy(rows: ReportRowBody[], keys: string[]): Map<string, number> {
  return new Map(rows.map((r) => [JSON.stringify(keys.map((k) => r[k] ?? null)), r.count]));
}

describe('reports', () => {
  it('clients/dimension/district: how many clients in each district', async () => {
    const rows = await client.report('clients', 'district');
    const everyone = await client.getRecords('clients', {}, { fields: ['id', 'district'] });
    expect(rowsBy(rows, ['district'])).toEqual(countBy(everyone, ['district']));
  });

  it('clients/dimension/district/metric/gender: broken down by gender', async () => {
    const rows = await client.report('clients', 'district', 'gender');
    const everyone = await client.getRecords('clients', {}, { fields: ['id', 'district', 'gender'] });
    expect(rowsBy(rows, ['district', 'gender'])).toEqual(countBy(everyone, ['district', 'gender']));
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(everyone.length);
  });

  it('clients/dimension/district/metric/gender/main_disability/7;9/blue_badge_holder/Y: filtered like a GET', async () => {
    const literal = await client.request('GET', 'clients/dimension/district/metric/gender/main_disability/7;9/blue_badge_holder/Y');
    expect(literal.status).toBe(200);
    expect((literal.json as ReportRowBody[]).reduce((sum, r) => sum + r.count, 0)).toBe((await getList('clients/main_disability/7;9/blue_badge_holder/Y')).length);

    const disabilities = (await client.dictionary('organisations', 'main_disability')).slice(1, 5).map((d) => d.id);
    const filters = { main_disability: disabilities, blue_badge_holder: 'Y' };
    const rows = await client.report('clients', 'district', 'gender', filters);
    const matched = await client.getRecords('clients', filters, { fields: ['id', 'district', 'gender'] });
    expect(matched.length).toBeGreaterThan(0);
    expect(rowsBy(rows, ['district', 'gender'])).toEqual(countBy(matched, ['district', 'gender']));
  });

  it('done_contacts/dimension/day/date_active/FROM,TO/user/ME: my completed contacts per day add up to the GET', async () => {
    const from = daysFromToday(-90);
    const to = today();
    const literal = await client.request('GET', `done_contacts/dimension/day/date_active/2018-10-01,2018-10-31/user/${me.id}`);
    expect(literal.status).toBe(200);

    const rows = await client.report('done_contacts', 'day', undefined, { date_active: [from, to], user: me.id });
    const contacts = await client.getRecords('done_contacts', { date_active: [from, to], user: me.id });
    expect(contacts.length).toBeGreaterThan(0);
    const perDay = countBy(
      contacts.map((c) => ({ day: c.start_date!.slice(0, 10) })),
      ['day'],
    );
    expect(rowsBy(rows, ['day'])).toEqual(perDay);
    expect(rows.reduce((sum, r) => sum + r.count, 0)).toBe(contacts.length);
  });
});

// ---- dictionaries -------------------------------------------------------------------------------

describe('dictionaries', () => {
  it('dictionary (all) holds every dictionary the data model refers to, keyed <group>/<table>', async () => {
    const all = await client.dictionaryAll();
    expect(Object.keys(all)).toEqual(expect.arrayContaining(['organisations/district', 'referrals/project', 'contacts/contact_type']));
    expect(all['organisations/district']).toEqual(await client.dictionary('organisations', 'district'));
  });

  it.each([
    ['organisations', 'district'],
    ['referrals', 'project'],
    ['contacts', 'contact_type'],
  ])('dictionary/%s/%s lists ids and names', async (group, table) => {
    const entries = await client.dictionary(group, table);
    expect(entries.length).toBeGreaterThan(1);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    for (const e of entries) expect(e.name.length).toBeGreaterThan(0);
  });

  it.each([
    ['project', 'care'],
    ['referrer', 'AGE'],
  ])('dictionary/search/referrals/%s/%s matches names case-insensitively', async (table, term) => {
    const found = await client.searchDictionary('referrals', table, term);
    const everything = await client.dictionary('referrals', table);
    const expected = everything.filter((e) => e.name.toLowerCase().includes(term.toLowerCase()));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(found)).toEqual(ids(expected));
  });

  it('resolveIds[] turns a dictionary id into its name; ALL resolves every one', async () => {
    const [plain] = await client.getRecords('clients', {}, { fields: ['id', 'ethnicity', 'gender'] });
    const ethnicities = await client.dictionary('organisations', 'ethnicity');
    const genders = await client.dictionary('organisations', 'gender');
    const [one] = await client.getRecords('clients', { id: plain!.id! }, { fields: ['id', 'ethnicity', 'gender'], resolveIds: ['ethnicity'] });
    expect(one).toEqual({ id: plain!.id, ethnicity: ethnicities.find((e) => e.id === plain!.ethnicity)!.name, gender: plain!.gender });
    const [all] = await client.getRecords('clients', { id: plain!.id! }, { fields: ['id', 'ethnicity', 'gender'], resolveIds: ['ALL'] });
    expect(all).toEqual({ id: plain!.id, ethnicity: ethnicities.find((e) => e.id === plain!.ethnicity)!.name, gender: genders.find((g) => g.id === plain!.gender)!.name });
  });
});

// ---- the 2025 dialect ---------------------------------------------------------------------------

describe('the 2025 dialect', () => {
  it('creates with POST and updates with PUT; the 2019 verbs are refused', async () => {
    const sim2025 = await startSimulator({ clients: 20, seed: 3, dialect: '2025' });
    const user = sim2025.users[0]!;
    const keys = { baseUrl: sim2025.url, source: user.source, org: user.org, user: user.user };
    const newer = createDizionsClient({ ...keys, dialect: '2025' });
    const older = createDizionsClient({ ...keys, dialect: '2019' });
    try {
      const { id } = await newer.createClient({ first_name: 'Katherine', surname: 'Johnson' });
      await newer.updateClient(id, { telephone: '0161 496 0000' });
      expect(await newer.getById('clients', id)).toMatchObject({ surname: 'Johnson', telephone: '0161 496 0000' });
      const project = sim2025.store.users()[0]!.projects[0]!;
      const projectRows = await newer.dictionary('referrals', 'project');
      const template = Number(projectRows.find((p) => p.id === project)!.template);
      const stage = (await newer.dictionary('referrals', 'stage')).find((s) => Number(s.template) === template)!.id;
      const { id: referral } = await newer.createReferral({ client: id, client_type: 1, date: today(), project, template, stage, description: 'via 2025 verbs' });
      const { id: due } = await newer.createDueContact(referral, { user: user.id, start_date: `${today()} 09:00:00`, end_date: `${today()} 09:30:00`, description: 'call' });
      expect(await newer.getById('due_contacts', due)).toMatchObject({ referral });
      expect(sim2025.requestLog.filter((e) => e.status === 200).map((e) => `${e.method} ${e.path}`)).toEqual(
        expect.arrayContaining(['POST clients', `PUT clients/${id}`, 'POST referrals', `POST due_contacts/referral/${referral}`]),
      );
      const refused = await rejection(older.createClient({ first_name: 'Old', surname: 'Verb' }));
      expect(refused.status).toBeGreaterThanOrEqual(400);
    } finally {
      await newer.close();
      await older.close();
      await sim2025.close();
    }
  });
});
