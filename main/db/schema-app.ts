// The app's own secrets beside the replica's tables: the Charitylog connection (base URL, dialect
// and the Source/Org/User keys) when Caseworker runs as the browser host, where no OS keychain is
// at hand. The replica is SQLCipher-encrypted, so these rows are encrypted at rest with it; the
// Electron app keeps its keys in the OS keychain instead and leaves this table empty.

import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const appCredentials = sqliteTable('app_credentials', {
  /** What the row holds: `connection`. */
  name: text('name').primaryKey(),
  /** JSON; never logged, never sent to the renderer (settings:get masks the keys). */
  value: text('value').notNull(),
  /** ISO 8601 instant of the last change. */
  updated_at: text('updated_at').notNull(),
});
