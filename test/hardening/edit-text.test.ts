// An edit's text travels to the charity's server and onto colleagues' screens: control characters
// (NUL and friends) and unpaired bidi controls ("\u202EeciL" shows as "Lice") are refused at the
// shared validation, naming the field, before anything is written — from IPC and the CLI alike.
// Real right-to-left writing (and its properly paired controls) still passes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../main/app/core.js';
import { StaticKeyProvider } from '../../main/db/keys.js';
import { replicaEditContext } from '../../main/outbox/context.js';
import { createDispatcher, type Dispatcher } from '../../main/ipc/register.js';
import { validateEdit } from '../../shared/edits/validate.js';
import { textCharacterProblem } from '../../shared/text-characters.js';
import { runCaseworker } from '../support/cli-process.js';
import { openReplicaWithKey } from '../../main/db/open.js';
import { freshReplica, TEST_KEY } from '../support/db-fixtures.js';

/** An empty migrated replica where the CLI will look for it (as after a first sync). */
function freshReplicaAt(file: string): void {
  openReplicaWithKey({ file, key: TEST_KEY }).close();
}
import { dispatchFailure, dispatchOk } from '../support/dispatch-calls.js';

function issuesOf(fields: Record<string, string>): Array<{ field: string; message: string }> {
  const replica = freshReplica();
  try {
    const result = validateEdit({ method: 'PUT', path: 'clients', fields }, replicaEditContext(replica), { dialect: '2019' });
    return result.ok ? [] : result.issues;
  } finally {
    replica.close();
  }
}

describe('the shared validation of an edit', () => {
  it('refuses the tester\'s client {"first_name":"A\\u0000","surname":"\\u202EeciL"}, naming both fields', () => {
    const issues = issuesOf({ first_name: 'A\u0000', surname: '\u202EeciL' });
    expect(issues.map((i) => i.field).sort()).toEqual(['first_name', 'surname']);
    expect(issues.find((i) => i.field === 'first_name')!.message).toMatch(/control character \(U\+0000\)/);
    expect(issues.find((i) => i.field === 'surname')!.message).toMatch(/never closed/);
  });

  it('refuses every C0/C1 control but tab, LF and CR, DEL, U+FFFE/U+FFFF and lone surrogates', () => {
    const refused = ['\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F', '\u007F', '\u0085', '\u009F', '\uFFFE', '\uFFFF', '\uD800', '\uDC00'];
    for (const char of refused) expect(textCharacterProblem(`Ann${char}Lee`), JSON.stringify(char)).toBeDefined();
    for (const fine of ['Ann\tLee', 'line one\nline two', 'one\r\ntwo', 'Siân Ŵyn', '😀 emoji', "O'Brien-Smith"]) {
      expect(textCharacterProblem(fine), JSON.stringify(fine)).toBeUndefined();
    }
  });

  it('refuses unpaired bidi controls (embeddings, overrides, isolates) and allows matched, nested pairs', () => {
    for (const bad of ['\u202AA', 'A\u202B', '\u202DA', '\u2066A', '\u2067A', '\u2068A', 'A\u202C', 'A\u2069', '\u202E\u2066A\u202C\u2069', '\u2066A\u202C']) {
      expect(textCharacterProblem(bad), JSON.stringify(bad)).toBeDefined();
    }
    for (const good of ['علي حسن', 'שרה כהן', '\u202Bעברית\u202C', '\u2067علي\u2069 Smith', '\u202E\u2066x\u2069\u202C']) {
      expect(textCharacterProblem(good), JSON.stringify(good)).toBeUndefined();
    }
    expect(issuesOf({ first_name: '\u2067علي\u2069', surname: 'Hassan' })).toEqual([]);
  });

  it('checks every field, not just names (a description with NUL; a postcode with an override)', () => {
    const issues = issuesOf({ first_name: 'Ann', surname: 'Lee', address_1: '1 High St\u0000', postcode: 'LS1 \u202E1AA' });
    expect(issues.map((i) => i.field).sort()).toEqual(['address_1', 'postcode']);
  });
});

describe('from the app (IPC) and the CLI', () => {
  let dir: string;
  let core: AppCore;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-edit-text-'));
    core = await createAppCore({ dataDir: dir, keyProvider: new StaticKeyProvider(TEST_KEY) });
    await core.start();
    dispatcher = createDispatcher(core.services, { isTrustedSender: () => true });
  });

  afterAll(async () => {
    await core.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const queued = () => Number(core.replica().sqlite.prepare('SELECT COUNT(*) FROM outbox_entries').pluck().get());

  it('clients:create with NUL and a bidi override is a VALIDATION naming both fields; nothing is queued', async () => {
    const error = await dispatchFailure(dispatcher, 'clients:create', { first_name: 'A\u0000', surname: '\u202EeciL' });
    expect(error.code).toBe('VALIDATION');
    const issues = (error.details as { issues: Array<{ path: string; message: string }> }).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['first_name', 'surname']);
    expect(queued()).toBe(0);
    // The control case: the same client with clean names is accepted and queued.
    await dispatchOk(dispatcher, 'clients:create', { first_name: 'A', surname: 'Lice' });
    expect(queued()).toBe(1);
  });

  it('caseworker queue refuses it too (exit 1, the field named, nothing queued)', async () => {
    const db = path.join(dir, 'cli.db');
    freshReplicaAt(db);
    const created = await runCaseworker(['queue', '--db', db, '--dialect', '2019', 'PUT', 'clients', 'first_name=Ann', 'surname=Lee']);
    expect(created.code, created.stderr).toBe(0);
    const refused = await runCaseworker(['queue', '--db', db, '--dialect', '2019', 'PUT', 'clients', 'first_name=Ann', 'surname=\u202EeeL']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/surname: .*never closed/);
    const list = await runCaseworker(['outbox', '--db', db, 'list', '--json']);
    expect((JSON.parse(list.stdout) as { entries: unknown[] }).entries).toHaveLength(1);
  });
});
