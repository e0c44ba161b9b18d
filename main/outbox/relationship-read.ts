// Whether a `relationship_details` entry read back from the server is the relationship an outbox
// entry set. The entry shape is unpublished in every revision: the keys are recognised in either
// dialect's words (the seed's `relationship_first_to_second`, the current manual's
// `relation_first_to_second`), and the second client as `id_second` or `second`.

import { sameValue } from './server-view.js';

const SECOND_KEYS = ['id_second', 'second', 'client_second', 'second_client'];

/** Neutral field → the names it may carry in a reply. */
const READ_NAMES: Record<string, readonly string[]> = {
  relation_first_to_second: ['relation_first_to_second', 'relationship_first_to_second'],
  relation_second_to_first: ['relation_second_to_first', 'relationship_second_to_first'],
  carer_relation_first_to_second: ['carer_relation_first_to_second', 'relationship_first_to_second_carer'],
  carer_relation_second_to_first: ['carer_relation_second_to_first', 'relationship_second_to_first_carer'],
};

export function relationshipMatches(detail: unknown, secondId: number, fields: Readonly<Record<string, string | null>>): boolean {
  if (!detail || typeof detail !== 'object') return false;
  const entry = detail as Record<string, unknown>;
  const second = SECOND_KEYS.map((k) => entry[k]).find((v) => v !== undefined);
  if (!sameValue(second, secondId)) return false;
  for (const [field, value] of Object.entries(fields)) {
    const names = READ_NAMES[field] ?? [field];
    const present = names.find((n) => n in entry);
    // A key the reply does not carry cannot disprove the match (major, joint_address may not be echoed).
    if (present !== undefined && !sameValue(entry[present], value)) return false;
  }
  return true;
}
