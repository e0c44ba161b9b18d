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
  upsertDictionary(replica, 'organisations/gender', [{ id: 201, name: 'Female' }, { id: 202, name: 'Male' }]);
  upsertDictionary(replica, 'referrals/template', [{ id: 1801, name: 'Standard' }, { id: 1802, name: 'Short' }]);
  upsertDictionary(replica, 'referrals/stage', [
    { id: 1901, name: 'Referred', template: 1801, status: 'Pending' }, { id: 1902, name: 'Open', template: 1801, status: 'Open' },
    { id: 1911, name: 'Triage', template: 1802, status: 'Pending' },
  ]);
  upsertDictionary(replica, 'relationships', [{ id: 1, name: 'Parent' }, { id: 2, name: 'Child' }]);
  upsertRecords(replica, 'clients', [clientRecord(5), clientRecord(6)]);
  upsertRecords(replica, 'referrals', [{ id: 40, client: 5, client_type: 1, date: '2024-01-02', project: 101, template: 1801, stage: 1901, description: 'x', updated: '2024-01-02 10:00:00' }]);
  upsertRecords(replica, 'due_contacts', [{ id: 88, referral: 40, client: 5, user: 3, start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', description: 'visit', due_stage: 1901, updated: '2024-01-02 10:00:00' }]);
});
afterEach(() => replica.close());

function problems(input: Partial<EditInput> & { fields: EditInput['fields'] }, options: { completion?: boolean; dialect?: '2019' | '2025' } = {}): string[] {
  const result = validateEdit({ method: 'PUT', path: 'clients', ...input }, replicaEditContext(replica), { dialect: options.dialect ?? '2019', completion: options.completion ?? false });
  return result.ok ? [] : result.issues.map((i) => `${i.field}: ${i.message}`);
}

describe('which writes exist', () => {
  it('classifies every documented write, with the verbs of each dialect', () => {
    const writes: Array<[string, string, string]> = [
      ['PUT', 'clients', 'createClient'], ['PUT', 'clients/external_id/CRM-7', 'createClient'], ['POST', 'clients/id/5', 'updateClient'],
      ['PUT', 'referrals', 'createReferral'], ['POST', 'referrals/id/40', 'updateReferral'],
      ['PUT', 'due_contacts/referral/-4', 'createDueContact'], ['POST', 'due_contacts/id/88', 'updateDueContact'],
      ['POST', 'done_contacts/id/88', 'updateDoneContact'], ['PUT', 'external_referral', 'createExternalReferral'],
      ['PUT', 'extension_database/wellcheck_notes_9', 'createExtensionRecord'], ['POST', 'extension_database/wellcheck_notes_9/id/17', 'updateExtensionRecord'],
      ['POST', 'clients/id/5/uploads', 'upload'], ['POST', 'referrals/id/-2/uploads', 'upload'],
    ];
    for (const [method, path, operation] of writes) expect(classifyEdit(method, path, '2019').operation, `${method} ${path}`).toBe(operation);
    // 2025 swaps create and update for clients, referrals and contacts only.
    expect(classifyEdit('POST', 'clients', '2025').operation).toBe('createClient');
    expect(classifyEdit('PUT', 'done_contacts/id/88', '2025').operation).toBe('updateDoneContact');
    expect(classifyEdit('PUT', 'external_referral', '2025').operation).toBe('createExternalReferral');
    expect(classifyEdit('PUT', 'due_contacts/referral/-4', '2019').referralId).toBe(-4);
  });

  it('refuses the wrong verb for the dialect, reads, and groups the API cannot write', () => {
    expect(problems({ method: 'POST', path: 'clients', fields: { first_name: 'A', surname: 'B' } })).toEqual(['method: creating a client is PUT clients in the 2019 dialect, not POST']);
    expect(problems({ method: 'PUT', path: 'clients/id/5', fields: { surname: 'B' } }, { dialect: '2025' })).toEqual([]);
    expect(problems({ method: 'GET', path: 'clients', fields: {} })).toEqual(['method: edits are PUT or POST, got "GET"']);
    expect(problems({ method: 'POST', path: 'workers/id/3', fields: { surname: 'B' } })[0]).toMatch(/^path: "workers" cannot be written/);
    expect(problems({ method: 'POST', path: 'clients/religion/3', fields: { surname: 'B' } })[0]).toMatch(/^path: .* is not a documented write/);
    expect(problems({ method: 'POST', path: 'clients/id/5;6', fields: { surname: 'B' } })[0]).toMatch(/^path:/);
  });
});

describe('fields', () => {
  it('names a missing mandatory field for each kind of create and for a completion', () => {
    expect(problems({ fields: { first_name: 'Ann' } })).toEqual(['surname: is mandatory when creating a client']);
    expect(problems({ path: 'referrals', fields: { client: '5', description: 'x' } }).map((p) => p.split(':')[0])).toEqual(['client_type', 'date', 'project', 'template', 'stage']);
    expect(problems({ path: 'due_contacts/referral/40', fields: { user: '3', start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00' } })).toEqual(['description: is mandatory when creating a due contact']);
    expect(problems({ method: 'POST', path: 'done_contacts/id/88', fields: { start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', user: '3', description: 'd' } }, { completion: true }))
      .toEqual(['stage: is mandatory when completing a due contact']);
    expect(problems({ path: 'external_referral', fields: { surname: 'X', description: 'y' } })).toEqual(['org_type_id: is mandatory when sending an external referral']);
    expect(problems({ method: 'POST', path: 'clients/id/5/uploads', fields: { user_visibility: '3' } })).toEqual(['group_visibility: is mandatory when uploading files']);
    // Visibility is sent but may be empty: no restriction beyond the record's own ("everyone").
    expect(problems({ method: 'POST', path: 'clients/id/5/uploads', fields: { user_visibility: '', group_visibility: '' } })).toEqual([]);
  });

  it('checks forms: real calendar dates, timestamps, Y/N, numbers, ids, visibility lists', () => {
    expect(problems({ fields: { first_name: 'A', surname: 'B', dob: '2023-02-29' } })).toEqual(['dob: expected a date YYYY-MM-DD, got "2023-02-29"']);
    expect(problems({ fields: { first_name: 'A', surname: 'B', dob: '2024-02-29', active: 'yes', people_in_household: 'two' } })).toEqual([
      'active: expected Y or N, got "yes"', 'people_in_household: expected a whole number ≥ 0, got "two"',
    ]);
    expect(problems({ path: 'due_contacts/referral/40', fields: { user: 'me', start_date: '2024-02-01', end_date: '2024-02-01 25:00:00', description: 'd' } })).toEqual([
      'user: expected a positive whole-number id, got "me"', 'start_date: expected a timestamp "YYYY-MM-DD HH:MM:SS", got "2024-02-01"',
      'end_date: expected a timestamp "YYYY-MM-DD HH:MM:SS", got "2024-02-01 25:00:00"',
    ]);
    expect(problems({ method: 'POST', path: 'due_contacts/id/88', fields: { start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 09:00:00' } }))
      .toEqual(['end_date: (2024-02-01 09:00:00) is before start_date (2024-02-01 10:00:00)']);
    expect(problems({ method: 'POST', path: 'clients/id/5/uploads', fields: { user_visibility: '3;4', group_visibility: '1' } })).toEqual(['user_visibility: expected comma-separated ids such as 3,7, got "3;4"']);
  });

  it('refuses fields the write does not take, and an update with nothing in it', () => {
    expect(problems({ fields: { first_name: 'A', surname: 'B', surnme: 'typo', id: '9' } })).toEqual([
      'surnme: is not a field that can be set when creating a client', 'id: is not a field that can be set when creating a client',
    ]);
    expect(problems({ method: 'POST', path: 'due_contacts/id/88', fields: { referral: '41' } })).toEqual(['referral: is not a field that can be set when updating a due contact']);
    expect(problems({ method: 'POST', path: 'clients/id/5', fields: {} })).toEqual(['fields: updating a client needs at least one field=value']);
    expect(problems({ path: 'extension_database/wellcheck_notes_9', fields: { referral: '40', date_31: '2024-13-01', notes_33: 'ok' } })).toEqual(['date_31: expected a date YYYY-MM-DD, got "2024-13-01"']);
  });

  it('checks dictionary ids against the replica, and leaves dictionaries it never synced to the server', () => {
    expect(problems({ fields: { first_name: 'A', surname: 'B', gender: '999' } })).toEqual(['gender: 999 is not in the dictionary organisations/gender']);
    expect(problems({ fields: { first_name: 'A', surname: 'B', gender: '202', ethnicity: '999' } })).toEqual([]);
  });

  it('a stage must belong to the referral\'s template — on create, on a template change, and on a completion', () => {
    const referral = { client: '5', client_type: '1', date: '2024-03-01', project: '101', template: '1801', description: 'd' };
    expect(problems({ path: 'referrals', fields: { ...referral, stage: '1911' } })).toEqual(['stage: 1911 belongs to template 1802, not to this referral\'s template 1801']);
    expect(problems({ path: 'referrals', fields: { ...referral, stage: '1902' } })).toEqual([]);
    expect(problems({ method: 'POST', path: 'referrals/id/40', fields: { stage: '1911' } })).toEqual(['stage: 1911 belongs to template 1802, not to this referral\'s template 1801']);
    expect(problems({ method: 'POST', path: 'referrals/id/40', fields: { template: '1802' } })).toEqual(['stage: must be given too when the template changes (a stage belongs to one template)']);
    expect(problems({ method: 'POST', path: 'done_contacts/id/88', fields: { start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', user: '3', description: 'd', stage: '1911' } }, { completion: true }))
      .toEqual(['stage: 1911 belongs to template 1802, not to this referral\'s template 1801']);
  });

  it('a relationship needs both directions, from a dictionary', () => {
    expect(problems({ method: 'POST', path: 'clients/id/5', fields: { id_second: '6', relationship_first_to_second: '1' } })).toEqual([
      'relationship_second_to_first: is needed to set a relationship (id_second, relationship_first_to_second, relationship_second_to_first)',
    ]);
    expect(problems({ method: 'POST', path: 'clients/id/5', fields: { id_second: '6', relationship_first_to_second: '1', relationship_second_to_first: '7' } }))
      .toEqual(['relationship_second_to_first: 7 is not in the dictionary relationships']);
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
    expect(problems({ path: `due_contacts/referral/${client.temp_id}`, fields: { user: '3', start_date: '2024-02-01 10:00:00', end_date: '2024-02-01 11:00:00', description: 'd' } }))
      .toEqual([`path: ${client.temp_id} is not a referral created offline on this device (or it was discarded)`]);
    expect(problems({ method: 'POST', path: `clients/id/${client.temp_id}`, fields: { telephone: '0' } })).toEqual([]);
  });
});
