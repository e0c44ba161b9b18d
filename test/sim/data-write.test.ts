import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMESTAMP_PATTERN } from '../../shared/dizions/assumptions.js';
import { TODAY, call, get, openTestStore, type TestStore } from '../support/sim-data-support.js';

let t: TestStore;
beforeEach(() => {
  t = openTestStore({ clients: 60 });
});
afterEach(() => t.close());

const one = (path: string, user = t.priya) => {
  const rows = get(t.store, user, path);
  expect(rows).toHaveLength(1);
  return rows[0];
};
const dict = (table: string) => get(t.store, t.priya, `dictionary/${table}`) as Array<{ id: number; name: string; [k: string]: unknown }>;

/** A referral Priya can see, with a stage of its template in each status. */
function priyaReferral() {
  const referral = get(t.store, t.priya, 'referrals/field/id;client;template;stage')[0];
  const stages = dict('referrals/stage').filter((s) => s.template === referral.template);
  return { ...referral, open: stages.find((s) => s.status === 'Open')!.id, other: dict('referrals/stage').find((s) => s.template !== referral.template)!.id };
}

function newDueContact(referral: number, extra: Record<string, string> = {}) {
  const reply = call(t.store, t.priya, 'PUT', `due_contacts/referral/${referral}`, {
    user: String(t.priya.id),
    start_date: `${TODAY} 14:00:00`,
    end_date: `${TODAY} 15:00:00`,
    description: 'Call about blue badge',
    ...extra,
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.id as number;
}

describe('clients', () => {
  it('creates a client with first_name and surname, type defaulting to 1, visible to its creator', () => {
    const reply = call(t.store, t.tom, 'PUT', 'clients', { first_name: 'Siân', surname: 'Ó Briain', postcode: 'CF10 1AA' });
    expect(reply).toEqual({ status: 200, body: { id: expect.any(Number) } });
    const client = one(`clients/id/${reply.body.id}`, t.tom);
    expect(client).toMatchObject({ first_name: 'Siân', surname: 'Ó Briain', type: 1, postcode: 'CF10 1AA' });
    expect(client.updated).toMatch(TIMESTAMP_PATTERN);
    expect(get(t.store, t.sian, `clients/id/${reply.body.id}`)).toEqual([]);
  });

  it('requires first_name and surname', () => {
    expect(call(t.store, t.priya, 'PUT', 'clients', { surname: 'Shah' })).toEqual({ status: 400, body: { error: 'first_name is required' } });
    expect(call(t.store, t.priya, 'PUT', 'clients', { first_name: 'Anita', surname: '' })).toEqual({ status: 400, body: { error: 'surname is required' } });
  });

  it('creates by external id, and refuses a second client with the same one (naming the existing id)', () => {
    const first = call(t.store, t.priya, 'PUT', 'clients/external_id/CRM-ABC-1', { first_name: 'Ann', surname: 'Lee' });
    expect(first.status).toBe(200);
    expect(one(`clients/external_id/CRM-ABC-1/field/id;external_id`)).toEqual({ id: first.body.id, external_id: 'CRM-ABC-1' });
    const again = call(t.store, t.priya, 'PUT', 'clients/external_id/CRM-ABC-1', { first_name: 'Ann', surname: 'Lee' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ id: first.body.id, error: expect.stringContaining('CRM-ABC-1') });
  });

  it('updates a client, moving updated forward and keeping the id', () => {
    const client = get(t.store, t.priya, 'clients/field/id;updated')[0];
    const gender = dict('organisations/gender')[1]!.id;
    const reply = call(t.store, t.priya, 'POST', `clients/id/${client.id}`, { telephone: '0113 496 0999', gender: String(gender) });
    expect(reply).toEqual({ status: 200, body: { id: client.id } });
    const after = one(`clients/id/${client.id}/field/telephone;gender;updated`);
    expect(after).toMatchObject({ telephone: '0113 496 0999', gender });
    expect(after.updated > client.updated).toBe(true);
  });

  it('moves updated forward on every change, even two in the same second', () => {
    const client = get(t.store, t.priya, 'clients/field/id')[0].id;
    const seen: string[] = [];
    for (const phone of ['0113 496 0001', '0113 496 0002', '0113 496 0003']) {
      expect(call(t.store, t.priya, 'POST', `clients/id/${client}`, { telephone: phone }).status).toBe(200);
      seen.push(one(`clients/id/${client}/field/updated`).updated);
    }
    expect(seen[1]! > seen[0]!).toBe(true);
    expect(seen[2]! > seen[1]!).toBe(true);
  });

  it('refuses unknown fields, server-owned fields, bad dictionary ids, bad flags and bad dates, naming the field', () => {
    const id = get(t.store, t.priya, 'clients/field/id')[0].id;
    const cases: Array<[Record<string, string>, string]> = [
      [{ shoe_size: '9' }, 'shoe_size'],
      [{ updated: '2025-01-01 00:00:00' }, 'updated'],
      [{ ethnicity: '99999' }, 'ethnicity'],
      [{ ethnicity: 'White' }, 'ethnicity'],
      [{ active: 'yes' }, 'active'],
      [{ dob: '1980-02-30' }, 'dob'],
      [{ usual_support_worker: '99999' }, 'usual_support_worker'],
      [{ surname: '' }, 'surname'],
    ];
    for (const [form, field] of cases) {
      const reply = call(t.store, t.priya, 'POST', `clients/id/${id}`, form);
      expect(reply.status, JSON.stringify(form)).toBe(400);
      expect(reply.body.error).toContain(field);
    }
  });

  it('answers 404 for a client that does not exist or that the user cannot see', () => {
    expect(call(t.store, t.priya, 'POST', 'clients/id/999999', { telephone: '1' }).status).toBe(404);
    const hidden = t.store.db
      .prepare('SELECT id FROM clients ORDER BY id')
      .pluck()
      .all()
      .find((id) => get(t.store, t.tom, `clients/id/${id}/field/id`).length === 0) as number;
    const reply = call(t.store, t.tom, 'POST', `clients/id/${hidden}`, { telephone: '1' });
    expect(reply).toEqual({ status: 404, body: { error: `client ${hidden} not found` } });
  });

  it('records relationships through a client update and reads them back from both sides', () => {
    const [a, b] = get(t.store, t.priya, 'clients/field/id').map((c: any) => c.id);
    const mother = dict('relationships').find((e) => e.name === 'Mother')!.id;
    const son = dict('relationships').find((e) => e.name === 'Son')!.id;
    const mainCarer = dict('carer_relationships').find((e) => e.name === 'Main carer')!.id;
    const before = one(`clients/id/${b}/field/updated`).updated;
    const reply = call(t.store, t.priya, 'POST', `clients/id/${a}`, {
      id_second: String(b),
      relationship_first_to_second: String(mother),
      relationship_second_to_first: String(son),
      relationship_first_to_second_carer: String(mainCarer),
    });
    expect(reply).toEqual({ status: 200, body: { id: a } });
    const fromA = one(`clients/id/${a}/field/id;relationship_details`).relationship_details;
    expect(fromA).toContainEqual({
      id_second: b,
      relationship_first_to_second: mother,
      relationship_second_to_first: son,
      relationship_first_to_second_carer: mainCarer,
      relationship_second_to_first_carer: null,
    });
    const fromB = one(`clients/id/${b}/field/relationship_details`).relationship_details;
    expect(fromB).toContainEqual(expect.objectContaining({ id_second: a, relationship_first_to_second: son, relationship_second_to_first: mother }));
    expect(one(`clients/id/${b}/field/updated`).updated > before).toBe(true);
    // Sent again (a replay), it updates the same relationship instead of adding another.
    call(t.store, t.priya, 'POST', `clients/id/${a}`, { id_second: String(b), relationship_first_to_second: String(mother), relationship_second_to_first: String(son) });
    expect(one(`clients/id/${a}/field/relationship_details`).relationship_details.filter((r: any) => r.id_second === b)).toHaveLength(1);
  });

  it('refuses incomplete or invalid relationships', () => {
    const [a, b] = get(t.store, t.priya, 'clients/field/id').map((c: any) => c.id);
    expect(call(t.store, t.priya, 'POST', `clients/id/${a}`, { relationship_first_to_second: '2801' }).body.error).toContain('id_second');
    expect(call(t.store, t.priya, 'POST', `clients/id/${a}`, { id_second: String(b), relationship_first_to_second: '2801' }).body.error).toContain('relationship_second_to_first');
    expect(call(t.store, t.priya, 'POST', `clients/id/${a}`, { id_second: String(b), relationship_first_to_second: '1', relationship_second_to_first: '2801' }).body.error).toContain(
      'relationship_first_to_second',
    );
    expect(call(t.store, t.priya, 'POST', `clients/id/${a}`, { id_second: String(a), relationship_first_to_second: '2801', relationship_second_to_first: '2801' }).status).toBe(400);
  });
});

describe('referrals', () => {
  function referralForm(client: number, extra: Record<string, string> = {}) {
    const project = t.priya.projects[0]!;
    const projectItem = dict('referrals/project').find((p) => p.id === project)!;
    const stage = dict('referrals/stage').find((s) => s.template === projectItem.template && s.status === 'Pending')!;
    return {
      client: String(client),
      client_type: '1',
      date: TODAY,
      project: String(project),
      template: String(projectItem.template),
      stage: String(stage.id),
      description: 'Lonely since moving',
      ...extra,
    };
  }

  it('creates a referral with the mandatory fields; its category follows the project', () => {
    const client = get(t.store, t.priya, 'clients/field/id')[0].id;
    const reply = call(t.store, t.priya, 'PUT', 'referrals', referralForm(client));
    expect(reply.status).toBe(200);
    const referral = one(`referrals/id/${reply.body.id}`);
    // The current manual: a referral created through the API is marked completed (both dialects follow it).
    expect(referral).toMatchObject({ client, date: TODAY, referral_complete: 'Y' });
    expect(referral.project_category).toBe(dict('referrals/project').find((p) => p.id === referral.project)!.category);
  });

  it('requires each mandatory field', () => {
    const client = get(t.store, t.priya, 'clients/field/id')[0].id;
    for (const field of ['client', 'client_type', 'date', 'project', 'template', 'stage', 'description']) {
      const form = referralForm(client);
      delete (form as Record<string, string>)[field];
      expect(call(t.store, t.priya, 'PUT', 'referrals', form)).toEqual({ status: 400, body: { error: `${field} is required` } });
    }
  });

  it('refuses a stage from another template, a project the user is not in, and a client they cannot see', () => {
    const client = get(t.store, t.priya, 'clients/field/id')[0].id;
    const foreignStage = dict('referrals/stage').find((s) => s.template !== Number(referralForm(client).template))!.id;
    expect(call(t.store, t.priya, 'PUT', 'referrals', referralForm(client, { stage: String(foreignStage) })).body.error).toMatch(/stage .* does not belong to template/);
    const foreignProject = dict('referrals/project').find((p) => !t.priya.projects.includes(p.id))!.id;
    expect(call(t.store, t.priya, 'PUT', 'referrals', referralForm(client, { project: String(foreignProject) })).status).toBe(403);
    expect(call(t.store, t.priya, 'PUT', 'referrals', referralForm(999999)).body.error).toContain('client 999999');
  });

  it('updates a referral; moving it to another project moves its contacts along', () => {
    const referral = priyaReferral();
    const target = t.priya.projects.find((p) => p !== one(`referrals/id/${referral.id}/field/project`).project)!;
    const targetTemplate = dict('referrals/project').find((p) => p.id === target)!.template;
    const stage = dict('referrals/stage').find((s) => s.template === targetTemplate && s.status === 'Open')!.id;
    const contactIds = get(t.store, t.priya, `done_contacts/referral/${referral.id}/field/id`).map((c: any) => c.id);
    const reply = call(t.store, t.priya, 'POST', `referrals/id/${referral.id}`, { project: String(target), template: String(targetTemplate), stage: String(stage) });
    expect(reply).toEqual({ status: 200, body: { id: referral.id } });
    for (const id of contactIds) expect(one(`done_contacts/id/${id}/field/project`).project).toBe(target);
  });
});

describe('contacts', () => {
  it("creates a due contact for a referral; it takes the referral's client and project", () => {
    const referral = priyaReferral();
    const id = newDueContact(referral.id);
    expect(one(`due_contacts/id/${id}`)).toMatchObject({ referral: referral.id, client: referral.client, user: t.priya.id, start_date: `${TODAY} 14:00:00` });
  });

  it('gives new records positive, increasing ids, one sequence for due and done contacts', () => {
    const referral = priyaReferral();
    const maxContact = t.store.db.prepare('SELECT MAX(id) FROM contacts').pluck().get() as number;
    const a = newDueContact(referral.id);
    const b = newDueContact(referral.id);
    expect(a).toBeGreaterThan(maxContact);
    expect(b).toBeGreaterThan(a);
    t.store.deleteRecord('due_contacts', b);
    expect(newDueContact(referral.id)).toBeGreaterThan(b);
  });

  it('validates due contacts: mandatory fields, real users, timestamps, end not before start', () => {
    const { id } = priyaReferral();
    const base = { user: String(t.priya.id), start_date: `${TODAY} 14:00:00`, end_date: `${TODAY} 15:00:00`, description: 'x' };
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...base, description: '' }, 'description is required'],
      [{ ...base, user: '99999' }, 'user 99999'],
      [{ ...base, start_date: TODAY }, 'start_date must be YYYY-MM-DD HH:MM:SS'],
      [{ ...base, end_date: `${TODAY} 13:00:00` }, 'is before start_date'],
      [{ ...base, travel_mileage: 'far' }, 'travel_mileage'],
      [{ ...base, client: '1' }, 'client'],
    ];
    for (const [form, message] of cases) {
      const reply = call(t.store, t.priya, 'PUT', `due_contacts/referral/${id}`, form);
      expect(reply.status, message).toBe(400);
      expect(reply.body.error).toContain(message);
    }
  });

  it("refuses a contact stage outside its referral's template", () => {
    const referral = priyaReferral();
    const due = newDueContact(referral.id);
    expect(call(t.store, t.priya, 'POST', `due_contacts/id/${due}`, { due_stage: String(referral.other) }).body.error).toMatch(/due_stage .* does not belong/);
  });

  it('completes a due contact into the done contact with the same id', () => {
    const referral = priyaReferral();
    const due = newDueContact(referral.id);
    const reply = call(t.store, t.priya, 'POST', `done_contacts/id/${due}`, {
      user: String(t.priya.id),
      stage: String(referral.open),
      start_date: `${TODAY} 14:05:00`,
      end_date: `${TODAY} 14:50:00`,
      description: 'Talked through the form',
      travel_time: '25',
      travel_mileage: '7.5',
    });
    expect(reply).toEqual({ status: 200, body: { id: due } });
    expect(get(t.store, t.priya, `due_contacts/id/${due}`)).toEqual([]);
    expect(one(`done_contacts/id/${due}`)).toMatchObject({ id: due, travel_time: 25, travel_mileage: 7.5, stage: referral.open });
    // Replayed, the completion updates the done contact again and keeps the id.
    const again = call(t.store, t.priya, 'POST', `done_contacts/id/${due}`, { start_date: `${TODAY} 14:05:00`, end_date: `${TODAY} 14:50:00` });
    expect(again).toEqual({ status: 200, body: { id: due } });
  });

  it('needs start_date and end_date (and the completion fields) to complete a due contact', () => {
    const referral = priyaReferral();
    const due = newDueContact(referral.id);
    expect(call(t.store, t.priya, 'POST', `done_contacts/id/${due}`, { description: 'x' }).body.error).toBe(`start_date is required to complete due contact ${due}`);
    expect(call(t.store, t.priya, 'POST', `done_contacts/id/${due}`, { start_date: `${TODAY} 14:05:00`, end_date: `${TODAY} 14:50:00`, description: 'x', user: String(t.priya.id) })).toEqual({
      status: 400,
      body: { error: 'stage is required' },
    });
  });

  it('updates a due contact, but a done one only through done_contacts', () => {
    const referral = priyaReferral();
    const due = newDueContact(referral.id);
    expect(call(t.store, t.priya, 'POST', `due_contacts/id/${due}`, { description: 'Moved to Friday' }).status).toBe(200);
    expect(one(`due_contacts/id/${due}/field/description`).description).toBe('Moved to Friday');
    const done = get(t.store, t.priya, 'done_contacts/field/id')[0].id;
    expect(call(t.store, t.priya, 'POST', `due_contacts/id/${done}`, { description: 'x' }).status).toBe(409);
  });
});

