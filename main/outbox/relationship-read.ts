// Whether a `relationship_details` entry read back from the server is the relationship an outbox
// entry set. The entry's shape is unpublished in every revision: it is read by the one tolerant
// reader (shared/dizions/replies.ts: either dialect's words, the other client under any usual name).

import { readRelationship, type RelationshipReading } from '../../shared/dizions/replies.js';
import { sameValue } from './server-view.js';

/** A neutral set-relationship field → where the reader puts it. */
const READING_OF: Record<string, Exclude<keyof RelationshipReading, 'id_second'>> = {
  relation_first_to_second: 'relationship_first_to_second',
  relation_second_to_first: 'relationship_second_to_first',
  carer_relation_first_to_second: 'relationship_first_to_second_carer',
  carer_relation_second_to_first: 'relationship_second_to_first_carer',
};

export function relationshipMatches(detail: unknown, secondId: number, fields: Readonly<Record<string, string | null>>): boolean {
  if (!detail || typeof detail !== 'object') return false;
  const reading = readRelationship(detail);
  if (!sameValue(reading.id_second, secondId)) return false;
  for (const [field, value] of Object.entries(fields)) {
    const key = READING_OF[field];
    const seen = key ? reading[key] : (detail as Record<string, unknown>)[field];
    // A key the reply does not carry cannot disprove the match (major, joint_address may not be echoed).
    if (seen !== undefined && !sameValue(seen, value)) return false;
  }
  return true;
}
