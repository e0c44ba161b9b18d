// Field names as people read them (`main_disability` → "Main disability"), with the few the API
// spells unhelpfully given proper words, and values shown the same way everywhere (Y → Yes).

const LABELS: Record<string, string> = {
  dob: 'Date of birth',
  nhs_number: 'NHS number',
  gp_name: 'GP name',
  gp_surgery: 'GP surgery',
  address1: 'Address line 1',
  address2: 'Address line 2',
  usual_support_worker: 'Usual support worker',
  website_photo_consent: 'Website photo consent',
  people_in_household: 'People in household',
  type: 'Client type',
  client_type: 'Client type',
  org_type_id: 'Organisation type',
  travel_time: 'Travel time (minutes)',
  travel_mileage: 'Travel mileage (miles)',
  start_date: 'Start',
  end_date: 'End',
  user: 'Worker (login)',
};

export function fieldLabel(field: string): string {
  if (LABELS[field]) return LABELS[field]!;
  const words = field.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function flagText(value: unknown): string {
  if (value === 'Y') return 'Yes';
  if (value === 'N') return 'No';
  return value === null || value === undefined ? '' : String(value);
}

export function personName(record: { first_name?: unknown; surname?: unknown; id?: unknown } | null | undefined, fallback = 'Unnamed'): string {
  if (!record) return fallback;
  const name = `${typeof record.first_name === 'string' ? record.first_name : ''} ${typeof record.surname === 'string' ? record.surname : ''}`.trim();
  return name || `${fallback}${record.id !== undefined ? ` ${String(record.id)}` : ''}`;
}
