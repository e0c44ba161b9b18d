// Files at rest: nothing under the app's data folder — replica, demo simulator, uploads, logs —
// holds a client's name (or an attached file's words) readably, while the demo runs and after it
// stops; the replica and its -wal/-shm are 0600 like the demo key, also when an older version left
// them 0644. Every byte of every file is searched, as UTF-8 and as UTF-16.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SEED, demoDataDir } from '../../main/app/demo.js';
import { openReplicaWithKey } from '../../main/db/open.js';
import { startSimulator } from '../../main/sim/server.js';
import { dispatchOk } from '../support/dispatch-calls.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { startWebApp, tempDir, type InProcessApp } from '../support/e2e-support.js';
import { TEST_KEY } from '../support/db-fixtures.js';

const TYPED = { first_name: 'Philomena', surname: 'Quarrington-Vex' };
const LETTER = 'Philomena Quarrington-Vex: private letter about her tenancy';

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Files (relative to `dir`) whose bytes contain any needle, as UTF-8 or UTF-16LE. */
function readableIn(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = fs.readFileSync(file);
    for (const needle of needles) {
      if (bytes.includes(Buffer.from(needle, 'utf8')) || bytes.includes(Buffer.from(needle, 'utf16le'))) found.push(`${path.relative(dir, file)} holds "${needle}"`);
    }
  }
  return found;
}

describe("the replica's file modes", () => {
  it('a new replica and its -wal/-shm are created 0600, whatever the umask', () => {
    const dir = tempDir('modes-');
    const previous = process.umask(0o022);
    try {
      const file = path.join(dir, 'replica.db');
      const replica = openReplicaWithKey({ file, key: TEST_KEY });
      replica.sqlite.prepare("INSERT INTO app_credentials (name, value, updated_at) VALUES ('x', 'y', 'z')").run();
      for (const suffix of ['', '-wal', '-shm']) {
        expect(fs.statSync(file + suffix).mode & 0o777, suffix || 'main file').toBe(0o600);
      }
      replica.close();
    } finally {
      process.umask(previous);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a replica an older version left 0644 is made 0600 when opened', () => {
    const dir = tempDir('modes-old-');
    try {
      const file = path.join(dir, 'replica.db');
      openReplicaWithKey({ file, key: TEST_KEY }).close();
      fs.chmodSync(file, 0o644);
      const replica = openReplicaWithKey({ file, key: TEST_KEY });
      replica.sqlite.prepare("INSERT INTO app_credentials (name, value, updated_at) VALUES ('x', 'y', 'z')").run();
      for (const suffix of ['', '-wal', '-shm']) expect(fs.statSync(file + suffix).mode & 0o777, suffix || 'main file').toBe(0o600);
      replica.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the demo's data folder", () => {
  let dataDir: string;
  let app: InProcessApp;
  let dispatcher: Dispatcher;
  let synced: string[];

  beforeAll(async () => {
    dataDir = tempDir('at-rest');
    app = await startWebApp(dataDir, { clients: 30 });
    dispatcher = createDispatcher(app.core.services, { isTrustedSender: () => true });
    await dispatchOk(dispatcher, 'sync:run', {});
    // Names the demo synced from its simulator, and a client and a letter a trainee typed and attached.
    const list = await dispatchOk(dispatcher, 'caseload:list', { limit: 5 });
    synced = list.rows.flatMap((row) => [`${row.client.first_name} ${row.client.surname}`, row.client.surname ?? '']).filter((name) => name.length >= 5);
    expect(synced.length).toBeGreaterThan(0);
    await dispatchOk(dispatcher, 'clients:create', TYPED);
    await dispatchOk(dispatcher, 'sync:run', {});
    expect(app.sim().store.db.prepare('SELECT id FROM clients WHERE surname = ?').all(TYPED.surname)).toHaveLength(1);
    const serverId = list.rows[0]!.client.id;
    await dispatchOk(dispatcher, 'contacts:attach', {
      group: 'clients',
      id: serverId,
      user_visibility: [],
      group_visibility: [],
      files: [{ filename: 'Philomena-tenancy.txt', contentType: 'text/plain', dataBase64: Buffer.from(LETTER).toString('base64') }],
    });
    await dispatchOk(dispatcher, 'sync:run', {});
    expect(
      app
        .sim()
        .store.uploads()
        .filter((u) => u.filename === 'Philomena-tenancy.txt'),
    ).toHaveLength(1);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const needles = () => [...synced, `${TYPED.first_name} ${TYPED.surname}`, TYPED.surname, LETTER, 'Philomena-tenancy'];

  it('holds no name, letter or file name readably while the app runs (WAL files included)', () => {
    expect(filesUnder(dataDir).length).toBeGreaterThan(3);
    expect(readableIn(dataDir, needles())).toEqual([]);
  });

  it('nor after it stops, and the replica files are 0600', async () => {
    await app.stop();
    expect(readableIn(dataDir, needles())).toEqual([]);
    for (const file of filesUnder(dataDir).filter((f) => /replica\.db(-wal|-shm)?$/.test(f))) {
      expect(fs.statSync(file).mode & 0o777, file).toBe(0o600);
    }
  });

  it("the demo starts again on the same folder, with the trainee's client still there", async () => {
    app = await startWebApp(dataDir, { clients: 30 });
    dispatcher = createDispatcher(app.core.services, { isTrustedSender: () => true });
    await dispatchOk(dispatcher, 'sync:run', {});
    const rows = app.sim().store.db.prepare('SELECT id FROM clients WHERE surname = ?').all(TYPED.surname);
    expect(rows).toHaveLength(1);
    expect(readableIn(dataDir, needles())).toEqual([]);
  });
});

describe('a demo folder an older version left in plaintext', () => {
  it('is encrypted in place at the next start: practice edits kept, nothing readable', async () => {
    const dataDir = tempDir('at-rest-old');
    const old = await startSimulator({ dataDir: demoDataDir(dataDir), seed: DEMO_SEED, clients: 30 });
    const who = old.users[0]!;
    const auth = { Source: who.source, Org: who.org, User: who.user };
    const created = await fetch(`${old.url}/clients`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ first_name: 'Ottoline', surname: 'Fennimore-Haigh' }).toString(),
    });
    const { id } = (await created.json()) as { id: number };
    const form = new FormData();
    form.append('user_visibility', '');
    form.append('group_visibility', '');
    form.append('files', new Blob(['Ottoline Fennimore-Haigh: old letter']), 'Ottoline-letter.txt');
    expect((await fetch(`${old.url}/clients/id/${id}/uploads`, { method: 'POST', headers: auth, body: form })).status).toBe(200);
    await old.close();
    const needles = ['Fennimore-Haigh', 'Ottoline-letter'];
    expect(readableIn(dataDir, needles).length).toBeGreaterThan(0); // the control case: the old folder is readable

    const app = await startWebApp(dataDir, { clients: 30 });
    try {
      const store = app.sim().store;
      expect(store.db.prepare('SELECT id FROM clients WHERE surname = ?').all('Fennimore-Haigh')).toHaveLength(1);
      const upload = store.uploads().find((u) => u.filename === 'Ottoline-letter.txt')!;
      expect(store.seal!.open(fs.readFileSync(upload.path)).toString()).toBe('Ottoline Fennimore-Haigh: old letter');
      expect(readableIn(dataDir, needles)).toEqual([]);
    } finally {
      await app.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
