// drizzle-kit reads this to generate the replica's migrations from main/db/schema*.ts (the replica's
// tables, and beside them the outbox's) into ./drizzle
// (`npx drizzle-kit generate`); the app applies them at open (main/db/open.ts). Never edit a
// committed migration: change the schema and generate a new one.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './main/db/schema*.ts',
  out: './drizzle',
});
