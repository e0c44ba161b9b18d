// `npm run dist`: builds the renderer and the Electron bundles, then electron-builder packages them
// for this OS (electron-builder.yml). Needs a connected machine: Electron and its headers are
// downloaded. The beforePack hook rebuilds better-sqlite3 for Electron inside node_modules; this
// script always rebuilds it for Node afterwards, so `npm test` works again whether packaging passed or not.
import { spawnSync } from 'node:child_process';

const shell = process.platform === 'win32';

function run(command, args) {
  console.log(`> ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', shell });
  return result.status ?? 1;
}

let status = run('npm', ['run', 'build:renderer']);
if (status === 0) status = run('npm', ['run', 'build:electron']);
if (status === 0) {
  status = run('npx', ['electron-builder', '--publish', 'never', ...process.argv.slice(2)]);
  const restored = run('npm', ['rebuild', 'better-sqlite3']);
  if (restored !== 0) console.error('could not rebuild better-sqlite3 for Node: run `npm rebuild better-sqlite3` before `npm test`');
}
process.exit(status);
