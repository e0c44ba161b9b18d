// `npm run lint:electron`: Doyensec's Electronegativity on main/electron (the only code that imports
// electron), for the Electron version in node_modules. It runs offline: its translation and
// Electron-release lookups fail quietly without a network. Prints every finding; exits 1 on any HIGH.
// Another folder: `npm run lint:electron -- main`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const target = process.argv[2] ?? 'main/electron';
const electronVersion = require('electron/package.json').version;
const cli = require.resolve('@doyensec/electronegativity/dist/index.js');
const out = path.join(os.tmpdir(), `caseworker-electronegativity-${process.pid}.csv`);

const result = spawnSync(process.execPath, [cli, '-i', target, '-r', '-v', 'false', '-e', electronVersion, '-o', out], { encoding: 'utf8' });
if (result.status !== 0 || !fs.existsSync(out)) {
  console.error(result.stdout, result.stderr);
  console.error('electronegativity did not run');
  process.exit(2);
}

/** One CSV line of the report: commas separate fields, double quotes may wrap them. */
function fields(line) {
  const out = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  out.push(current.trim());
  return out;
}

const lines = fs
  .readFileSync(out, 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim());
fs.rmSync(out, { force: true });
const findings = lines.map(fields).map(([issue, severity, confidence, file, location, , description]) => ({ issue, severity, confidence, file, location, description }));
console.log(`electronegativity on ${target} (Electron ${electronVersion}): ${findings.length} finding(s)`);
for (const f of findings) console.log(`  ${f.severity.padEnd(6)} ${f.confidence.padEnd(9)} ${f.issue.padEnd(24)} ${f.file}:${f.location}  ${f.description}`);
const high = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL');
if (high.length > 0) {
  console.error(`${high.length} HIGH finding(s): fix them before shipping`);
  process.exit(1);
}
