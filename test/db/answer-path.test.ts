// The offline query engine: GET paths of the API grammar answered from the replica in the server's
// JSON shape — filters, joins to clients and referrals, field selection (raw-only fields too),
// resolveIds, reports with null rows and time dimensions, dictionaries, and clear refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FIELDS, WORKER_FIELDS } from '../../shared/dizions/model.js';
import { QueryError, answerPath } from '../../main/db/answer-path.js';
import type { Replica } from '../../main/db/open.js';
import { setSelectableFields, upsertDictionary, upsertExtensionRecords, upsertRecords, type ApiRecord } from '../../main/db/records.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';

let replica: Replica;
const ada = clientRecord(1, {
  first_name: 'Ada',
  surname: 'Lovelace',
  gender: 2,
  district: 3,
  usual_support_worker: 7,
  registered_disabled: 'Y',
  website_photo_consent: 109,
  relationship_details: [{ id_second: 2, relationship_first_to_second: 1, relationship_second_to_first: 2, relationship_first_to_second_carer: null, relationship_second_to_first_carer: null }],
});
const bob = clientRecord(2, { first_name: 'Bob', surname: 'Baker', gender: 1, district: 3, registered_disabled: 'N' });
const cy = clientRecord(3, { first_name: 'Cy', surname: 'Cole', gender: 1, district: null, website_photo_consent: 110 });

const referral = (id: number, fields: ApiRecord): ApiRecord => ({ id, client_type: 1, template: 1, stage: 1, description: 'Support', referrer: null, updated: '2021-01-01 00:00:00', ...fields });
const contact = (id: number, fields: ApiRecord): ApiRecord => ({ id, user: 7, project: 5, description: 'Visit', contact_type: 1, updated: '2021-01-01 00:00:00', ...fields });

beforeAll(() => {
  replica = freshReplica();
  upsertRecords(replica, 'clients', [ada, bob, cy]);
  upsertRecords(replica, 'referrals', [
    referral(10, { client: 1, project: 5, stage: 1, date: '2021-01-02', updated: '2021-01-05 10:00:00' }),
    referral(11, { client: 2, project: 7, stage: 2, date: '2021-02-10', updated: '2021-03-01 09:00:00' }),
    referral(12, { client: 3, project: 5, stage: 3, date: '2020-12-30', updated: '2020-12-31 23:59:59', referrer: 4, grant_code_77: 'LOT-3' }),
  ]);
  upsertRecords(replica, 'done_contacts', [
    contact(100, { referral: 10, client: 1, start_date: '2021-01-03 10:00:00', end_date: '2021-01-03 11:00:00' }),
    contact(101, { referral: 10, client: 1, start_date: '2021-01-04 09:00:00', end_date: '2021-01-04 09:30:00' }),
    contact(102, { referral: 11, client: 2, user: 8, project: 7, start_date: '2021-02-11 23:59:59', end_date: '2021-02-12 00:30:00' }),
    contact(103, { referral: 12, client: 3, start_date: '2021-03-01 00:00:00', end_date: '2021-03-01 01:00:00', contact_type: null }),
  ]);
  upsertRecords(replica, 'due_contacts', [contact(200, { referral: 11, client: 2, start_date: '2021-04-01 10:00:00', end_date: '2021-04-01 11:00:00' })]);
  upsertRecords(replica, 'schedules', [
    { id: 1, client: 1, referral: 10, worker: 7, start_date: '2021-01-03 08:00:00', end_date: null, frequency: 'weekly', updated: '2021-01-01 00:00:00' },
    { id: 2, client: 2, referral: 11, worker: 7, start_date: '2021-01-10 08:00:00', end_date: null, frequency: 'weekly', updated: '2021-01-01 00:00:00' },
  ]);
  upsertDictionary(replica, 'referrals/project', [
    { id: 5, name: 'Advice', active: 'Y' },
    { id: 7, name: 'Befriending', active: 'N' },
  ]);
  upsertDictionary(replica, 'organisations/gender', [
    { id: 1, name: 'Male' },
    { id: 2, name: 'Female' },
  ]);
  upsertDictionary(replica, 'referrals/referrer', [{ id: 4, name: 'GP' }]);
  upsertDictionary(replica, 'relationships', [
    { id: 1, name: 'Parent' },
    { id: 2, name: 'Child' },
  ]);
  setSelectableFields(replica, 'clients', [...CLIENT_FIELDS, 'website_photo_consent']);
  setSelectableFields(replica, 'workers', [...WORKER_FIELDS, 'photo_url']);
  upsertRecords(replica, 'workers', [{ id: 7, first_name: 'Wyn', surname: 'Evans', user: 7, active: 'Y', photo_url: 'https://example.org/w7.jpg', updated: '2021-01-01 00:00:00' }]);
  setSelectableFields(replica, 'extension_database/wellcheck_notes_9', ['id', 'referral', 'client', 'date_31', 'wellbeing_score_32', 'notes_33', 'updated']);
  upsertExtensionRecords(replica, 'wellcheck_notes_9', [
    { id: 1, referral: 10, client: 1, date_31: '2021-01-03', wellbeing_score_32: 7, notes_33: 'Settled', updated: '2021-01-03 12:00:00' },
    { id: 2, referral: 11, client: 2, date_31: '2021-02-11', wellbeing_score_32: 4, notes_33: 'Low', updated: '2021-02-11 12:00:00' },
  ]);
});
afterAll(() => replica.close());

