// The house's boundary rules (.dependency-cruiser.cjs, run by `npm run check`) refuse each
// deliberate violation: every case builds a tiny tree in a temporary folder with the project's
// folder names, one file breaking one rule, and runs dependency-cruiser on it with the real config.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const made: string[] = [];

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary tree laid out like the project's, with its config, tsconfig and node_modules. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caseworker-boundaries-'));
  made.push(dir);
  fs.copyFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
  fs.copyFileSync(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Runs the check as `npm run deps` does; resolves to its exit status and report. */
function cruise(dir: string): Promise<{ status: number; report: string }> {
  const folders = ['main', 'shared', 'renderer', 'bench'].filter((f) => fs.existsSync(path.join(dir, f)));
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPCRUISE, ...folders, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: dir }, (error, stdout, stderr) => {
      resolve({ status: error ? Number(error.code ?? 1) : 0, report: stdout + stderr });
    });
  });
}

const SFC = (script: string) => `<script setup lang="ts">\n${script}\n</script>\n<template><p>{{ 1 }}</p></template>\n`;

describe('the boundary rules refuse a deliberate violation of each', () => {
  it('accepts a tree that keeps every boundary', async () => {
    const dir = tree({
      'shared/labels.ts': "export const label = (name: string) => name.replace(/_/g, ' ');\n",
      'main/reports/table.ts': "import { label } from '../../shared/labels.js';\nexport const header = label('first_name');\n",
      'main/electron/app.ts': "import { app } from 'electron';\nimport { header } from '../reports/table.js';\nexport const name = app?.name ?? header;\n",
      'renderer/src/App.vue': SFC("import { label } from '../../shared/labels.js';\nconst text = label('surname');"),
    });
    const { status, report } = await cruise(dir);
    expect(report).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('shared/ importing main/ is refused (shared-is-pure)', async () => {
    const dir = tree({
      'shared/labels.ts': "import { header } from '../main/reports/table.js';\nexport const label = () => header;\n",
      'main/reports/table.ts': "export const header = 'Surname';\n",
    });
    const { status, report } = await cruise(dir);
    expect(status).not.toBe(0);
    expect(report).toMatch(/shared-is-pure: shared\/labels\.ts → main\/reports\/table\.ts/);
  });

  it('shared/ importing a node: module is refused (shared-no-node)', async () => {
    const dir = tree({ 'shared/ids.ts': "import { randomUUID } from 'node:crypto';\nexport const id = () => randomUUID();\n" });
    const { status, report } = await cruise(dir);
    expect(status).not.toBe(0);
    expect(report).toMatch(/shared-no-node: shared\/ids\.ts → (node:)?crypto/);
  });

  it('a renderer .vue file importing main/ is refused (renderer-sees-only-shared)', async () => {
    const dir = tree({
      'main/reports/chart-model.ts': 'export const chartModel = () => ({ bars: [] as number[] });\n',
      'renderer/src/components/Chart.vue': SFC("import { chartModel } from '../../../main/reports/chart-model.js';\nconst model = chartModel();"),
    });
    const { status, report } = await cruise(dir);
    expect(status).not.toBe(0);
    expect(report).toMatch(/renderer-sees-only-shared: renderer\/src\/components\/Chart\.vue → main\/reports\/chart-model\.ts/);
  });

  it('electron imported outside main/electron/ is refused (electron-only-in-shell)', async () => {
    const dir = tree({ 'main/app/window.ts': "import { BrowserWindow } from 'electron';\nexport const open = () => new BrowserWindow();\n" });
    const { status, report } = await cruise(dir);
    expect(status).not.toBe(0);
    expect(report).toMatch(/electron-only-in-shell: main\/app\/window\.ts → .*node_modules\/electron\//);
  });

  it('two folders of main/ importing each other are refused (no-folder-loops)', async () => {
    const dir = tree({
      'main/outbox/queue.ts': "import { apply } from '../edits/apply.js';\nexport const queue = () => apply();\nexport const family = 'clients';\n",
      'main/edits/apply.ts': "import { family } from '../outbox/families.js';\nexport const apply = () => family;\n",
      'main/outbox/families.ts': "export const family = 'clients';\n",
    });
    const { status, report } = await cruise(dir);
    expect(status).not.toBe(0);
    expect(report).toMatch(/no-folder-loops: main\/(outbox|edits) →/);
  });
});
