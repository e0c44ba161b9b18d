// The connection that builds indexes after a bulk fill reads pages without checking their HMAC
// (the check cost more CPU than the rest of the build) but still writes every page with one: a
// normally opened replica — which checks every page it reads — reads all it built. The app's build
// runs in steps and leaves the write lock free between two, for the person's edits.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deferIndexes, restoreDeferredIndexes, restoreDeferredIndexesGivingWay } from '../../main/db/deferred-indexes.js';
import { withIndexBuilder } from '../../main/db/index-builder.js';
import { checkIntegrity, openReplicaWithKey, type Replica } from '../../main/db/open.js';
import { upsertRecords } from '../../main/db/records.js';
import { searchClients } from '../../main/db/search.js';
import { clientRecord, freshReplica, TEST_KEY } from '../support/db-fixtures.js';

let replica: Replica;
beforeEach(() => {
  replica = freshReplica();
});
afterEach(() => replica.close());

const PAGE = 4096; // SQLCipher's page, whose last 64 bytes are its HMAC-SHA512

describe('the index builder', () => {
  it('builds indexes and search tables that a normally opened replica reads and verifies', () => {
    deferIndexes(replica, ['clients']);
    upsertRecords(
      replica,
      'clients',
      Array.from({ length: 3000 }, (_, i) => clientRecord(i + 1)),
    );
    expect(restoreDeferredIndexes(replica)).toBeGreaterThan(0);
    replica.sqlite.close(); // the connection only: afterEach's close() removes the file

    const reopened = openReplicaWithKey({ file: replica.file, key: TEST_KEY });
    try {
      expect(checkIntegrity(reopened).ok).toBe(true);
      expect(searchClients(reopened, 'Surname2999').map((c) => c.id)).toEqual([2999]);
      const plan = reopened.sqlite.prepare(`EXPLAIN QUERY PLAN SELECT id FROM clients ORDER BY surname COLLATE NOCASE, first_name COLLATE NOCASE`).all() as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/clients_surname/);
    } finally {
      reopened.close();
    }
  });

  it('reads a page whose HMAC does not match, which any other connection refuses', () => {
    upsertRecords(
      replica,
      'clients',
      Array.from({ length: 500 }, (_, i) => clientRecord(i + 1)),
    );
    const leaf = replica.sqlite.prepare(`SELECT pageno FROM dbstat WHERE name = 'clients' AND pagetype = 'leaf' ORDER BY pageno DESC LIMIT 1`).pluck().get() as number;
    const file = replica.file;
    replica.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    replica.sqlite.close();

    const bytes = fs.readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(leaf * PAGE - 1) ^ 0xff, leaf * PAGE - 1); // the last byte of the page's HMAC; the data itself is untouched
    fs.writeFileSync(file, bytes);

    const checked = openReplicaWithKey({ file, key: TEST_KEY, migrate: false });
    try {
      expect(() => checked.sqlite.prepare('SELECT sum(length(raw)) FROM clients').get()).toThrow();
      expect(withIndexBuilder(checked, (builder) => builder.sqlite.prepare('SELECT count(raw) AS n FROM clients').get())).toEqual({ n: 500 });
    } finally {
      checked.sqlite.close();
    }
  });
});

describe('the index build in steps', () => {
  it('leaves the write lock free between two steps, where a person’s edit gets in', async () => {
    deferIndexes(replica, ['clients', 'referrals']);
    upsertRecords(
      replica,
      'clients',
      Array.from({ length: 500 }, (_, i) => clientRecord(i + 1)),
    );
    const editor = openReplicaWithKey({ file: replica.file, key: TEST_KEY, migrate: false });
    editor.sqlite.pragma('busy_timeout = 0'); // as the app's editor: a held lock is an error at once
    let between = 0;
    try {
      const restored = await restoreDeferredIndexesGivingWay(replica, async () => {
        between++;
        editor.sqlite.prepare('UPDATE clients SET surname = ? WHERE id = 7').run(`Edited between steps ${between}`);
      });
      expect(restored).toBeGreaterThan(2);
      const indexes = replica.sqlite
        .prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('clients', 'referrals') AND sql NOT LIKE 'CREATE UNIQUE%'`)
        .pluck()
        .get() as number;
      // Before each step: each index, each search table with its triggers, each table's statistics, the recipe.
      expect(between).toBe(indexes + 2 + 2 + 1);
    } finally {
      editor.sqlite.close();
    }
    expect(replica.sqlite.prepare('SELECT surname FROM clients WHERE id = 7').pluck().get()).toBe(`Edited between steps ${between}`);
    expect(searchClients(replica, `Edited between steps ${between}`).map((c) => c.id)).toEqual([7]); // the search triggers are back
    expect(checkIntegrity(replica).ok).toBe(true);
  });
});
