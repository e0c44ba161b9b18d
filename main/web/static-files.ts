// Which file answers a request for the built renderer, shared by the browser host and Electron's
// app:// protocol: files under the root only (no traversal, no dotfiles), index.html for the
// single-page app's own routes, and 404 — never the page — for API routes and missing assets.

import fs from 'node:fs';
import path from 'node:path';

export type StaticAnswer = { kind: 'file'; file: string; contentType: string } | { kind: 'app-route'; file: string; contentType: string } | { kind: 'not-found' };

/** Paths that belong to the host or to built assets: a miss there is a 404, not the app. */
const RESERVED_PREFIXES = ['/rpc', '/events', '/api', '/assets'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** `pathname` is the URL's (still percent-encoded) path, e.g. `/caseload` or `/assets/index-3f2a.js`. */
export function resolveStatic(root: string, pathname: string): StaticAnswer {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'not-found' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { kind: 'not-found' };
  const segments = decoded.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return { kind: 'not-found' };

  const rootDir = path.resolve(root);
  const index = path.join(rootDir, 'index.html');
  if (segments.length === 0) return { kind: 'file', file: index, contentType: contentTypeOf(index) };

  const file = path.resolve(rootDir, ...segments);
  if (!file.startsWith(rootDir + path.sep)) return { kind: 'not-found' };
  if (isFile(file)) return { kind: 'file', file, contentType: contentTypeOf(file) };

  const lower = decoded.toLowerCase();
  if (RESERVED_PREFIXES.some((p) => lower === p || lower.startsWith(`${p}/`))) return { kind: 'not-found' };
  // A missing file with an extension is a missing asset, not a page of the app.
  if (path.extname(segments[segments.length - 1]!) !== '') return { kind: 'not-found' };
  return { kind: 'app-route', file: index, contentType: contentTypeOf(index) };
}
