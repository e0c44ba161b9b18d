// Form drafts beside the replica's tables: what a person typed and has not saved yet, keyed by form
// and record (`complete-contact:88`). Drafts hold notes about clients, so they live here, encrypted
// at rest with the rest of the replica (SQLCipher), never in the browser's storage.

import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const drafts = sqliteTable('drafts', {
  /** shared/ipc/drafts.ts `draftKey`. */
  key: text('key').primaryKey(),
  /** JSON object, field → string | number | boolean | null, bounded by the IPC contract. */
  fields: text('fields').notNull(),
  /** ISO 8601 instant of the last save. */
  saved_at: text('saved_at').notNull(),
});
