import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GrammarError, parsePath, printPath, type DizionsPath, type FilterPair, type RecordsPath } from '../../shared/url-grammar.js';

describe('the Dizions URL grammar', () => {
  it("reads the seed's filter example: religion 1, 3 or 10 and ethnicity 1", () => {
    expect(parsePath('https://api.dizions.co.uk/v2/clients/religion/1;3;10/ethnicity/1')).toEqual({
      kind: 'records',
      group: 'clients',
      pairs: [
        { key: 'religion', values: ['1', '3', '10'] },
        { key: 'ethnicity', values: ['1'] },
      ],
    });
  });

  it('reads date ranges, field selection, reports and resolveIds', () => {
    expect(parsePath('done_contacts/dimension/day/date_active/2018-10-01,2018-10-31/user/7')).toEqual({
      kind: 'records',
      group: 'done_contacts',
      report: { dimension: 'day' },
      pairs: [
        { key: 'date_active', range: ['2018-10-01', '2018-10-31'] },
        { key: 'user', values: ['7'] },
      ],
    });
    expect(parsePath('clients/dimension/district/metric/gender/main_disability/7;9/blue_badge_holder/Y')).toMatchObject({
      report: { dimension: 'district', metric: 'gender' },
      pairs: [
        { key: 'main_disability', values: ['7', '9'] },
        { key: 'blue_badge_holder', values: ['Y'] },
      ],
    });
    expect(parsePath('/clients/field/id;surname;website_photo_consent')).toEqual({
      kind: 'records',
      group: 'clients',
      pairs: [],
      fields: ['id', 'surname', 'website_photo_consent'],
    });
    expect(parsePath('clients/id/4?resolveIds[]=ethnicity&resolveIds[]=religion')).toMatchObject({
      pairs: [{ key: 'id', values: ['4'] }],
      resolveIds: ['ethnicity', 'religion'],
    });
  });

  it('reads every non-record form of the seed', () => {
    expect(parsePath('clients/selectable_fields')).toEqual({ kind: 'selectable_fields', group: 'clients' });
    expect(parsePath('dictionary')).toEqual({ kind: 'dictionary_all' });
    expect(parsePath('dictionary/organisations/district')).toEqual({ kind: 'dictionary', apiGroup: 'organisations', table: 'district' });
    expect(parsePath('dictionary/relationships')).toEqual({ kind: 'relationships', carer: false });
    expect(parsePath('dictionary/carer_relationships')).toEqual({ kind: 'relationships', carer: true });
    expect(parsePath('dictionary/search/referrals/referrer/St%20Ann')).toEqual({ kind: 'dictionary_search', apiGroup: 'referrals', table: 'referrer', term: 'St Ann' });
    expect(parsePath('external_referral')).toEqual({ kind: 'external_referral' });
    expect(parsePath('clients/id/12/uploads')).toEqual({ kind: 'records', group: 'clients', pairs: [{ key: 'id', values: ['12'] }], uploads: true });
    expect(parsePath('extension_database/wellcheck_notes_9/referral/2289')).toEqual({
      kind: 'records',
      group: 'extension_database',
      extensionDatabase: 'wellcheck_notes_9',
      pairs: [{ key: 'referral', values: ['2289'] }],
    });
    expect(parsePath('due_contacts/referral/-4')).toMatchObject({ pairs: [{ key: 'referral', values: ['-4'] }] });
  });

  it("reads the current manual's forms: bare record ids, relationship_details/A/B, discovery, one-word dictionaries, extension names without _<id>", () => {
    const roundTrip = (text: string) => expect(printPath(parsePath(text))).toBe(text);
    expect(parsePath('clients/37')).toEqual({ kind: 'records', group: 'clients', pairs: [{ key: 'id', values: ['37'] }], bareId: true });
    expect(parsePath('clients/37/field/id;surname')).toMatchObject({ bareId: true, fields: ['id', 'surname'] });
    expect(parsePath('relationship_details/-1/59')).toEqual({ kind: 'relationship_details', first: '-1', second: '59' });
    expect(parsePath('relationship_details/59/-1')).toEqual({ kind: 'relationship_details', first: '59', second: '-1' });
    expect(parsePath('extension_database/wellcheck_notes')).toEqual({ kind: 'records', group: 'extension_database', extensionDatabase: 'wellcheck_notes', pairs: [] });
    expect(parsePath('referrals/filterable_fields')).toEqual({ kind: 'filterable_fields', group: 'referrals' });
    expect(parsePath('dictionary/branch')).toEqual({ kind: 'dictionary_named', name: 'branch' });
    for (const text of ['clients/37', 'done_contacts/-4', 'relationship_details/37/59', 'extension_database/wellcheck_notes/id/17', 'clients/metrics', 'dictionary/client_type']) roundTrip(text);
    expect(() => parsePath('relationship_details/37')).toThrow(/relationship_details\/<client id>\/<client id>/);
    expect(() => parsePath('relationship_details/a/59')).toThrow(GrammarError);
    expect(() => parsePath('clients/37/uploads')).toThrow(/uploads take exactly one record: <group>\/id\/<id>\/uploads/);
  });

  it("takes one record's report typed in either single-record form, and prints it so it reads back the same", () => {
    const bare = parsePath('clients/37/dimension/gender');
    expect(printPath(bare)).toBe('clients/37/dimension/gender');
    expect(parsePath(printPath(bare))).toEqual(bare);
    const seed = parsePath('clients/id/37/dimension/gender/metric/ethnicity');
    expect(seed).toMatchObject({ pairs: [{ key: 'id', values: ['37'] }], report: { dimension: 'gender', metric: 'ethnicity' } });
    expect(printPath(seed)).toBe('clients/dimension/gender/metric/ethnicity/id/37');
    expect(parsePath(printPath(seed))).toEqual(seed);
  });

  it('percent-encodes hostile values so they stay inside their segment', () => {
    const path: RecordsPath = { kind: 'records', group: 'clients', pairs: [{ key: 'postcode', values: ['SW1A 1AA', 'a/b', 'x;y', 'Siân'] }] };
    const printed = printPath(path);
    expect(printed).toBe('clients/postcode/SW1A%201AA;a%2Fb;x%3By;Si%C3%A2n');
    expect(parsePath(printed)).toEqual(path);
  });

  it('refuses dot-dot, control characters and bad names with a clear message', () => {
    const hostile = (value: string): RecordsPath => ({ kind: 'records', group: 'clients', pairs: [{ key: 'surname', values: [value] }] });
    expect(() => printPath(hostile('../admin'))).toThrow(/contains "\.\."/);
    expect(() => printPath(hostile('a\nb'))).toThrow(/control character/);
    expect(() => printPath({ kind: 'records', group: 'clients', pairs: [{ key: 'Sur-name', values: ['x'] }] })).toThrow(/not a valid name/);
    expect(() => parsePath('clients/surname/%2E%2E')).toThrow(GrammarError);
    expect(() => parsePath('clients/surname')).toThrow(/key\/value pairs/);
  });

  it('refuses an 11th filter pair when printing and when parsing', () => {
    const pairs: FilterPair[] = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, values: ['1'] }));
    expect(() => printPath({ kind: 'records', group: 'clients', pairs })).toThrow(/at most 10 filter pairs/);
    expect(() => parsePath('clients/' + pairs.map((p) => `${p.key}/1`).join('/'))).toThrow(/at most 10 filter pairs/);
    // Ten are fine, and field/ does not count as a filter pair.
    expect(
      parsePath(
        'clients/' +
          pairs
            .slice(0, 10)
            .map((p) => `${p.key}/1`)
            .join('/') +
          '/field/id',
      ),
    ).toMatchObject({ fields: ['id'] });
  });
});

