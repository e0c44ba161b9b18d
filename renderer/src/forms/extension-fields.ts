// Extension-database fields as people read them and type them: API names carry a numeric suffix
// (`wellbeing_score_32`, `date_31`) that means nothing on screen; the kind (date, number, text)
// comes from the shared edit rules, so the form checks what main will check.

import { editFieldKind } from '../../../shared/edits/field-kinds.js';
import { fieldLabel } from '../format/labels.js';

/** Fields the server keeps itself or the form sets from where the row is added. */
const NOT_TYPED = new Set(['id', 'updated', 'referral', 'client']);

/** `wellcheck_notes_9` → "Wellcheck notes". */
export function extensionDatabaseLabel(name: string): string {
  return fieldLabel(name.replace(/_\d+$/, ''));
}

/** `wellbeing_score_32` → "Wellbeing score"; `date_31` → "Date". */
export function extensionFieldLabel(field: string): string {
  return fieldLabel(field.replace(/_\d+$/, ''));
}

export type ExtensionFieldKind = 'date' | 'number' | 'text';

export function extensionFieldKind(field: string): ExtensionFieldKind {
  const kind = editFieldKind('extension_database', field);
  if (kind === 'date') return 'date';
  if (kind === 'number' || kind === 'whole' || /(^|_)(score|count|number|amount)(_\d+)?$/.test(field)) return 'number';
  return 'text';
}

/** The fields a person types, in the server's order; `known` is selectable_fields, else the rows' keys. */
export function typedFields(known: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string[] {
  const names = known.length > 0 ? [...known] : [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return names.filter((f) => !NOT_TYPED.has(f));
}