describe('verbs per dialect', () => {
  it('uses PUT to create and POST to update in 2019, and answers the wrong verb with 405', () => {
    const client = get(t.store, t.priya, 'clients/field/id')[0].id;
    expect(call(t.store, t.priya, 'PUT', `clients/id/${client}`, { telephone: '1' })).toEqual({
      status: 405,
      body: { error: 'updating a client uses POST in the 2019 dialect, not PUT' },
    });
    expect(call(t.store, t.priya, 'POST', 'referrals', {}).status).toBe(405);
    expect(call(t.store, t.priya, 'PUT', 'workers/id/1', {}).status).toBe(405);
  });

  it('swaps them for clients, referrals and contacts in 2025, not for external referrals', () => {
    const s = openTestStore({ clients: 30, dialect: '2025' });
    try {
      const created = call(s.store, s.priya, 'POST', 'clients', { first_name: 'Nia', surname: 'Rees' });
      expect(created.status).toBe(200);
      expect(call(s.store, s.priya, 'PUT', `clients/id/${created.body.id}`, { telephone: '029 2018 0123' }).status).toBe(200);
      expect(call(s.store, s.priya, 'PUT', 'clients', { first_name: 'Nia', surname: 'Rees' }).status).toBe(405);
      expect(call(s.store, s.priya, 'PUT', 'external_referral', { org_type_id: '1', first_name: 'Nia', surname: 'Rees' }).status).toBe(200);
    } finally {
      s.close();
    }
  });
});

