// Values shown the same way everywhere (Y → Yes, a person's name), and field names as people read
// them — the one fieldLabel of shared/field-labels.ts, which the exports use too.

export { fieldLabel } from '../../../shared/field-labels.js';

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
