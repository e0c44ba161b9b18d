// Prebuilds the CLI (`npm run build:cli`, and `prepare`, so `npm install`/`npm ci` leave it ready):
// main/cli/index.ts bundled by esbuild into dist/cli/ (one chunk per command, loaded lazily), plus
// dist/cli/inputs.json naming every source file that went in. bin/caseworker.mjs runs the build
// only while none of those files is newer than it, and falls back to tsx otherwise, so a pull or
// an edit never runs stale code. Never fails an install: without esbuild it says so and exits 0.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist', 'cli');
const strict = process.argv.includes('--strict');

async function build() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('caseworker: esbuild is not installed, so the CLI is not prebuilt; it runs through tsx (slower to start)\n');
    return;
  }
  const startedAt = Date.now();
  const staging = `${out}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { index: 'main/cli/index.ts' },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Pure-JS packages a command loads on every start go into the bundle: resolving and compiling
    // undici's ~100 files, drizzle's and zod's took ~0.1 s of each `caseworker sync`. Native and
    // rarely loaded ones (exports, the app) stay in node_modules.
    plugins: [externalExcept(BUNDLED_PACKAGES)],
    // esbuild's CommonJS wrappers call require() for Node's builtins: give ESM output one.
    banner: { js: "import { createRequire as __cwCreateRequire } from 'node:module'; const require = __cwCreateRequire(import.meta.url);" },
    // The benchmarks spawn TypeScript children next to their own sources: they always run through tsx.
    external: ['../../bench/run.js'],
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    outExtension: { '.js': '.mjs' },
    // Flat, two folders below the repository like main/<layer>/*.ts, so paths made from
    // import.meta.url (`../../drizzle`, `../../dist/renderer`) find the same folders.
    chunkNames: '[name]-[hash]',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules'));
  fs.writeFileSync(path.join(staging, 'inputs.json'), JSON.stringify({ builtAt: startedAt, inputs }) + '\n');
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(staging, out);
}

/** Packages bundled into the CLI (every other bare import stays external, as `packages: 'external'` would). */
const BUNDLED_PACKAGES = ['undici', 'drizzle-orm', 'zod'];

function externalExcept(bundled) {
  const inBundle = (name) => bundled.some((pkg) => name === pkg || name.startsWith(`${pkg}/`));
  return {
    name: 'external-except',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => (inBundle(args.path) ? undefined : { path: args.path, external: true }));
    },
  };
}

try {
  await build();
} catch (error) {
  process.stderr.write(`caseworker: the CLI could not be prebuilt (${error?.message ?? error}); it runs through tsx instead\n`);
  if (strict) process.exitCode = 1;
}
