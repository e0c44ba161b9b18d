// `caseworker report` as a user runs it over a replica synced from the simulator: JSON is one line
// of exactly the server's rows, CSV goes to stdout or a file, XLSX and PDF only to a file (opened
// again here), the freshness note on stderr; a bad path or flag exits 2, a failure exits 1.
// A few runs go through the real binary (exit codes, one stdout line); the rest call the command's
// run() in-process with the entry point's error mapping, so the file stays fast on two cores.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runReportCommand } from '../../main/cli/report.js';
import { UsageError, UserFacingError } from '../../main/cli/usage.js';
import { openReplicaWithKey } from '../../main/db/open.js';
import { startSimulator, type RunningSimulator } from '../../main/sim/server.js';
import { TEST_KEY, tempDir } from '../support/db-fixtures.js';
import { serverRows, syncAs, type Login } from '../support/sync-support.js';
import { runCaseworker, type Run } from '../support/cli-process.js';

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

let sim: RunningSimulator;
let priya: Login;
let dir: string;
let db: string;

function caseworker(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCaseworker(['report', ...args], env);
}

/** The command in-process, its errors mapped as main/cli/index.ts maps them (usage → 2, user-facing → 1). */
async function inProcess(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const saved = process.env.CASEWORKER_DB_KEY;
  process.env.CASEWORKER_DB_KEY = env.CASEWORKER_DB_KEY ?? TEST_KEY;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
  try {
    const code = await runReportCommand(args);
    return { code, stdout, stderr };
  } catch (error) {
    if (error instanceof UsageError) return { code: 2, stdout, stderr: `${stderr}caseworker report: ${error.message}\nusage: caseworker report --db FILE <PATH>` };
    if (error instanceof UserFacingError) return { code: error.exitCode, stdout, stderr: `${stderr}caseworker report: ${error.message}\n` };
    throw error;
  } finally {
    out.mockRestore();
    err.mockRestore();
    if (saved === undefined) delete process.env.CASEWORKER_DB_KEY;
    else process.env.CASEWORKER_DB_KEY = saved;
  }
}

const sorted = (rows: Array<Record<string, unknown>>) => rows.map((r) => JSON.stringify(r)).sort();
const WHOLE = (['clients', 'referrals', 'due_contacts', 'done_contacts'] as const).map((group) => ({ group, path: group }));

