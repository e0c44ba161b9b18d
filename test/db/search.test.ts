// Caseload search over the FTS5 index: token prefixes across name, postcode, NHS number, external
// id and referral descriptions; kept current by the same writes (insert, update, delete); and
// whatever the user types — quotes, stars, FTS operators — is plain text, never an error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Replica } from '../../main/db/open.js';
import { deleteRecords, upsertRecords } from '../../main/db/records.js';
import { descriptionMatchExpression, matchExpression, searchClients } from '../../main/db/search.js';
import { clientRecord, freshReplica } from '../support/db-fixtures.js';

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
  upsertRecords(replica, 'clients', [
    clientRecord(1, { first_name: 'Ada', surname: 'Lovelace', postcode: 'LS6 2AB', nhs_number: '943 476 5919', external_id: 'CRM-0042' }),
    clientRecord(2, { first_name: 'Adam', surname: 'Smith', postcode: 'M1 1AA' }),
    clientRecord(3, { first_name: 'Zoë', surname: 'Zebedee-Quantock', postcode: 'BD1 4QQ' }),
  ]);
  upsertRecords(replica, 'referrals', [{ id: 10, client: 2, description: 'Befriending after bereavement', updated: '2024-01-01 00:00:00' }]);
});
afterEach(() => replica.close());

const found = (text: string) => searchClients(replica, text).map((c) => c.id);
const foundAnyOrder = (text: string) => found(text).sort((a, b) => a - b);

describe('finding clients', () => {
  it('matches name tokens by prefix, every token required', () => {
    expect(foundAnyOrder('ada')).toEqual([1, 2]);
    expect(found('ada love')).toEqual([1]);
    expect(found('lovelace smith')).toEqual([]);
    expect(searchClients(replica, 'lovel')).toEqual([{ id: 1, first_name: 'Ada', surname: 'Lovelace' }]);
  });

  it('matches postcode and NHS number with or without spaces, external id, and accents folded', () => {
    expect(found('LS6 2AB')).toEqual([1]);
    expect(found('ls62ab')).toEqual([1]);
    expect(found('9434765919')).toEqual([1]);
    expect(found('943 476')).toEqual([1]);
    expect(found('CRM-0042')).toEqual([1]);
    expect(found('zoe quantock')).toEqual([3]);
  });

  it('finds a client through the description of their referral, after clients matched by their own fields', () => {
    expect(found('bereavement')).toEqual([2]);
    expect(found('bereave')).toEqual([]); // descriptions match whole words
    upsertRecords(replica, 'referrals', [{ id: 11, client: 1, description: 'Smith family support', updated: '2024-01-01 00:00:00' }]);
    expect(found('smith')).toEqual([2, 1]);
  });

  it('limits the number of results', () => {
    expect(searchClients(replica, 'ad', 1)).toHaveLength(1);
  });
});

describe('staying current', () => {
  it('follows inserts, updates and deletes of clients and referrals', () => {
    upsertRecords(replica, 'clients', [clientRecord(4, { surname: 'Nakamura' })]);
    expect(found('nakam')).toEqual([4]);
    upsertRecords(replica, 'clients', [clientRecord(4, { surname: 'Okafor' })]);
    expect(found('nakam')).toEqual([]);
    expect(found('okafor')).toEqual([4]);
    deleteRecords(replica, 'clients', [4]);
    expect(found('okafor')).toEqual([]);

    upsertRecords(replica, 'referrals', [{ id: 10, client: 2, description: 'Debt advice', updated: '2024-02-01 00:00:00' }]);
    expect(found('bereavement')).toEqual([]);
    expect(found('debt')).toEqual([2]);
    deleteRecords(replica, 'referrals', [10]);
    expect(found('debt')).toEqual([]);
  });

  it('leaves the index alone when an update does not touch searchable fields', () => {
    const before = replica.sqlite.prepare('SELECT count(*) AS n FROM client_search_data').get();
    upsertRecords(replica, 'clients', [clientRecord(1, { first_name: 'Ada', surname: 'Lovelace', postcode: 'LS6 2AB', nhs_number: '943 476 5919', external_id: 'CRM-0042', mobile: '07700 900123' })]);
    expect(replica.sqlite.prepare('SELECT count(*) AS n FROM client_search_data').get()).toEqual(before);
    expect(found('lovelace')).toEqual([1]);
  });
});

describe('hostile input', () => {
  it.each(['"', '*', 'NEAR(', 'ada"', '"ada" OR "smith"', 'ada*', '(', ')', 'AND', 'NOT ada', '-', '^ada', 'name:ada', "'; DROP TABLE clients; --", '\u0000', '   ', ''])(
    'treats %j as plain text without throwing',
    (text) => {
      expect(() => searchClients(replica, text)).not.toThrow();
    },
  );

  it('searches the words inside hostile input as plain tokens', () => {
    expect(found('"ada" OR "smith"')).toEqual([]); // "or" is a token like any other: nobody's name starts with it
    expect(found('NEAR(ada')).toEqual([]);
    expect(found('name:ada')).toEqual([]);
    expect(foundAnyOrder('^ada*')).toEqual([1, 2]);
    expect(matchExpression('ada" OR x*')).toBe('"ada"* "OR"* "x"');
    expect(matchExpression('x')).toBe('"x"*');
    expect(descriptionMatchExpression('debt* NEAR(')).toBe('"debt" "NEAR"');
    expect(matchExpression('"*(')).toBe('');
  });
});