const ids = (path: string) => (answerPath(replica, path) as ApiRecord[]).map((r) => r.id);

function refusal(path: string): QueryError {
  try {
    answerPath(replica, path);
  } catch (error) {
    expect(error).toBeInstanceOf(QueryError);
    return error as QueryError;
  }
  throw new Error(`${path} was answered, expected a QueryError`);
}

describe('records', () => {
  it('returns the record exactly as the server sent it, unmodelled fields included', () => {
    expect(answerPath(replica, 'clients/id/1')).toEqual([ada]);
    expect(answerPath(replica, '/v2/clients/id/999')).toEqual([]);
  });

  it('ORs the alternatives of one filter and ANDs different filters', () => {
    expect(ids('clients/district/3')).toEqual([1, 2]);
    expect(ids('clients/gender/1;2/district/3')).toEqual([1, 2]);
    expect(ids('clients/gender/1/district/3')).toEqual([2]);
    expect(ids('clients/registered_disabled/Y')).toEqual([1]);
    expect(ids('referrals/project/5;7/stage/2;3')).toEqual([11, 12]);
  });

  it("compares text case-insensitively, flags in either case, and a date against a timestamp's day", () => {
    expect(ids('clients/postcode/ab1%202cd')).toEqual([1, 2, 3]);
    expect(ids('clients/registered_disabled/y')).toEqual([1]);
    expect(ids('done_contacts/end_date/2021-01-03')).toEqual([100]);
    expect(ids('done_contacts/end_date/2021-01-03%2011:00:00;2021-02-12')).toEqual([100, 102]);
  });

  it('filters by a single-record extension field held only in the raw JSON', () => {
    expect(ids('clients/website_photo_consent/109')).toEqual([1]);
    expect(ids('clients/website_photo_consent/109;110')).toEqual([1, 3]);
  });

  it('answers client_* filters of referrals and contacts through the client', () => {
    expect(ids('referrals/client_gender/1')).toEqual([11, 12]);
    expect(ids('done_contacts/client_district/3')).toEqual([100, 101, 102]);
    expect(ids('done_contacts/client_registered_disabled/Y/user/7')).toEqual([100, 101]);
  });

  it('answers referral and project filters of contacts through the referral and the project dictionary', () => {
    expect(ids('done_contacts/referrer/4')).toEqual([103]);
    expect(ids('done_contacts/template/1/user/8')).toEqual([102]);
    expect(ids('done_contacts/project_name/Befriending')).toEqual([102]);
    expect(ids('referrals/project_active/Y')).toEqual([10, 12]);
  });

  it('keeps due and done contacts apart although they share one id space', () => {
    expect(ids('due_contacts')).toEqual([200]);
    expect(ids('due_contacts/id/100')).toEqual([]);
    expect(ids('done_contacts/id/100;200')).toEqual([100]);
  });

  it('counts a contact in a date_active range from the first day 00:00:00 to the last day 23:59:59', () => {
    expect(ids('done_contacts/date_active/2021-01-03,2021-01-04')).toEqual([100, 101]);
    expect(ids('done_contacts/date_active/2021-02-11,2021-02-11')).toEqual([102]);
    expect(ids('done_contacts/date_active/2021-01-05,2021-02-10')).toEqual([]);
  });

  it('counts a schedule in a date_active range when it overlaps it (no end date: still running)', () => {
    expect(ids('schedules/date_active/2021-01-01,2021-01-05')).toEqual([1]);
    expect(ids('schedules/date_active/2021-02-01,2021-02-05')).toEqual([1, 2]);
    expect(ids('schedules/date_active/2020-12-01,2020-12-31')).toEqual([]);
  });

  it('counts a referral in a date_active range when it has a due or done contact in it', () => {
    expect(ids('referrals/date_active/2021-01-01,2021-01-31')).toEqual([10]);
    expect(ids('referrals/date_active/2021-04-01,2021-04-30')).toEqual([11]);
    expect(ids('referrals/date_active/2021-01-01,2021-12-31/project/5')).toEqual([10, 12]);
  });

  it('filters referrals by their date and by updated, with dates or full timestamps', () => {
    expect(ids('referrals/date/2021-01-01,2021-02-28')).toEqual([10, 11]);
    expect(ids('referrals/updated/2020-12-31,2020-12-31')).toEqual([12]);
    expect(ids('referrals/updated/2021-01-05%2010:00:00,2021-03-01%2009:00:00')).toEqual([10, 11]);
    expect(ids('referrals/updated/2021-01-05%2010:00:01,2021-03-01%2008:59:59')).toEqual([]);
  });

  it('returns only the fields asked for, in order, including one held only in the raw JSON', () => {
    expect(answerPath(replica, 'clients/field/id;surname;website_photo_consent')).toEqual([
      { id: 1, surname: 'Lovelace', website_photo_consent: 109 },
      { id: 2, surname: 'Baker', website_photo_consent: null },
      { id: 3, surname: 'Cole', website_photo_consent: 110 },
    ]);
    expect(answerPath(replica, 'done_contacts/user/8/field/id;start_date')).toEqual([{ id: 102, start_date: '2021-02-11 23:59:59' }]);
    expect(answerPath(replica, 'workers/user/7/field/id;photo_url')).toEqual([{ id: 7, photo_url: 'https://example.org/w7.jpg' }]);
  });

  it('replaces dictionary ids by names with resolveIds[]', () => {
    expect(answerPath(replica, 'referrals/id/10/field/id;project;stage?resolveIds[]=project')).toEqual([{ id: 10, project: 'Advice', stage: 1 }]);
    const [resolved] = answerPath(replica, 'clients/id/1?resolveIds[]=ALL') as ApiRecord[];
    expect(resolved).toMatchObject({ id: 1, gender: 'Female', surname: 'Lovelace' });
  });

  it('filters by a field only the raw JSON holds even before selectable fields were synced', () => {
    expect(ids('referrals/grant_code_77/lot-3')).toEqual([12]);
  });

  it("resolves the relationship ids inside a client's relationship_details", () => {
    expect(answerPath(replica, 'clients/id/1/field/id;relationship_details?resolveIds[]=relationship_details')).toEqual([
      {
        id: 1,
        relationship_details: [
          { id_second: 2, relationship_first_to_second: 'Parent', relationship_second_to_first: 'Child', relationship_first_to_second_carer: null, relationship_second_to_first_carer: null },
        ],
      },
    ]);
  });

  it('answers multiple-record extension databases, filtered and field-selected', () => {
    expect(answerPath(replica, 'extension_database/wellcheck_notes_9/referral/10/field/id;wellbeing_score_32')).toEqual([{ id: 1, wellbeing_score_32: 7 }]);
    expect(ids('extension_database/wellcheck_notes_9/wellbeing_score_32/4')).toEqual([2]);
  });
});

