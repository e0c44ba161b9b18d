// Renderer figures in the browser host, in Debian's headless Chromium: how long the caseload takes
// to show its first rows, and the frame time while its virtual grid scrolls from the first to the
// last of 10,000 clients (rows fetched a page at a time as they come into view). The app runs its
// demo with a charity 2.4 times that size (its worker sees a little under half) and a sync scope of every client
// they can see, kept under bench-data/. Standalone: `npx tsx bench/renderer-bench.ts [--rows N]`.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser, startWebApp, type InProcessApp } from '../test/support/e2e-support.js';
import { percentile, type BenchRow } from './bench-row.js';

export interface RendererBenchOptions {
  /** Caseload rows to show (default 10,000). */
  rows?: number;
  /** Clients in the demo charity (default 2.4 × `rows`: the demo worker sees a little under half of them). */
  clients?: number;
  /** Timed page loads for the first paint (default 7, after one warm-up). */
  loads?: number;
  /** Pixels scrolled per animation frame (default 600, about 11 rows). */
  pixelsPerFrame?: number;
  /** Where the demo and its replica are kept between runs (default bench-data/). */
  dataDir?: string;
  log?: (message: string) => void;
}

/** The app with every client of its demo charity in the replica (synced once, then reused). */
async function syncedApp(dir: string, clients: number, rows: number, log: (m: string) => void): Promise<InProcessApp> {
  log(`bench: the demo charity (${clients.toLocaleString('en-GB')} clients) under ${dir}, generated once…`);
  const app = await startWebApp(dir, { clients, seed: 2024 });
  const settings = await app.core.services['settings:get']({});
  if (settings.scope.join() !== 'clients') await app.core.services['settings:set-scope']({ scope: ['clients'] });
  const held = await app.core.services['caseload:list']({ limit: 1 });
  if (held.total < rows) {
    log('bench: syncing every client the demo worker can see into the replica (once)…');
    await app.core.services['sync:run']({});
  }
  return app;
}

/**
 * Runs in the page: one scroll step per animation frame, top to bottom, each frame's duration kept.
 * A string, not a function, so the bundler's helpers (tsx names its closures) never reach the page.
 */
function scrollScript(px: number): string {
  return `new Promise((resolve) => {
    const viewport = document.querySelector('.vt__viewport');
    viewport.scrollTop = 0;
    const times = [];
    let last = performance.now();
    requestAnimationFrame(function tick(now) {
      times.push(now - last);
      last = now;
      if (viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - 1) return resolve(times.slice(1));
      viewport.scrollTop += ${Math.max(1, Math.round(px))};
      requestAnimationFrame(tick);
    });
  })`;
}

export async function benchRenderer(opts: RendererBenchOptions = {}): Promise<BenchRow[]> {
  const rows = opts.rows ?? 10_000;
  const clients = opts.clients ?? Math.ceil(rows * 2.4);
  const loads = opts.loads ?? 7;
  const step = opts.pixelsPerFrame ?? 600;
  const log = opts.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const dir = path.join(opts.dataDir ?? path.join(process.cwd(), 'bench-data'), `renderer-${clients}`);
  fs.mkdirSync(dir, { recursive: true });

  const app = await syncedApp(dir, clients, rows, log);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(app.url); // sets the session cookie
    const caseload = new URL('/caseload', app.url).href;
    const firstRow = '[role="grid"] [role="row"][aria-rowindex="2"] a';

    // First paint: from the start of navigation to the first client row on screen.
    const paints: number[] = [];
    for (let i = 0; i <= loads; i++) {
      await page.goto(caseload);
      await page.locator(firstRow).waitFor();
      const ms = await page.evaluate(() => performance.now());
      if (i > 0) paints.push(ms); // the first load warms the server's caches and the browser's
    }
    const rowCount = Number(await page.getByRole('grid').getAttribute('aria-rowcount')) - 1;
    if (rowCount < rows) throw new Error(`the caseload shows ${rowCount} rows, not the ${rows} asked for: give the demo more clients (--clients)`);

    // Scrolling: one scroll step per animation frame, top to bottom, every frame's duration kept.
    const frames = (await page.evaluate(scrollScript(step))) as number[];
    await page.locator('[role="row"]').filter({ hasText: /\S/ }).last().waitFor();
    const lastIndex = await page.evaluate(() => Math.max(...Array.from(document.querySelectorAll('[role="row"][aria-rowindex]')).map((r) => Number(r.getAttribute('aria-rowindex')))));

    const sortedPaints = [...paints].sort((a, b) => a - b);
    const sortedFrames = [...frames].sort((a, b) => a - b);
    const long = frames.filter((f) => f > 50).length;
    const note = `headless Chromium (software rendering), ${rowCount.toLocaleString('en-GB')} rows`;
    return [
      {
        name: 'renderer: caseload first rows on screen (median)',
        value: percentile(sortedPaints, 50),
        unit: 'ms',
        target: '≤ 1000 ms',
        note: `${loads} loads; p95 ${percentile(sortedPaints, 95).toFixed(0)} ms; ${note}`,
      },
      { name: 'renderer: frame time scrolling the caseload (p50)', value: percentile(sortedFrames, 50), unit: 'ms', note: `${frames.length} frames, ${step} px each, to row ${lastIndex - 1}` },
      {
        name: 'renderer: frame time scrolling the caseload (p95)',
        value: percentile(sortedFrames, 95),
        unit: 'ms',
        target: '≤ 33 ms (30 fps)',
        note: `${long} frames over 50 ms; max ${Math.max(...frames).toFixed(0)} ms`,
      },
    ];
  } finally {
    await browser.close();
    await app.stop();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href; // a Windows path too
if (isMain) {
  const number = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? Number(process.argv[at + 1]) : undefined;
  };
  const rows = number('--rows');
  const clients = number('--clients');
  benchRenderer({ ...(rows ? { rows } : {}), ...(clients ? { clients } : {}) }).then(
    (rows) => {
      for (const r of rows) process.stdout.write(`${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.target ? ` (target ${r.target})` : ''} — ${r.note ?? ''}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