describe('print → parse round-trips (property)', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
  // Values the grammar prints; a value holding ".." is refused instead (its own property below).
  const value = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }).filter((s) => !s.includes('..') && !/[\u0000-\u001f\u007f]/.test(s));
  const plainPair = fc.record({ key: name.filter((k) => !['field', 'dimension', 'metric', 'date_active', 'date', 'updated'].includes(k)), values: fc.array(value, { minLength: 1, maxLength: 4 }) });
  const rangePair = fc.record({ key: fc.constantFrom('date_active', 'date', 'updated'), range: fc.tuple(value, value) });
  const pair: fc.Arbitrary<FilterPair> = fc.oneof(plainPair, rangePair);
  const records: fc.Arbitrary<DizionsPath> = fc.record(
    {
      kind: fc.constant('records' as const),
      group: fc.constantFrom('clients', 'referrals', 'due_contacts', 'done_contacts', 'workers', 'schedules'),
      pairs: fc.array(pair, { maxLength: 10 }),
      fields: fc.array(name, { minLength: 1, maxLength: 5 }),
      report: fc.record({ dimension: name, metric: name }, { requiredKeys: ['dimension'] }),
      resolveIds: fc.array(name, { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ['kind', 'group', 'pairs'] },
  );
  const other: fc.Arbitrary<DizionsPath> = fc.oneof(
    fc.record({ kind: fc.constant('dictionary' as const), apiGroup: name, table: name }),
    fc.record({ kind: fc.constant('dictionary_search' as const), apiGroup: name, table: name, term: value }),
    fc.record({ kind: fc.constant('selectable_fields' as const), group: fc.constantFrom('clients', 'workers') }),
    fc.record({ kind: fc.constant('relationships' as const), carer: fc.boolean() }),
  );

  it('parse(print(path)) equals path for generated paths', () => {
    fc.assert(
      fc.property(fc.oneof(records, other), (path) => {
        expect(parsePath(printPath(path))).toEqual(path);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses any value holding ".." rather than print it, wherever it stands in the value', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (before, after) => {
        const v = `${before}..${after}`;
        expect(() => printPath({ kind: 'records', group: 'clients', pairs: [{ key: 'surname', values: [v] }] })).toThrow(GrammarError);
        expect(() => printPath({ kind: 'records', group: 'clients', pairs: [{ key: 'date_active', range: ['2024-01-01', v] }] })).toThrow(GrammarError);
      }),
      { numRuns: 500 },
    );
  });

  it('printed paths never contain a raw slash, semicolon or non-ASCII inside a value', () => {
    fc.assert(
      fc.property(value, (v) => {
        const printed = printPath({ kind: 'records', group: 'clients', pairs: [{ key: 'surname', values: [v] }] });
        expect(printed.split('/')).toHaveLength(3);
        expect(printed.split('/')[2]!.split(';')).toHaveLength(1);
        expect(/^[\x21-\x7e]*$/.test(printed)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