describe('reports', () => {
  it('counts by a dimension, with a null row for records without a value, adding up to the records matched', () => {
    expect(answerPath(replica, 'clients/dimension/district')).toEqual([
      { district: null, count: 1 },
      { district: 3, count: 2 },
    ]);
    const rows = answerPath(replica, 'done_contacts/dimension/contact_type') as Array<{ count: number }>;
    expect(rows).toEqual([
      { contact_type: null, count: 1 },
      { contact_type: 1, count: 3 },
    ]);
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe((answerPath(replica, 'done_contacts') as unknown[]).length);
  });

  it('breaks a dimension down by a metric and applies filters', () => {
    expect(answerPath(replica, 'clients/dimension/district/metric/gender')).toEqual([
      { district: null, gender: 1, count: 1 },
      { district: 3, gender: 1, count: 1 },
      { district: 3, gender: 2, count: 1 },
    ]);
    expect(answerPath(replica, 'referrals/dimension/project/metric/stage/client_gender/1')).toEqual([
      { project: 5, stage: 3, count: 1 },
      { project: 7, stage: 2, count: 1 },
    ]);
    expect(answerPath(replica, 'clients/dimension/website_photo_consent')).toEqual([
      { website_photo_consent: null, count: 1 },
      { website_photo_consent: 109, count: 1 },
      { website_photo_consent: 110, count: 1 },
    ]);
  });

  it('buckets contacts by day, ISO week, month and year of start_date', () => {
    expect(answerPath(replica, 'done_contacts/dimension/day/date_active/2021-01-01,2021-01-31/user/7')).toEqual([
      { day: '2021-01-03', count: 1 },
      { day: '2021-01-04', count: 1 },
    ]);
    // 3 January 2021 is a Sunday: ISO week 53 of 2020. The Monday after starts 2021-W01.
    expect(answerPath(replica, 'done_contacts/dimension/week')).toEqual([
      { week: '2020-W53', count: 1 },
      { week: '2021-W01', count: 1 },
      { week: '2021-W06', count: 1 },
      { week: '2021-W09', count: 1 },
    ]);
    expect(answerPath(replica, 'done_contacts/dimension/month/metric/user')).toEqual([
      { month: '2021-01', user: 7, count: 2 },
      { month: '2021-02', user: 8, count: 1 },
      { month: '2021-03', user: 7, count: 1 },
    ]);
    expect(answerPath(replica, 'done_contacts/dimension/year')).toEqual([{ year: '2021', count: 4 }]);
  });

  it('buckets referrals by their date and schedules by start_date', () => {
    expect(answerPath(replica, 'referrals/dimension/year')).toEqual([
      { year: '2020', count: 1 },
      { year: '2021', count: 2 },
    ]);
    expect(answerPath(replica, 'schedules/dimension/week')).toEqual([
      { week: '2020-W53', count: 1 },
      { week: '2021-W01', count: 1 },
    ]);
  });

  it('buckets an extension database by its date field', () => {
    expect(answerPath(replica, 'extension_database/wellcheck_notes_9/dimension/month')).toEqual([
      { month: '2021-01', count: 1 },
      { month: '2021-02', count: 1 },
    ]);
  });

  it('resolves dimension ids to names when asked', () => {
    expect(answerPath(replica, 'referrals/dimension/project?resolveIds[]=project')).toEqual([
      { project: 'Advice', count: 2 },
      { project: 'Befriending', count: 1 },
    ]);
  });
});