describe('external referrals, extension databases and uploads', () => {
  it('stages an external referral with org_type_id, surname and description (not readable through the API)', () => {
    expect(call(t.store, t.priya, 'PUT', 'external_referral', { surname: 'Jones', description: 'x' })).toEqual({
      status: 400,
      body: { error: 'org_type_id is mandatory when sending an external referral in the 2019 dialect' },
    });
    expect(call(t.store, t.priya, 'PUT', 'external_referral', { org_type_id: '1', surname: 'Jones', description: 'x', shoe_size: '9' }).body.error).toContain('shoe_size');
    const project = String(t.priya.projects[0]);
    const reply = call(t.store, t.priya, 'PUT', 'external_referral', { org_type_id: '1', surname: 'Jones', first_name: 'Zoë', description: 'Needs a befriender', project });
    expect(reply.status).toBe(200);
    expect(t.store.externalReferrals()).toEqual([
      expect.objectContaining({
        id: reply.body.id,
        org_type_id: 1,
        surname: 'Jones',
        first_name: 'Zoë',
        description: 'Needs a befriender',
        project: Number(project),
      }),
    ]);
  });

  it('creates and updates extension database records, filling the client from the referral', () => {
    const referral = priyaReferral();
    const reply = call(t.store, t.priya, 'PUT', 'extension_database/staff_disciplinary_13', { referral: String(referral.id), date_43: '2018-11-08' });
    expect(reply.status).toBe(200);
    const row = one(`extension_database/staff_disciplinary_13/id/${reply.body.id}`);
    expect(row).toMatchObject({ referral: referral.id, client: referral.client, date_43: '2018-11-08' });
    expect(call(t.store, t.priya, 'POST', `extension_database/staff_disciplinary_13/id/${reply.body.id}`, { outcome_44: 'No further action' }).status).toBe(200);
    const after = one(`extension_database/staff_disciplinary_13/referral/${referral.id}/id/${reply.body.id}`);
    expect(after.outcome_44).toBe('No further action');
    expect(after.updated > row.updated).toBe(true);
    expect(call(t.store, t.priya, 'PUT', 'extension_database/wellcheck_notes_9', { date_31: 'soon', referral: String(referral.id) }).body.error).toContain('date_31');
    expect(call(t.store, t.priya, 'PUT', 'extension_database/wellcheck_notes_9', { notes_33: 'x' }).body.error).toContain('referral');
  });

  it('stores uploaded files under uploadsDir with their visibility, replying with the batch id', () => {
    const client = get(t.store, t.priya, 'clients/field/id')[0].id;
    const files = [
      { filename: 'consent form.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 consent') },
      { filename: 'photo.jpg', contentType: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0x00]) },
    ];
    const reply = call(t.store, t.priya, 'POST', `clients/id/${client}/uploads`, { user_visibility: `${t.priya.id},${t.tom.id}`, group_visibility: '4' }, files);
    expect(reply).toEqual({ status: 200, body: { id: expect.any(Number) } });
    const uploads = t.store.uploads();
    expect(uploads).toHaveLength(2);
    expect(uploads[0]).toMatchObject({ group: 'clients', record: client, filename: 'consent form.pdf', bytes: 16, user_visibility: [t.priya.id, t.tom.id], group_visibility: [4] });
    expect(uploads[0]!.sha256).toBe(createHash('sha256').update('%PDF-1.4 consent').digest('hex'));
    expect(fs.readFileSync(uploads[1]!.path)).toEqual(files[1]!.data);
    expect(uploads.every((u) => u.batch === reply.body.id)).toBe(true);
  });

  it('refuses uploads without files, with bad visibility ids, or to invisible records', () => {
    const referral = priyaReferral().id;
    const file = [{ filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('a') }];
    expect(call(t.store, t.priya, 'POST', `referrals/id/${referral}/uploads`, { user_visibility: '', group_visibility: '' }).body.error).toContain('files');
    expect(call(t.store, t.priya, 'POST', `referrals/id/${referral}/uploads`, { user_visibility: 'me', group_visibility: '' }, file).body.error).toContain('user_visibility');
    expect(call(t.store, t.tom, 'POST', `referrals/id/${referral}/uploads`, { user_visibility: '', group_visibility: '' }, file).status).toBe(404);
    expect(call(t.store, t.priya, 'PUT', 'clients', { first_name: 'a', surname: 'b' }, file).status).toBe(400);
  });
});
