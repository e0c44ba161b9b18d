// The simulator speaks each dialect strictly, over HTTP: the other dialect's forms are refused
// where their meaning differs (405 with an Allow header, or 400/404 naming the field or path), so
// a client speaking the wrong dialect fails loudly instead of passing. The server's own database judges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { api, json, type Reply } from '../support/sim-http-support.js';

let sims: Record<'2019' | '2025', RunningSimulator>;
beforeAll(async () => {
  sims = {
    '2019': await startSimulator({ clients: 30, seed: 5, dialect: '2019' }),
    '2025': await startSimulator({ clients: 30, seed: 5, dialect: '2025' }),
  };
});
afterAll(async () => {
  await sims?.['2019'].close();
  await sims?.['2025'].close();
});

const error = (reply: Reply) => json<{ error: string }>(reply).error;

function fixture(sim: RunningSimulator) {
  const me = sim.store.users().find((u) => u.id === sim.users[0]!.id)!;
  const referral = sim.store.db.prepare(`SELECT id, template FROM referrals WHERE project IN (${me.projects.join(',')}) ORDER BY id LIMIT 1`).get() as { id: number; template: number };
  const stage = sim.store.db.prepare(`SELECT id FROM dictionaries WHERE table_ref = 'referrals/stage' AND json_extract(extra, '$.template') = ? ORDER BY id`).pluck().get(referral.template) as number;
  const clients = sim.store.db.prepare('SELECT id FROM clients ORDER BY id LIMIT 2').pluck().all() as number[];
  const contact = { user: String(me.id), stage: String(stage), start_date: '2026-11-02 10:00:00', end_date: '2026-11-02 10:30:00', description: 'Extra info: phoned the GP' };
  return { me, referral, stage, clients, contact };
}

describe("2019 (the seed) refuses the current manual's forms", () => {
  it('single records without /id/, relationship_details, done_contacts/referral and a 2025 external referral', async () => {
    const sim = sims['2019'];
    const { referral, clients, contact } = fixture(sim);
    const bare = await api(sim, 'PUT', `clients/${clients[0]}`, { form: { telephone: '1' } });
    expect(bare.status).toBe(400);
    expect(error(bare)).toMatch(/<group>\/id\/<id> in the 2019 dialect/);
    expect((await api(sim, 'GET', `clients/${clients[0]}`)).status).toBe(400);
    expect((await api(sim, 'PUT', `relationship_details/${clients[0]}/${clients[1]}`, { form: { relation_first_to_second: '2801', relation_second_to_first: '2803' } })).status).toBe(404);
    const record = await api(sim, 'POST', `done_contacts/referral/${referral.id}`, { form: contact });
    expect(record.status).toBe(405);
    expect(record.headers.allow).toBe('GET');
    const created = await api(sim, 'POST', 'clients', { form: { first_name: 'Ann', surname: 'Lee' } });
    expect(created.status).toBe(405);
    expect(created.headers.allow).toBe('GET, PUT');
    const external = await api(sim, 'PUT', 'external_referral', { form: { org_type_id: '1', first_name: 'Ann', surname: 'Lee' } });
    expect(external.status).toBe(400);
    expect(error(external)).toMatch(/^description /);
    const source = await api(sim, 'PUT', 'external_referral', { form: { org_type_id: '1', surname: 'Lee', description: 'x', source: '3', referral_role: '1' } });
    expect(error(source)).toMatch(/^source /);
    expect((await api(sim, 'GET', 'clients/filterable_fields')).status).toBe(404);
    expect(sim.store.db.prepare(`SELECT count(*) FROM clients WHERE surname = 'Lee'`).pluck().get()).toBe(0);
  });
});

