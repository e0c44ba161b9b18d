// @vitest-environment happy-dom
// The Reports view's pickers and a report path are one thing written two ways: what a manager picks
// prints as the API's report path, a typed path fills the pickers back, and a path that is no report
// is refused with a sentence that says what one looks like.
import { describe, expect, it } from 'vitest';
import { choiceToPath, dimensionsFor, filterKeysFor, pathToChoice, type ReportChoice } from '../../renderer/src/forms/report-builder.js';

const choice = (over: Partial<ReportChoice> = {}): ReportChoice => ({ group: 'done_contacts', dimension: 'month', metric: '', filters: [], ...over });

describe('the report builder', () => {
  it('prints a dimension × metric choice with filters as the API path', () => {
    const path = choiceToPath(
      choice({
        metric: 'contact_type',
        filters: [
          { key: 'project', value: '5; 7', from: '', to: '' },
          { key: 'date_active', value: '', from: '2024-11-01', to: '2024-11-30' },
        ],
      }),
    );
    // The API's own order, as the README's example: the report words first, then the filters.
    expect(path).toBe('done_contacts/dimension/month/metric/contact_type/project/5;7/date_active/2024-11-01,2024-11-30');
  });

  it('leaves out filter rows that are not filled in', () => {
    const path = choiceToPath(
      choice({
        filters: [
          { key: '', value: '3', from: '', to: '' },
          { key: 'project', value: ' ', from: '', to: '' },
          { key: 'date_active', value: '', from: '2024-11-01', to: '' },
        ],
      }),
    );
    expect(path).toBe('done_contacts/dimension/month');
  });

  it('fills the pickers back from a typed path, with or without the /v2/ prefix', () => {
    const picked = choice({ group: 'clients', dimension: 'district', metric: 'gender', filters: [{ key: 'client_type', value: '1;2', from: '', to: '' }] });
    expect(pathToChoice(choiceToPath(picked))).toEqual(picked);
    expect(pathToChoice('/v2/clients/dimension/district')).toEqual(choice({ group: 'clients', dimension: 'district' }));
  });

  it('refuses a path that is no report, or a group reports do not cover, in words', () => {
    expect(() => pathToChoice('clients/district/3')).toThrow(/needs \/dimension\/<field>/);
    expect(() => pathToChoice('workers/dimension/project')).toThrow(/Reports cover clients, referrals, due_contacts, done_contacts; not workers/);
  });

  it('offers time dimensions and range filters only where the group has dates', () => {
    expect(dimensionsFor('done_contacts')).toEqual(expect.arrayContaining(['month', 'project']));
    expect(filterKeysFor('done_contacts')).toContain('date_active');
    expect(filterKeysFor('clients')).not.toContain('date_active');
  });
});
