// The support log carries ids, counts and codes for an administrator, and never personal data:
// names, notes, addresses, postcodes, NHS numbers, emails, keys — nor long free text. It rotates at
// its size cap, keeping a fixed number of files.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redactForSupport, scrubText, SupportLog } from '../../main/support-log.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-support-log-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the support log', () => {
  it('writes one JSON line per event with ids, counts and codes', () => {
    const log = new SupportLog({ dir: tempDir(), now: () => new Date('2024-03-31T10:00:00Z') });
    log.write('outbox.sent', { outboxId: 41, method: 'POST', path: 'done_contacts/id/88', status: 200, attempts: 2 });
    log.write('sync.finished', { received: { clients: 120, referrals: 300 }, errors: ['OFFLINE'], ms: 5312 });
    expect(lines(log.file)).toEqual([
      { at: '2024-03-31T10:00:00.000Z', event: 'outbox.sent', outboxId: 41, method: 'POST', path: 'done_contacts/id/88', status: 200, attempts: 2 },
      { at: '2024-03-31T10:00:00.000Z', event: 'sync.finished', received: { clients: 120, referrals: 300 }, errors: ['OFFLINE'], ms: 5312 },
    ]);
  });

  it('strips personal-data keys wherever they are nested, naming only the keys it dropped', () => {
    const log = new SupportLog({ dir: tempDir() });
    log.write('outbox.rejected', {
      outboxId: 7,
      record: {
        id: 12,
        first_name: 'Jo',
        surname: 'Bloggs',
        dob: '1950-04-01',
        nhs_number: '9434765919',
        address1: '12 Acacia Avenue',
        postcode: 'AB1 2CD',
        telephone: '01632 960123',
        email: 'jo@example.org',
        description: 'Visited; low mood',
        notes: 'keys under mat',
      },
      data: { stage: 3 },
      source: 'src-key-123',
      org: 'org-key-456',
      user: 'user-key-789',
    });
    const text = fs.readFileSync(log.file, 'utf8');
    for (const secret of ['Jo', 'Bloggs', '1950', '9434765919', 'Acacia', 'AB1 2CD', '01632', 'jo@example.org', 'low mood', 'mat', 'src-key', 'org-key', 'user-key']) {
      expect(text).not.toContain(secret);
    }
    const [line] = lines(log.file);
    expect(line).toMatchObject({ event: 'outbox.rejected', outboxId: 7, record: { id: 12 } });
    expect(line!.redacted).toEqual(['address1', 'data', 'description', 'dob', 'email', 'first_name', 'nhs_number', 'notes', 'org', 'postcode', 'source', 'surname', 'telephone', 'user'].sort());
  });

  it('keeps a user id that is a number', () => {
    expect(redactForSupport({ user: 7, client: 12 }).fields).toEqual({ user: 7, client: 12 });
  });

  it('drops long free text and scrubs what could identify someone from short text', () => {
    const { fields, longText } = redactForSupport({
      message: 'the server rejected the request (400): client "Jo Bloggs" at AB1 2CD, NHS 943 476 5919, jo@example.org',
      comment2: 'x'.repeat(500),
      code: 'REJECTED',
    });
    expect(longText).toBe(1);
    expect(fields).toEqual({
      message: 'the server rejected the request (400): client […] at [postcode], NHS [number], [email]',
      code: 'REJECTED',
    });
    expect(scrubText("can't find 'Smith' in clients")).toBe("can't find […] in clients");
    expect(scrubText('no client “Jo Bloggs”.')).toBe('no client […].');
  });

  it('rotates at the size cap and keeps only the newest files', () => {
    const dir = tempDir();
    const log = new SupportLog({ dir, maxBytes: 1_000, maxFiles: 3 });
    for (let i = 0; i < 100; i++) log.write('sync.batch', { batch: i, records: 500 });
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(['support.log', 'support.log.1', 'support.log.2']);
    for (const file of files) expect(fs.statSync(path.join(dir, file)).size).toBeLessThanOrEqual(1_000);
    // The newest lines are in support.log, the older ones in .1 then .2; the oldest have been dropped.
    const newest = lines(path.join(dir, 'support.log'));
    expect(newest.at(-1)).toMatchObject({ batch: 99 });
    const older = lines(path.join(dir, 'support.log.1'));
    expect(older.at(-1)!.batch).toBe((newest[0]!.batch as number) - 1);
    expect(lines(path.join(dir, 'support.log.2'))[0]!.batch).toBeGreaterThan(0);
    expect(log.files()).toEqual(['support.log', 'support.log.1', 'support.log.2'].map((f) => path.join(dir, f)));
  });

  it('never throws when it cannot write', () => {
    const dir = tempDir();
    const blocked = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocked, 'a file where the log folder should be');
    const log = new SupportLog({ dir: blocked });
    expect(() => log.write('sync.start', { scope: 2 })).not.toThrow();
  });

  it('creates its file readable by the owner only', () => {
    const log = new SupportLog({ dir: tempDir() });
    log.write('app.start', {});
    if (process.platform !== 'win32') expect(fs.statSync(log.file).mode & 0o777).toBe(0o600);
  });
});
