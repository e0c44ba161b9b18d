// The one validation an edit passes before anything is written (shared with the UI): documented
// writes only, with the verb of the dialect; every field known and well-formed; mandatory fields;
// dictionary ids that exist; a stage of the referral's own template; temp ids of records created
// offline. Each refusal names its field. The answers come from a real replica.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Replica } from '../../main/db/open.js';
import { upsertDictionary, upsertRecords } from '../../main/db/records.js';
import { replicaEditContext } from '../../main/outbox/context.js';
import { queueEdit } from '../../main/outbox/queue.js';
import { classifyEdit } from '../../shared/edits/classify.js';
import { validateEdit, type EditInput } from '../../shared/edits/validate.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
  upsertDictionary(replica, 'organisations/gender', [
    { id: 201, name: 'Female' },
    { id: 202, name: 'Male' },
  ]);
  upsertDictionary(replica, 'referrals/template', [
    { id: 1801, name: 'Standard' },
    { id: 1802, name: 'Short' },
  ]);
  upsertDictionary(replica, 'referrals/stage', [
    { id: 1901, name: 'Referred', template: 1801, status: 'Pending' },
    { id: 1902, name: 'Open', template: 1801, status: 'Open' },
    { id: 1911, name: 'Triage', template: 1802, status: 'Pending' },
  ]);
  upsertDictionary(replica, 'relationships', [
    { id: 1, name: 'Parent' },
    { id: 2, name: 'Child' },
  ]);
  upsertRecords(replica, 'clients', [clientRecord(5), clientRecord(6)]);
  upsertRecords(replica, 'referrals', [{ id: 40, client: 5, client_type: 1, date: '2024-01-02', project: 101, template: 1801, stage: 1901, description: 'x', updated: '2024-01-02 10:00:00' }]);
  upsertRecords(replica, 'due_contacts', [
    { id: 88, referral: 40, client: 5, user: 3, start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', description: 'visit', due_stage: 1901, updated: '2024-01-02 10:00:00' },
  ]);
});
afterEach(() => replica.close());

function problems(input: Partial<EditInput> & { fields: EditInput['fields'] }, options: { completion?: boolean; dialect?: '2019' | '2025' } = {}): string[] {
  const result = validateEdit({ method: 'PUT', path: 'clients', ...input }, replicaEditContext(replica), { dialect: options.dialect ?? '2019', completion: options.completion ?? false });
  return result.ok ? [] : result.issues.map((i) => `${i.field}: ${i.message}`);
}

