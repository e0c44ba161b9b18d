// One set of messages per form, keyed by the id of the control they belong to, filled from the
// contract's zod schemas (before calling main) and from main's VALIDATION details (after), so a
// message always sits next to its field and in the summary at the top.

import { computed, reactive, type ComputedRef } from 'vue';
import type { ZodType } from 'zod';
import { IpcError } from '../api/bridge.js';

export interface Problem {
  field: string;
  message: string;
  label: string;
}

export interface FormErrors {
  errors: Record<string, string>;
  problems: ComputedRef<Problem[]>;
  clear(): void;
  set(field: string, message: string): void;
  /** Checks `value` against `schema`; on failure records each issue and returns null. */
  check<T>(schema: ZodType<T>, value: unknown): T | null;
  /** Records the per-field issues of a VALIDATION error; false when the error had none. */
  absorb(error: unknown): boolean;
  any(): boolean;
}

/**
 * `labels` names each control (id → label, in form order); `paths` maps an issue path
 * (`start_date`, `fields.first_name`, `next_action.start_date`) to a control id when they differ.
 */
export function useFormErrors(labels: Record<string, string>, paths: Record<string, string> = {}): FormErrors {
  const errors = reactive<Record<string, string>>({});
  const order = Object.keys(labels);

  /** The control an issue belongs to: the longest prefix of its path the form knows (`scope.2` → `scope`). */
  function controlFor(path: string): string {
    const bare = path.replace(/^fields\./, '');
    for (const candidate of [path, bare]) {
      const parts = candidate.split('.');
      for (let n = parts.length; n > 0; n--) {
        const prefix = parts.slice(0, n).join('.');
        if (paths[prefix]) return paths[prefix]!;
        if (labels[prefix]) return prefix;
      }
    }
    return '_form';
  }

  function set(field: string, message: string): void {
    if (!errors[field]) errors[field] = message;
  }

  function clear(): void {
    for (const key of Object.keys(errors)) delete errors[key];
  }

  function check<T>(schema: ZodType<T>, value: unknown): T | null {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) set(controlFor(issue.path.map(String).join('.')), issue.message);
    return null;
  }

  function absorb(error: unknown): boolean {
    if (!(error instanceof IpcError) || error.code !== 'VALIDATION') return false;
    const issues = error.issues;
    if (issues.length === 0) {
      set('_form', error.message);
      return true;
    }
    for (const issue of issues) set(controlFor(issue.path), issue.message);
    return true;
  }

  const problems = computed<Problem[]>(() => {
    const keys = Object.keys(errors).sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
    });
    return keys.map((field) => ({ field, message: errors[field]!, label: labels[field] ?? 'Form' }));
  });

  return { errors, problems, clear, set, check, absorb, any: () => Object.keys(errors).length > 0 };
}
