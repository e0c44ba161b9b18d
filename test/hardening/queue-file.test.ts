// `caseworker queue … --file` with a file far over the 32 MiB upload cap: refused by its size,
// before its bytes are read — the process's peak memory stays where it is for a small file
// (measured in the same run), not 200 MB higher — and nothing is queued.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaWithKey } from '../../main/db/open.js';
import { CLI } from '../support/cli-process.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';

const MiB = 1024 * 1024;
/** Prints the process's peak resident memory (KiB) on exit. */
const PEAK_MEMORY = "data:text/javascript,process.on('exit',()=>process.stderr.write('peak-kib='+process.resourceUsage().maxRSS+'\\n'))";

interface Queued {
  code: number | null;
  stderr: string;
  peakKiB: number;
}

function queueWithFile(db: string, file: string): Promise<Queued> {
  const child = spawn(
    process.execPath,
    ['--import', PEAK_MEMORY, CLI, 'queue', '--db', db, '--dialect', '2019', 'POST', 'clients/id/5/uploads', 'user_visibility=', 'group_visibility=', '--file', file],
    {
      env: { ...process.env, CASEWORKER_DB_KEY: TEST_KEY },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, peakKiB: Number(/peak-kib=(\d+)/.exec(stderr)?.[1] ?? NaN) })));
}

let dir: string;
let db: string;

beforeAll(() => {
  dir = tempDir('caseworker-queue-file-');
  db = path.join(dir, 'replica.db');
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY });
  replica.sqlite.prepare("INSERT INTO clients (id, raw, updated) VALUES (5, '{\"id\":5}', '2024-01-01 00:00:00')").run();
  replica.close();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('queue --file over the cap', () => {
  it('refuses a 200 MB file by its size without reading it, and queues nothing', async () => {
    const big = path.join(dir, 'scan.pdf');
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, 200 * MiB); // sparse: 200 MB to anyone who reads it, no disk used
    fs.closeSync(fd);
    const small = path.join(dir, 'letter.pdf');
    fs.writeFileSync(small, 'a letter');

    const refused = await queueWithFile(db, big);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/file: uploads are limited to 32 MiB per edit/);

    // The fair baseline: the same command with a small file, which is read and queued.
    const accepted = await queueWithFile(db, small);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(refused.peakKiB).toBeLessThan(accepted.peakKiB + 64 * 1024);

    const replica = openReplicaWithKey({ file: db, key: TEST_KEY });
    try {
      expect(replica.sqlite.prepare('SELECT COUNT(*) FROM outbox_entries').pluck().get()).toBe(1);
      expect(replica.sqlite.prepare('SELECT filename FROM outbox_files').pluck().all()).toEqual(['letter.pdf']);
    } finally {
      replica.close();
    }
  });

  it('refuses a folder given as --file with a sentence', async () => {
    const refused = await queueWithFile(db, dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/file: cannot read .*(not a file|EISDIR)/);
  });
});