describe('which writes exist', () => {
  it('classifies every documented write, with the verbs of each dialect', () => {
    const writes: Array<[string, string, string]> = [
      ['PUT', 'clients', 'create-client'],
      ['PUT', 'clients/external_id/CRM-7', 'create-client'],
      ['POST', 'clients/id/5', 'update-client'],
      ['PUT', 'referrals', 'create-referral'],
      ['POST', 'referrals/id/40', 'update-referral'],
      ['PUT', 'due_contacts/referral/-4', 'plan-action'],
      ['POST', 'due_contacts/id/88', 'edit-action'],
      ['POST', 'done_contacts/id/88', 'complete-action'],
      ['PUT', 'external_referral', 'external-referral'],
      ['PUT', 'extension_database/wellcheck_notes_9', 'create-extension-record'],
      ['POST', 'extension_database/wellcheck_notes_9/id/17', 'update-extension-record'],
      ['PUT', 'extension_database/wellcheck_notes', 'create-extension-record'],
      ['POST', 'clients/id/5/uploads', 'upload-file'],
      ['POST', 'referrals/id/-2/uploads', 'upload-file'],
    ];
    for (const [method, path, operation] of writes) expect(classifyEdit(method, path, '2019').operation, `${method} ${path}`).toBe(operation);
    // The seed's done-contact POST also edits a done contact; its client update with id_second sets a relationship.
    expect(classifyEdit('POST', 'done_contacts/id/88', '2019').alsoMeans).toBe('edit-contact');
    expect(classifyEdit('POST', 'clients/id/5', '2019', { id_second: '6' })).toMatchObject({ operation: 'set-relationship', recordId: 5, secondId: 6 });
    // The current manual: verbs swapped, single records with or without /id/, its own relationship and contact writes.
    const current: Array<[string, string, string, Record<string, number>]> = [
      ['POST', 'clients', 'create-client', {}],
      ['PUT', 'clients/12', 'update-client', { recordId: 12 }],
      ['PUT', 'clients/id/12', 'update-client', { recordId: 12 }],
      ['POST', 'referrals', 'create-referral', {}],
      ['PUT', 'referrals/40', 'update-referral', { recordId: 40 }],
      ['POST', 'due_contacts/referral/-4', 'plan-action', { referralId: -4 }],
      ['POST', 'due_contacts/88', 'edit-action', { recordId: 88 }],
      ['POST', 'done_contacts/88', 'complete-action', { recordId: 88 }],
      ['PUT', 'done_contacts/88', 'edit-contact', { recordId: 88 }],
      ['POST', 'done_contacts/referral/40', 'record-contact', { referralId: 40 }],
      ['PUT', 'relationship_details/-1/59', 'set-relationship', { recordId: -1, secondId: 59 }],
      ['PUT', 'relationship_details/59/-1', 'set-relationship', { recordId: 59, secondId: -1 }],
      ['PUT', 'external_referral', 'external-referral', {}],
      ['POST', 'extension_database/wellcheck_notes/id/17', 'update-extension-record', { recordId: 17 }],
    ];
    for (const [method, path, operation, target] of current) expect(classifyEdit(method, path, '2025'), `${method} ${path}`).toMatchObject({ operation, ...target });
    expect(classifyEdit('PUT', 'due_contacts/referral/-4', '2019').referralId).toBe(-4);
  });

  it('refuses the wrong verb for the dialect, reads, and groups the API cannot write', () => {
    expect(problems({ method: 'POST', path: 'clients', fields: { first_name: 'A', surname: 'B' } })).toEqual(['method: creating a client uses PUT in the 2019 dialect, not POST (POST clients)']);
    expect(problems({ method: 'PUT', path: 'clients/id/5', fields: { surname: 'B' } }, { dialect: '2025' })).toEqual([]);
    expect(problems({ method: 'PUT', path: 'clients/5', fields: { surname: 'B' } }, { dialect: '2025' })).toEqual([]);
    expect(problems({ method: 'POST', path: 'clients/5', fields: { surname: 'B' } })[0]).toMatch(/^path: a single record is <group>\/id\/<id> in the 2019 dialect/);
    expect(problems({ method: 'GET', path: 'clients', fields: {} })).toEqual(['method: edits are PUT or POST, got "GET"']);
    expect(problems({ method: 'POST', path: 'workers/id/3', fields: { surname: 'B' } })[0]).toMatch(/^method: POST on this path is not a write in the 2019 dialect/);
    expect(problems({ method: 'POST', path: 'done_contacts/referral/40', fields: { surname: 'B' } })[0]).toMatch(/^method: POST on this path is not a write in the 2019 dialect/);
    expect(problems({ method: 'POST', path: 'clients/religion/3', fields: { surname: 'B' } })[0]).toMatch(/^path: …\/religion\/ does not name a record/);
    expect(problems({ method: 'POST', path: 'clients/id/5;6', fields: { surname: 'B' } })[0]).toMatch(/^path:/);
  });
});

