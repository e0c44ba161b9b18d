// The props every labelled form field takes (FieldFrame and the fields built on it): the control's
// id, its label, an optional hint and error, and whether it must be filled in.

export interface FieldProps {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
}
