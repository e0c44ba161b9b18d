// Which records an edit is about, named as (family, id): due and done contacts share one id space
// (completing due 88 makes done 88) and one replica table, so both are the family `contacts`;
// each extension database is its own family. Ordering and "pending" marks are kept per family.

/** The family of an API group: `clients`, `referrals`, `contacts`, `extension_database/<name>_<id>`, `external_referral`. */
export function familyOf(group: string, extensionDatabase?: string): string {
  if (group === 'due_contacts' || group === 'done_contacts' || group === 'contacts') return 'contacts';
  if (group === 'extension_database') {
    if (!extensionDatabase) throw new Error('an extension_database family needs the database name');
    return `extension_database/${extensionDatabase}`;
  }
  if (group.startsWith('extension_database/')) return group;
  return group;
}

/** Fields whose value is the id of a record of another family (a temp id may stand there). */
export const REFERENCE_FIELDS: Record<string, string> = {
  client: 'clients',
  referral: 'referrals',
  id_second: 'clients',
};
