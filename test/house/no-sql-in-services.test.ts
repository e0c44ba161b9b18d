// "No SQL in the service and transport layers" (eslint.config.js, run by `npm run check`): the
// project's own ESLint config refuses SQL text, better-sqlite3 and Drizzle query calls and value
// imports of either in main/app, main/ipc, main/web, main/electron and main/cli — shown here on
// deliberate violations linted as if they sat there — and lets the same code stand in main/db/.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT, cache: false });
const LAYERS = ['main/app', 'main/ipc', 'main/web', 'main/electron', 'main/cli'];

/** The messages of the no-SQL rule for `text` linted as the file `file` (relative to the repo). */
async function sqlFindings(file: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: `${ROOT}${file}` });
  return result!.messages.filter((m) => m.message.includes('No SQL in the service and transport layers')).map((m) => `${m.line}: ${m.ruleId}`);
}

const PREPARED = `import type Database from 'better-sqlite3';
export function surname(sqlite: Database.Database, id: number): string | undefined {
  return sqlite.prepare('SELECT surname FROM clients WHERE id = ?').pluck().get(id) as string | undefined;
}
`;

const DRIZZLE = `import { eq } from 'drizzle-orm';
import type { Replica } from '../db/open.js';
import { drafts } from '../db/schema-drafts.js';
export const draft = (replica: Pick<Replica, 'db'>, key: string) => replica.db.select().from(drafts).where(eq(drafts.key, key)).get();
`;

const CLAUSE = `export const order = (descending: boolean) => \`c.surname COLLATE NOCASE \${descending ? 'DESC' : 'ASC'}\`;
`;

const COMPOSED = `import type { Replica } from '../db/open.js';
import { clientRecord } from '../db/record-queries.js';
export const surnameOf = (replica: Pick<Replica, 'sqlite'>, id: number) => clientRecord(replica.sqlite, id)?.surname ?? null;
export const label = 'Select a client from the list, then update their record';
`;

describe('the service and transport layers hold no SQL', () => {
  it.each(LAYERS)('a prepared statement in %s/ is refused', async (layer) => {
    const found = await sqlFindings(`${layer}/surname.ts`, PREPARED);
    // The call and its SQL text are each refused; the type-only import of better-sqlite3 is not.
    expect(found).toEqual(['3: no-restricted-syntax', '3: no-restricted-syntax']);
  });

  it('a Drizzle query in main/app/ is refused, with its drizzle-orm import', async () => {
    const found = await sqlFindings('main/app/drafts-read.ts', DRIZZLE);
    expect(found).toEqual(['1: @typescript-eslint/no-restricted-imports', '4: no-restricted-syntax']);
  });

  it('a clause of SQL built in a template in main/ipc/ is refused', async () => {
    expect(await sqlFindings('main/ipc/order.ts', CLAUSE)).toEqual(['1: no-restricted-syntax']);
  });

  it('a service composing a data function, with words like "Select" and "update" in its text, is accepted', async () => {
    expect(await sqlFindings('main/app/surname.ts', COMPOSED)).toEqual([]);
  });

  it('the same statements are accepted in main/db/, where SQL lives', async () => {
    expect(await sqlFindings('main/db/surname.ts', PREPARED)).toEqual([]);
    expect(await sqlFindings('main/db/drafts-read.ts', DRIZZLE)).toEqual([]);
  });

  it('the tree as it stands keeps the rule', async () => {
    const results = await eslint.lintFiles(LAYERS.map((layer) => `${ROOT}${layer}/**/*.ts`));
    const found = results.flatMap((r) => r.messages.filter((m) => m.message.includes('No SQL')).map((m) => `${r.filePath.slice(ROOT.length)}:${m.line}`));
    expect(found).toEqual([]);
    expect(results.length).toBeGreaterThan(40);
  });
});
