// The shared database fixture for migration tests (vitest `test.extend`): each test that names
// `unmigrated` gets a new encrypted replica file with no migration applied, closed and removed after
// the test. `migrateBefore(replica, tag)` brings it to N-1 and `migrateThrough` to N, by the
// journal's own tags, so a test says which migration it covers rather than counting them.
import fs from 'node:fs';
import path from 'node:path';
import { test as base } from 'vitest';
import { openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { TEST_KEY, journalEntries, migrateFirst, tempDir } from './db-fixtures.js';

export const test = base.extend<{ unmigrated: Replica }>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads the fixture's dependencies from this pattern
  unmigrated: async ({}, use) => {
    const dir = tempDir();
    const replica = openReplicaWithKey({ file: path.join(dir, 'replica.db'), key: TEST_KEY, migrate: false });
    try {
      await use(replica);
    } finally {
      replica.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
});

/** The journal position of a committed migration, by its tag (`0004_app_credentials`). */
export function migrationIndex(tag: string): number {
  const index = journalEntries().findIndex((e) => e.tag === tag);
  if (index < 0) throw new Error(`migration ${tag} is not in the journal`);
  return index;
}

/** Applies every migration before `tag` (the replica as the previous version left it). */
export function migrateBefore(replica: Replica, tag: string): void {
  migrateFirst(replica, migrationIndex(tag));
}

/** Applies migrations up to and including `tag`. */
export function migrateThrough(replica: Replica, tag: string): void {
  migrateFirst(replica, migrationIndex(tag) + 1);
}