describe('fields', () => {
  it('names a missing mandatory field for each kind of create and for a completion', () => {
    expect(problems({ fields: { first_name: 'Ann' } })).toEqual(['surname: is mandatory when creating a client in the 2019 dialect']);
    expect(problems({ path: 'referrals', fields: { client: '5', description: 'x' } }).map((p) => p.split(':')[0])).toEqual(['client_type', 'date', 'project', 'template', 'stage']);
    expect(problems({ path: 'due_contacts/referral/40', fields: { user: '3', start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00' } })).toEqual([
      'description: is mandatory when planning an action (a due contact) in the 2019 dialect',
    ]);
    expect(
      problems({ method: 'POST', path: 'done_contacts/id/88', fields: { start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', user: '3', description: 'd' } }, { completion: true }),
    ).toEqual(['stage: is mandatory when completing an action (a due contact) in the 2019 dialect']);
    expect(problems({ path: 'external_referral', fields: { surname: 'X', description: 'y' } })).toEqual(['org_type_id: is mandatory when sending an external referral in the 2019 dialect']);
    // The current manual: first_name, surname, org_type_id; description optional; source only with referral_role.
    expect(problems({ path: 'external_referral', fields: { org_type_id: '1', surname: 'X' } }, { dialect: '2025' })).toEqual([
      'first_name: is mandatory when sending an external referral in the 2025 dialect',
    ]);
    expect(problems({ path: 'external_referral', fields: { org_type_id: '1', first_name: 'A', surname: 'X', source: '2' } }, { dialect: '2025' })).toEqual([
      'source: can only be sent with referral_role when sending an external referral in the 2025 dialect',
    ]);
    expect(problems({ path: 'external_referral', fields: { org_type_id: '1', surname: 'X', description: 'y', source: '2', referral_role: '1' } })[0]).toMatch(
      /^source: cannot be sent .* 2019 dialect/,
    );
    expect(problems({ method: 'POST', path: 'clients/id/5/uploads', fields: { user_visibility: '3' } })).toEqual(['group_visibility: is mandatory when uploading files']);
    // Visibility is sent but may be empty: no restriction beyond the record's own ("everyone").
    expect(problems({ method: 'POST', path: 'clients/id/5/uploads', fields: { user_visibility: '', group_visibility: '' } })).toEqual([]);
  });

  it('checks forms: real calendar dates, timestamps, Y/N, numbers, ids, visibility lists', () => {
    expect(problems({ fields: { first_name: 'A', surname: 'B', dob: '2023-02-29' } })).toEqual(['dob: expected a date YYYY-MM-DD, got "2023-02-29"']);
    expect(problems({ fields: { first_name: 'A', surname: 'B', dob: '2024-02-29', active: 'yes', people_in_household: 'two' } })).toEqual([
      'active: expected Y or N, got "yes"',
      'people_in_household: expected a whole number ≥ 0, got "two"',
    ]);
    expect(problems({ path: 'due_contacts/referral/40', fields: { user: 'me', start_date: '2024-02-01', end_date: '2024-02-01 25:00:00', description: 'd' } })).toEqual([
      'user: expected a positive whole-number id, got "me"',
      'start_date: expected a timestamp "YYYY-MM-DD HH:MM:SS", got "2024-02-01"',
      'end_date: expected a timestamp "YYYY-MM-DD HH:MM:SS", got "2024-02-01 25:00:00"',
    ]);
    expect(problems({ method: 'POST', path: 'due_contacts/id/88', fields: { start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 09:00:00' } })).toEqual([
      'end_date: (2024-02-01 09:00:00) is before start_date (2024-02-01 10:00:00)',
    ]);
    expect(problems({ method: 'POST', path: 'clients/id/5/uploads', fields: { user_visibility: '3;4', group_visibility: '1' } })).toEqual([
      'user_visibility: expected comma-separated ids such as 3,7, got "3;4"',
    ]);
  });

  it('refuses fields the write does not take, and an update with nothing in it', () => {
    expect(problems({ fields: { first_name: 'A', surname: 'B', surnme: 'typo', id: '9' } })).toEqual([
      'surnme: is not a field that can be set when creating a client',
      'id: is not a field that can be set when creating a client',
    ]);
    expect(problems({ method: 'POST', path: 'due_contacts/id/88', fields: { referral: '41' } })).toEqual(['referral: is not a field that can be set when editing an action (a due contact)']);
    expect(problems({ method: 'POST', path: 'clients/id/5', fields: {} })).toEqual(['fields: updating a client needs at least one field=value']);
    expect(problems({ path: 'extension_database/wellcheck_notes_9', fields: { referral: '40', date_31: '2024-13-01', notes_33: 'ok' } })).toEqual([
      'date_31: expected a date YYYY-MM-DD, got "2024-13-01"',
    ]);
  });

  it('checks dictionary ids against the replica, and leaves dictionaries it never synced to the server', () => {
    expect(problems({ fields: { first_name: 'A', surname: 'B', gender: '999' } })).toEqual(['gender: 999 is not in the dictionary organisations/gender']);
    expect(problems({ fields: { first_name: 'A', surname: 'B', gender: '202', ethnicity: '999' } })).toEqual([]);
  });

  it("a stage must belong to the referral's template — on create, on a template change, and on a completion", () => {
    const referral = { client: '5', client_type: '1', date: '2024-03-01', project: '101', template: '1801', description: 'd' };
    expect(problems({ path: 'referrals', fields: { ...referral, stage: '1911' } })).toEqual(["stage: 1911 belongs to template 1802, not to this referral's template 1801"]);
    expect(problems({ path: 'referrals', fields: { ...referral, stage: '1902' } })).toEqual([]);
    expect(problems({ method: 'POST', path: 'referrals/id/40', fields: { stage: '1911' } })).toEqual(["stage: 1911 belongs to template 1802, not to this referral's template 1801"]);
    expect(problems({ method: 'POST', path: 'referrals/id/40', fields: { template: '1802' } })).toEqual(['stage: must be given too when the template changes (a stage belongs to one template)']);
    expect(
      problems(
        { method: 'POST', path: 'done_contacts/id/88', fields: { start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', user: '3', description: 'd', stage: '1911' } },
        { completion: true },
      ),
    ).toEqual(["stage: 1911 belongs to template 1802, not to this referral's template 1801"]);
  });

  it('a relationship needs both directions, from a dictionary', () => {
    expect(problems({ method: 'POST', path: 'clients/id/5', fields: { id_second: '6', relationship_first_to_second: '1' } })).toEqual([
      'relationship_second_to_first: is mandatory when setting a relationship between two clients in the 2019 dialect',
    ]);
    expect(problems({ method: 'POST', path: 'clients/id/5', fields: { id_second: '6', relationship_first_to_second: '1', relationship_second_to_first: '7' } })).toEqual([
      'relationship_second_to_first: 7 is not in the dictionary relationships',
    ]);
    // The current manual's words, and what the seed cannot express: refused at queue time, naming the field.
    expect(problems({ method: 'PUT', path: 'relationship_details/5/6', fields: { relation_first_to_second: '1', relation_second_to_first: '1', major: 'Y' } }, { dialect: '2025' })).toEqual([]);
    expect(
      problems({ method: 'PUT', path: 'relationship_details/5/6', fields: { relation_first_to_second: '1', relation_second_to_first: '1', carer_relation_first_to_second: '1' } }, { dialect: '2025' }),
    ).toEqual([]);
    expect(
      problems({ method: 'POST', path: 'clients/id/5', fields: { id_second: '6', relationship_first_to_second: '1', relationship_second_to_first: '1', major: 'Y', joint_address: 'Y' } }),
    ).toEqual([
      'major: cannot be sent when setting a relationship between two clients in the 2019 dialect: the 2019 API (the seed) has no such relationship field; switch the connection to 2025 or leave it out',
      'joint_address: cannot be sent when setting a relationship between two clients in the 2019 dialect: the 2019 API (the seed) has no such relationship field; switch the connection to 2025 or leave it out',
    ]);
    expect(problems({ method: 'POST', path: 'clients/id/5', fields: { id_second: '6', relationship_first_to_second: '1', relationship_second_to_first: '1', telephone: '0' } })[0]).toMatch(
      /^telephone: is not a field that can be set when setting a relationship/,
    );
  });
});

describe('temp ids', () => {
  it('accepts the temp id of a record created offline, of the right kind only', () => {
    const client = queueEdit(replica, { method: 'PUT', path: 'clients', fields: { first_name: 'New', surname: 'Person' } });
    expect(client.temp_id).toBe(-1);
    const referral = { client: String(client.temp_id), client_type: '1', date: '2024-03-01', project: '101', template: '1801', stage: '1901', description: 'd' };
    expect(problems({ path: 'referrals', fields: referral })).toEqual([]);
    expect(problems({ path: 'referrals', fields: { ...referral, client: '-9' } })).toEqual(['client: -9 is not a record created offline on this device (or it was discarded)']);
    const created = queueEdit(replica, { method: 'PUT', path: 'referrals', fields: referral });
    expect(problems({ path: 'referrals', fields: { ...referral, client: String(created.temp_id) } })).toEqual([`client: ${created.temp_id} is a temporary referral id, not a client id`]);
    expect(problems({ path: `due_contacts/referral/${client.temp_id}`, fields: { user: '3', start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', description: 'd' } })).toEqual([
      `path: ${client.temp_id} is not a referral created offline on this device (or it was discarded)`,
    ]);
    expect(problems({ method: 'POST', path: `clients/id/${client.temp_id}`, fields: { telephone: '0' } })).toEqual([]);
  });
});