describe('selectable fields and dictionaries', () => {
  it('returns the stored selectable_fields reply, or the modelled fields when none was synced', () => {
    expect(answerPath(replica, 'clients/selectable_fields')).toEqual([...CLIENT_FIELDS, 'website_photo_consent']);
    expect(answerPath(replica, 'workers/selectable_fields')).toContain('job_title');
  });

  it('answers a dictionary, a case-insensitive substring search, everything, and the relationship list', () => {
    expect(answerPath(replica, 'dictionary/referrals/project')).toEqual([
      { id: 5, name: 'Advice', active: 'Y' },
      { id: 7, name: 'Befriending', active: 'N' },
    ]);
    expect(answerPath(replica, 'dictionary/search/referrals/project/FRIEND')).toEqual([{ id: 7, name: 'Befriending', active: 'N' }]);
    expect(Object.keys(answerPath(replica, 'dictionary') as object).sort()).toEqual(['organisations/gender', 'referrals/project', 'referrals/referrer']);
    expect(answerPath(replica, 'dictionary/relationships')).toEqual([
      { id: 1, name: 'Parent' },
      { id: 2, name: 'Child' },
    ]);
    expect(answerPath(replica, 'dictionary/contacts/contact_type')).toEqual([]);
  });
});

describe('refusals', () => {
  it('refuses an unknown group, dictionary or extension database as the server would (404)', () => {
    expect(refusal('nonsense').status).toBe(404);
    expect(refusal('dictionary/foo/bar').status).toBe(404);
    expect(refusal('extension_database/nothing_here_1').status).toBe(404);
  });

  it('refuses unknown or unfilterable keys, fields and dimensions with a message naming them (400)', () => {
    expect(refusal('clients/favourite_colour/red').message).toMatch(/unknown filter "favourite_colour" for clients/);
    expect(refusal('clients/surname/Baker').message).toMatch(/surname is a field of clients but not one of its filters/);
    expect(refusal('clients/field/id;nope').message).toMatch(/unknown field "nope"/);
    expect(refusal('done_contacts/field/id;client_gender').message).toMatch(/unknown field "client_gender" for done_contacts/);
    expect(refusal('done_contacts/dimension/nope').message).toMatch(/unknown dimension "nope"/);
    expect(refusal('done_contacts/dimension/client_gender').message).toMatch(/unknown dimension "client_gender"/);
    expect(refusal('clients/dimension/id').message).toMatch(/unknown dimension "id"/);
    expect(refusal('clients/gender/female').message).toMatch(/value of gender must be a whole number/);
    expect(refusal('clients/registered_disabled/maybe').message).toMatch(/must be Y or N/);
    expect(refusal('done_contacts/end_date/soon').message).toMatch(/YYYY-MM-DD/);
    expect(refusal('referrals/date/2021-02-01,2021-01-01').message).toMatch(/ends .* before it starts/);
    expect(refusal('clients/dimension/district/field/id').message).toMatch(/field\/ cannot be combined/);
    expect(refusal('clients/dimension/week').message).toMatch(/no date/);
    expect(refusal('workers/date_active/2021-01-01,2021-01-02').message).toMatch(/cannot be filtered by the range "date_active"/);
    expect(refusal('referrals/date/yesterday,today').message).toMatch(/YYYY-MM-DD/);
    expect(refusal('referrals?resolveIds[]=description').message).toMatch(/not a dictionary field/);
  });

  it('turns grammar mistakes and unreadable paths into QueryErrors', () => {
    expect(refusal('clients/district').message).toMatch(/key\/value pairs/);
    expect(refusal('external_referral').status).toBe(405);
    expect(refusal('clients/id/1/uploads').status).toBe(405);
  });
});