beforeAll(async () => {
  sim = await startSimulator({ clients: 150, seed: 23 });
  priya = sim.users[0]!;
  dir = tempDir('caseworker-report-cli-');
  db = path.join(dir, 'replica.db');
  const replica = openReplicaWithKey({ file: db, key: TEST_KEY });
  try {
    await syncAs(sim, priya, replica, { scopes: WHOLE });
  } finally {
    replica.close();
  }
}, 30_000);
afterAll(async () => {
  await sim?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('caseworker report', () => {
  it('writes every format: JSON and CSV to stdout, and each format to --out, opened again', async () => {
    const out = (name: string) => path.join(dir, name);
    const crossed = 'clients/dimension/district/metric/gender';
    const json = await caseworker(['--db', db, crossed]);
    const sums = await inProcess(['--db', db, 'done_contacts/dimension/project', '--sums']);
    const csv = await inProcess(['--db', db, 'clients/dimension/district', '--format', 'csv']);
    const csvFile = await inProcess(['--db', db, 'clients/dimension/district', '--format', 'csv', '--out', out('district.csv')]);
    const xlsx = await inProcess(['--db', db, crossed, '--format', 'xlsx', '--out', out('crossed.xlsx')]);
    const pdf = await inProcess(['--db', db, 'done_contacts/dimension/month', '--format', 'pdf', '--out', out('months.pdf'), '--sums']);
    for (const run of [json, sums, csv, csvFile, xlsx, pdf]) expect(run.code, run.stderr).toBe(0);

    // JSON: one line, exactly the server's rows for the same path.
    expect(json.stdout.endsWith('\n') && json.stdout.trim().split('\n')).toHaveLength(1);
    expect(sorted(JSON.parse(json.stdout))).toEqual(sorted(await serverRows(sim, priya, crossed)));
    expect(json.stderr).toMatch(/^report: Covers everything Priya Shah \(user 1\) can see on the server/);
    // --sums: {rows, sums}, the rows still the server's, the sums beside them.
    const withSums = JSON.parse(sums.stdout) as { rows: Array<Record<string, unknown>>; sums: Array<Record<string, number>> };
    expect(sorted(withSums.rows)).toEqual(sorted(await serverRows(sim, priya, 'done_contacts/dimension/project')));
    expect(withSums.sums).toHaveLength(withSums.rows.length);
    expect(Object.keys(withSums.sums[0]!)).toEqual(['travel_time', 'travel_mileage']);

    // CSV: names, not ids, with the BOM; the same bytes to stdout as to the file.
    const leeds = sim.store
      .dictionaries()
      .get('organisations/district')!
      .find((d) => d.name === 'Leeds')!;
    expect(csv.stdout.startsWith('\uFEFFDistrict,Count\r\n')).toBe(true);
    const leedsCount = (JSON.parse((await inProcess(['--db', db, 'clients/dimension/district/district/' + leeds.id])).stdout) as Array<{ count: number }>)[0]?.count;
    expect(csv.stdout).toContain(`\r\nLeeds,${leedsCount}\r\n`);
    expect(fs.readFileSync(out('district.csv'), 'utf8')).toBe(csv.stdout);
    expect(JSON.parse(csvFile.stdout)).toMatchObject({ format: 'csv', out: out('district.csv'), scoped: false });

    // XLSX: a workbook with the crosstab of names and the definition sheet.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(fs.readFileSync(out('crossed.xlsx')) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('District');
    const firstColumn = (sheet.getColumn(1).values as unknown[]).slice(2);
    expect(firstColumn).toContain('Leeds');
    expect(workbook.getWorksheet('Definition')).toBeDefined();

    // PDF: title, path, the sum columns.
    const document = await getDocument({ data: new Uint8Array(fs.readFileSync(out('months.pdf'))), standardFontDataUrl: path.join(pdfjsRoot, 'standard_fonts') + '/', verbosity: 0 }).promise;
    const text = (await (await document.getPage(1)).getTextContent()).items.map((item) => ('str' in item ? item.str : '')).join(' ');
    await document.destroy();
    expect(text).toContain('done_contacts/dimension/month');
    expect(text).toContain('Travel time');
    expect(JSON.parse(pdf.stdout)).toMatchObject({ format: 'pdf', out: out('months.pdf') });
  });

  it('refuses a bad path, a non-report path, sums without travel figures and binary to the terminal with usage (exit 2)', async () => {
    const runs = [await caseworker(['--db', db, 'clients//dimension'])];
    for (const args of [
      ['--db', db, 'clients/district/3'],
      ['--db', db, 'clients/dimension/nope'],
      ['--db', db, 'clients/dimension/district', '--sums'],
      ['--db', db, 'clients/dimension/district', '--format', 'xlsx'],
      ['--db', db, 'clients/dimension/district', '--format', 'docx'],
      ['--db', db],
    ])
      runs.push(await inProcess(args));
    const messages = [
      /not a valid path/,
      /is not a report/,
      /unknown dimension "nope"/,
      /only due and done contacts carry/,
      /--format xlsx writes a binary file: give --out FILE/,
      /--format must be one of json, csv, xlsx, pdf/,
      /exactly one report PATH/,
    ];
    runs.forEach((run, i) => {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(messages[i]!);
      expect(run.stderr).toContain('usage: caseworker report --db FILE <PATH>');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });

  it('says in one line what failed: no key, a wrong key, no replica, a folder that does not exist (exit 1)', async () => {
    const runs = [await caseworker(['--db', db, 'clients/dimension/district'], { CASEWORKER_DB_KEY: '' })];
    for (const [args, env] of [
      [['--db', db, 'clients/dimension/district'], { CASEWORKER_DB_KEY: 'not the key' }],
      [['--db', path.join(dir, 'missing.db'), 'clients/dimension/district'], {}],
      [['--db', db, 'clients/dimension/district', '--format', 'csv', '--out', path.join(dir, 'no-such-folder', 'x.csv')], {}],
    ] as const)
      runs.push(await inProcess([...args], env));
    const messages = [/no database key: set CASEWORKER_DB_KEY/, /the key does not open this database/, /there is no replica at/, /cannot write the report to .*: its folder does not exist/];
    runs.forEach((run, i) => {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(messages[i]!);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
    expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
  });
});
