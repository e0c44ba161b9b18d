// Writing an export to the file a person named (CLI --out, the desktop app's save dialog). An
// export never replaces a database: not the replica, not its -wal/-shm/-journal, not any file that
// is a SQLite database or looks like an encrypted one, not anything in the app's data folder. The
// bytes go to a temp file beside the target and are renamed into place (link-then-unlink when the
// target does not exist, so a database appearing meanwhile is never overwritten either). A target
// held open by another program (Excel on Windows) is retried briefly, then refused in plain words.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isFileInUse, retryWhileBusyAsync } from '../files/file-in-use.js';

/** A failure the person exporting can act on; its message is one plain sentence. */
export class ExportFileError extends Error {
  override name = 'ExportFileError';
  constructor(
    message: string,
    readonly inUse = false,
  ) {
    super(message);
  }
}

export interface ExportTargetOptions {
  /** Databases open now (the replica): never written over, nor their -wal, -shm or -journal. */
  protectedFiles?: readonly string[];
  /** Folders no export goes into (the app's data folder: replica, keys, logs). */
  protectedDirs?: readonly string[];
  platform?: NodeJS.Platform;
}

const SIDE_FILES = ['-wal', '-shm', '-journal'];
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function comparable(file: string, platform: NodeJS.Platform): string {
  let resolved = path.resolve(file);
  try {
    resolved = fs.realpathSync.native(resolved);
  } catch {
    try {
      resolved = path.join(fs.realpathSync.native(path.dirname(resolved)), path.basename(resolved)); // the file may not exist yet
    } catch {
      // the folder does not exist either: the write will say so
    }
  }
  // Windows and macOS file systems are case-insensitive by default: A.DB is a.db.
  return platform === 'linux' ? resolved : resolved.toLowerCase();
}

function sameFile(a: string, b: string): boolean {
  try {
    const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * What the first bytes of an existing file say: a SQLite database (plain header), an encrypted
 * database (page-sized, no known signature, bytes indistinguishable from random), or neither.
 */
export function databaseKind(file: string): 'sqlite' | 'encrypted' | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return null;
    const size = stat.size;
    const head = Buffer.alloc(Math.min(size, 4096));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.subarray(0, 16).equals(SQLITE_HEADER)) return 'sqlite';
    if (size < 4096 || size % 512 !== 0) return null;
    // Exports carry a signature: xlsx (zip) "PK", pdf "%PDF"; csv and json are text.
    if (head.subarray(0, 2).toString('latin1') === 'PK' || head.subarray(0, 5).toString('latin1') === '%PDF-') return null;
    const seen = new Set(head.subarray(0, 1024));
    return seen.size > 200 ? 'encrypted' : null; // random bytes show ~250 of 256 values in 1 KiB; text and most formats far fewer
  } finally {
    fs.closeSync(fd);
  }
}

/** Throws an ExportFileError when `outPath` must not be written; otherwise returns the resolved path. */
export function checkExportTarget(outPath: string, options: ExportTargetOptions = {}): string {
  const platform = options.platform ?? process.platform;
  const target = path.resolve(outPath);
  const key = comparable(target, platform);
  const refuse = (why: string) => new ExportFileError(`Caseworker will not write the report to ${outPath}: ${why}. Nothing was written; choose another file name.`);
  for (const file of options.protectedFiles ?? []) {
    const db = comparable(file, platform);
    if (key === db || sameFile(target, file)) return throwIt(refuse('it is the replica (your offline records and unsent edits)'));
    for (const suffix of SIDE_FILES) {
      if (key === db + suffix || sameFile(target, file + suffix)) return throwIt(refuse(`it is part of the replica ${file} (its ${suffix.slice(1)} file)`));
    }
  }
  for (const dir of options.protectedDirs ?? []) {
    const folder = comparable(dir, platform);
    if (key.startsWith(folder + path.sep) || key === folder) return throwIt(refuse("it is inside Caseworker's own data folder"));
  }
  for (const suffix of SIDE_FILES) {
    if (target.toLowerCase().endsWith(suffix) && fs.existsSync(target.slice(0, -suffix.length))) {
      return throwIt(refuse(`it belongs to the database ${target.slice(0, -suffix.length)}`));
    }
  }
  const kind = databaseKind(target);
  if (kind === 'sqlite') return throwIt(refuse('it is a database'));
  if (kind === 'encrypted') return throwIt(refuse('it looks like an encrypted database'));
  return target;
}

function throwIt(error: Error): never {
  throw error;
}

/** Why a write failed, in words a person can act on. */
export function explainWriteFailure(outPath: string, error: unknown, platform: NodeJS.Platform = process.platform): string {
  if (isFileInUse(error, platform)) {
    return `cannot save ${path.basename(outPath)}: another program has it open (Excel, a viewer or a sync client). Close it in Excel (or that program) and try again.`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied (choose a folder you can write to, such as Documents)'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'ENOSPC'
            ? 'the disk is full'
            : code === 'EROFS'
              ? 'the disk is read-only'
              : (error as Error).message;
  return `cannot write the report to ${outPath}: ${why}`;
}

/**
 * Writes `data` to `outPath` through a temp file and a rename, after checkExportTarget. A failed
 * write leaves the old file (if any) as it was and no temp file behind.
 */
export async function writeExportFile(outPath: string, data: Buffer | string, options: ExportTargetOptions = {}): Promise<string> {
  const platform = options.platform ?? process.platform;
  const target = checkExportTarget(outPath, options);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.promises.writeFile(temp, data, { flag: 'wx' });
    await retryWhileBusyAsync(async () => {
      checkExportTarget(outPath, options); // again, just before the swap: nothing became a database meanwhile
      try {
        // No target yet: link fails rather than replace anything that appeared since the check.
        await fs.promises.link(temp, target);
        await fs.promises.rm(temp, { force: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw error;
        if (code !== 'EEXIST' && !fs.existsSync(temp)) throw error;
        await fs.promises.rename(temp, target); // an export the person chose to replace (checked above)
      }
    });
    return target;
  } catch (error) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof ExportFileError) throw error;
    throw new ExportFileError(explainWriteFailure(outPath, error, platform), isFileInUse(error, platform));
  }
}
