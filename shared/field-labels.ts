// Field names as people read them (`main_disability` → "Main disability"), with the few the API
// spells unhelpfully given proper words. One function for the screen, the CLI and every export, so
// a report's headers in a file are the headers on screen.

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
  start_date: 'Start',
  end_date: 'End',
};

export function fieldLabel(field: string): string {
  const label = LABELS[field];
  if (label) return label;
  const words = field.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