describe("2025 (the current manual) refuses the seed's forms where their meaning differs", () => {
  it("answers the seed's verbs with 405 + Allow, and id_second on a client update with 400 naming it", async () => {
    const sim = sims['2025'];
    const { clients } = fixture(sim);
    const create = await api(sim, 'PUT', 'clients', { form: { first_name: 'Ann', surname: 'Seedform' } });
    expect(create.status).toBe(405);
    expect(create.headers.allow).toBe('GET, POST');
    const update = await api(sim, 'POST', `clients/id/${clients[0]}`, { form: { telephone: '1' } });
    expect(update.status).toBe(405);
    expect(update.headers.allow).toBe('GET, PUT');
    const seedRelationship = await api(sim, 'PUT', `clients/${clients[0]}`, { form: { id_second: String(clients[1]), relationship_first_to_second: '2801', relationship_second_to_first: '2803' } });
    expect(seedRelationship.status).toBe(400);
    expect(error(seedRelationship)).toMatch(/^id_second: .*relationship_details\//);
    const carerAlone = await api(sim, 'PUT', `relationship_details/${clients[0]}/${clients[1]}`, { form: { carer_relation_first_to_second: '2901' } });
    expect(carerAlone.status).toBe(400);
    expect(sim.store.db.prepare(`SELECT count(*) FROM clients WHERE surname = 'Seedform'`).pluck().get()).toBe(0);
  });

  it('takes its own forms: POST creates, PUT updates, with or without /id/; relationships, a recorded contact, no-suffix extension names', async () => {
    const sim = sims['2025'];
    const { referral, clients, contact } = fixture(sim);
    const created = json<{ id: number }>(await api(sim, 'POST', 'clients', { form: { first_name: 'Nia', surname: 'Current' } }));
    expect((await api(sim, 'PUT', `clients/${created.id}`, { form: { telephone: '029 2018 0001' } })).status).toBe(200);
    expect((await api(sim, 'PUT', `clients/id/${created.id}`, { form: { mobile: '07700 900001' } })).status).toBe(200);
    expect(json(await api(sim, 'GET', `clients/${created.id}/field/telephone;mobile`))).toEqual([{ telephone: '029 2018 0001', mobile: '07700 900001' }]);

    const related = await api(sim, 'PUT', `relationship_details/${clients[0]}/${clients[1]}`, { form: { relation_first_to_second: '2801', relation_second_to_first: '2803', major: 'Y' } });
    expect(related.status).toBe(200);
    expect(sim.store.db.prepare('SELECT count(*) FROM relationships WHERE (first = ? AND second = ?) OR (first = ? AND second = ?)').pluck().get(clients[0], clients[1], clients[1], clients[0])).toBe(
      1,
    );

    const recorded = json<{ id: number }>(await api(sim, 'POST', `done_contacts/referral/${referral.id}`, { form: contact }));
    expect(sim.store.db.prepare('SELECT done, referral, description FROM contacts WHERE id = ?').get(recorded.id)).toEqual({ done: 1, referral: referral.id, description: contact.description });
    // Completing a contact that is already done is refused: it would be a second write of one edit.
    expect((await api(sim, 'POST', `done_contacts/${recorded.id}`, { form: { description: 'again' } })).status).toBe(409);
    expect((await api(sim, 'PUT', `done_contacts/${recorded.id}`, { form: { description: 'edited' } })).status).toBe(200);

    const external = await api(sim, 'PUT', 'external_referral', { form: { org_type_id: '1', first_name: 'Ann', surname: 'Nodescription' } });
    expect(external.status).toBe(200);
    const source = await api(sim, 'PUT', 'external_referral', { form: { org_type_id: '1', first_name: 'Ann', surname: 'Lee', source: '3' } });
    expect(error(source)).toMatch(/^source .*referral_role/);

    const note = await api(sim, 'PUT', 'extension_database/wellcheck_notes', { form: { referral: String(referral.id), date_31: '2026-11-02', notes_33: 'no suffix' } });
    expect(note.status).toBe(200);
    expect(sim.store.db.prepare(`SELECT count(*) FROM wellcheck_notes_9 WHERE notes_33 = 'no suffix'`).pluck().get()).toBe(1);
    expect(json<string[]>(await api(sim, 'GET', 'referrals/filterable_fields'))).toContain('updated');
    expect(json<string[]>(await api(sim, 'GET', 'clients/metrics'))).toContain('count');
  });
});

describe('reads the current manual adds', () => {
  it('2025 takes date on contacts, email and type on clients, dictionary/branch and dictionary/client_type; 2019 refuses them', async () => {
    const current = sims['2025'];
    const seed = sims['2019'];
    const email = current.store.db.prepare('SELECT email FROM clients WHERE email IS NOT NULL ORDER BY id').pluck().get() as string;
    const byEmail = json<Array<{ email: string }>>(await api(current, 'GET', `clients/email/${encodeURIComponent(email)}/field/id;email`));
    expect(byEmail.length).toBeGreaterThan(0);
    expect(byEmail.every((c) => c.email === email)).toBe(true);
    const day = current.store.db.prepare('SELECT substr(start_date, 1, 10) FROM contacts WHERE done = 1 ORDER BY id').pluck().get() as string;
    const onDay = json<Array<{ start_date: string }>>(await api(current, 'GET', `done_contacts/date/${day},${day}/field/id;start_date`, { as: current.users[0]! }));
    expect(onDay.every((c) => c.start_date.startsWith(day))).toBe(true);
    expect(json(await api(current, 'GET', 'dictionary/branch'))).toEqual([]);
    expect(json<unknown[]>(await api(current, 'GET', 'dictionary/client_type')).length).toBeGreaterThan(0);
    expect((await api(current, 'GET', 'done_contacts/branch/1')).status).toBe(400);

    expect((await api(seed, 'GET', `clients/email/${encodeURIComponent(email)}`)).status).toBe(400);
    expect((await api(seed, 'GET', `done_contacts/date/${day},${day}`)).status).toBe(400);
    expect((await api(seed, 'GET', 'dictionary/branch')).status).toBe(404);
  });
});

describe('in both dialects', () => {
  it.each(['2019', '2025'] as const)("%s: a referral created through the API is marked completed (the current manual's rule)", async (dialect) => {
    const sim = sims[dialect];
    const { me, clients, stage, referral } = fixture(sim);
    const project = sim.store.db.prepare('SELECT project FROM referrals WHERE id = ?').pluck().get(referral.id) as number;
    const fields = {
      client: String(clients[0]),
      client_type: '1',
      date: '2026-11-02',
      project: String(project),
      template: String(referral.template),
      stage: String(stage),
      description: `completed on create ${dialect}`,
    };
    const reply = await api(sim, dialect === '2019' ? 'PUT' : 'POST', 'referrals', { form: fields });
    expect(reply.status, reply.text).toBe(200);
    expect(sim.store.db.prepare('SELECT referral_complete FROM referrals WHERE id = ?').pluck().get(json<{ id: number }>(reply).id)).toBe('Y');
    expect(me.projects).toContain(project);
  });
});
