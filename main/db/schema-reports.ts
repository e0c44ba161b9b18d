// Report definitions a worker saved by name, beside the replica's tables. Only the definition is
// kept (the Dizions report path, canonically printed, and whether sums were on); figures are always
// recomputed from the replica, so a saved report never shows stale numbers of its own.

import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const savedReports = sqliteTable('saved_reports', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  title: text('title').notNull(),
  /** `done_contacts/dimension/project/date_active/2025-01-01,2025-01-31`: reusable against the server as it is. */
  path: text('path').notNull(),
  /** Travel time and mileage totals alongside the counts (contacts only). */
  sums: integer('sums', { mode: 'boolean' }).notNull().default(false),
  /** ISO 8601 instant. */
  created_at: text('created_at').notNull(),
});
