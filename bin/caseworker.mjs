#!/usr/bin/env node
// Runs the CLI prebuilt by build/cli.mjs (at `npm install`/`npm ci` time) when that build is newer
// than every source file that went into it; otherwise — no build yet, or sources changed since (a
// pull, an edit) — runs the TypeScript directly through tsx, so nothing stale ever runs. The
// benchmarks always run through tsx (they spawn TypeScript children beside their sources).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function prebuiltIsCurrent() {
  if (process.env.CASEWORKER_TSX === '1' || process.argv[2] === 'bench') return false;
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(`${root}dist/cli/inputs.json`, 'utf8'));
  } catch {
    return false;
  }
  for (const input of manifest.inputs) {
    const stat = fs.statSync(root + input, { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > manifest.builtAt) return false;
  }
  return true;
}

if (prebuiltIsCurrent()) {
  await import('../dist/cli/index.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../main/cli/index.ts');
}
