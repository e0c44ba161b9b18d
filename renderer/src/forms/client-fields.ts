// The client form's fields: which control each API field gets (text, UK date, dictionary picker,
// Y/N, whole number, worker), in the order people fill them in, and the conversion between the
// form's values and the API's.

import { FLAG_FIELDS, dictionaryFor } from '../../../shared/dizions/model.js';
import type { FormErrors } from '../composables/use-form-errors.js';
import { formatDate } from '../format/uk-time.js';
import { fieldLabel } from '../format/labels.js';
import { dateValue } from './uk-fields.js';

export type ClientFieldKind = 'text' | 'date' | 'dictionary' | 'flag' | 'whole' | 'worker' | 'email' | 'tel';

export interface ClientFieldSpec {
  field: string;
  label: string;
  kind: ClientFieldKind;
  table?: string;
  required?: boolean;
}

export interface ClientFieldSection {
  title: string;
  fields: ClientFieldSpec[];
}

/** The data model decides flags and dictionary fields (so a field it reclassifies changes here too); `kind` covers the rest. */
function spec(field: string, kind: ClientFieldKind, extra: Partial<ClientFieldSpec> = {}): ClientFieldSpec {
  const table = dictionaryFor('clients', field);
  const modelKind: ClientFieldKind = FLAG_FIELDS.has(field) ? 'flag' : table ? 'dictionary' : kind;
  return { field, label: fieldLabel(field), kind: modelKind, ...(modelKind === 'dictionary' && table ? { table } : {}), ...extra };
}

export const CLIENT_SECTIONS: ClientFieldSection[] = [
  { title: 'Name', fields: [spec('first_name', 'text', { label: 'First name', required: true }), spec('surname', 'text', { label: 'Surname', required: true }), spec('dob', 'date')] },
  {
    title: 'Contact details',
    fields: [
      spec('address1', 'text'),
      spec('address2', 'text'),
      spec('town', 'text'),
      spec('county', 'dictionary'),
      spec('district', 'dictionary'),
      spec('postcode', 'text'),
      spec('telephone', 'tel'),
      spec('mobile', 'tel'),
      spec('email', 'email'),
      spec('preferred_communication_method', 'dictionary'),
    ],
  },
  {
    title: 'About them',
    fields: [
      spec('gender', 'dictionary'),
      spec('ethnicity', 'dictionary'),
      spec('religion', 'dictionary'),
      spec('sexual_orientation', 'dictionary'),
      spec('marital_status', 'dictionary'),
      spec('main_language', 'dictionary'),
      spec('main_disability', 'dictionary'),
      spec('registered_disabled', 'flag'),
      spec('blue_badge_holder', 'flag'),
      spec('accommodation', 'dictionary'),
      spec('employment_status', 'flag'),
      spec('people_in_household', 'whole'),
    ],
  },
  {
    title: 'Services and references',
    fields: [
      spec('usual_support_worker', 'worker'),
      spec('type', 'dictionary'),
      spec('nhs_number', 'text'),
      spec('social_services_number', 'text'),
      spec('external_id', 'text'),
      spec('gp_name', 'text'),
      spec('gp_surgery', 'dictionary'),
      spec('school', 'dictionary'),
      spec('consent', 'flag'),
      spec('website_photo_consent', 'dictionary'),
      spec('active', 'flag'),
      spec('deceased', 'flag'),
    ],
  },
];

export const CLIENT_FORM_FIELDS: ClientFieldSpec[] = CLIENT_SECTIONS.flatMap((s) => s.fields);

export type ClientFormValues = Record<string, string | number | null>;

/** The form's starting values: empty, or a record's. */
export function clientFormValues(record: Record<string, unknown> | null): ClientFormValues {
  const values: ClientFormValues = {};
  for (const f of CLIENT_FORM_FIELDS) {
    const v = record?.[f.field];
    if (f.kind === 'dictionary' || f.kind === 'worker') values[f.field] = typeof v === 'number' ? v : v === null || v === undefined || v === '' ? null : Number(v);
    else if (f.kind === 'date') values[f.field] = typeof v === 'string' ? formatDate(v) : '';
    else values[f.field] = v === null || v === undefined ? '' : String(v);
  }
  return values;
}

/** The API's value of each field, recording problems; `undefined` marks a field with a mistake. */
export function clientApiValues(values: ClientFormValues, errors: FormErrors): Record<string, string | number | null | undefined> {
  const out: Record<string, string | number | null | undefined> = {};
  for (const f of CLIENT_FORM_FIELDS) {
    const v = values[f.field];
    switch (f.kind) {
      case 'dictionary':
      case 'worker':
        out[f.field] = typeof v === 'number' ? v : null;
        break;
      case 'date':
        out[f.field] = dateValue(String(v ?? ''), f.field, errors, false);
        break;
      case 'whole': {
        const text = String(v ?? '').trim();
        if (text === '') out[f.field] = null;
        else if (/^\d+$/.test(text)) out[f.field] = Number(text);
        else {
          errors.set(f.field, 'Enter a whole number, like 3');
          out[f.field] = undefined;
        }
        break;
      }
      case 'flag':
        out[f.field] = v === 'Y' || v === 'N' ? v : null;
        break;
      default:
        out[f.field] = String(v ?? '');
    }
  }
  return out;
}

/** For a new client: the fields given a value. */
export function filledFields(api: Record<string, string | number | null | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(api)) if (v !== null && v !== undefined && v !== '') out[k] = v;
  return out;
}

/** For an edit: the fields whose value differs from the record's ("" and null both mean empty). */
export function changedFields(api: Record<string, string | number | null | undefined>, before: Record<string, unknown>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  const norm = (x: unknown) => (x === '' || x === undefined ? null : x);
  for (const [k, v] of Object.entries(api)) {
    if (v === undefined) continue;
    const old = norm(before[k]);
    const now = norm(v);
    if (String(old) !== String(now)) out[k] = k === 'dob' || typeof v !== 'string' ? (now as string | number | null) : v;
  }
  return out;
}
