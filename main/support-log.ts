// The support log: what sync and the outbox did, for an administrator to read — ids, counts, codes,
// never personal data. A guard strips personal-data keys (names, notes, addresses, NHS numbers …),
// credentials and long free text before anything is written. Files rotate at a size cap
// (support.log, support.log.1, … up to maxFiles), and a failure to log never breaks the caller.

import fs from 'node:fs';
import path from 'node:path';
import { removeRetrying, renameRetrying } from './files/file-in-use.js';

export interface SupportLogOptions {
  dir: string;
  fileName?: string;
  /** Bytes per file before it rotates (default 1 MB). */
  maxBytes?: number;
  /** Files kept, the current one included (default 3). */
  maxFiles?: number;
  now?: () => Date;
}

/** Keys whose values are personal data or secrets, whatever they hold. */
const PERSONAL_KEYS = new Set([
  'first_name',
  'surname',
  'name',
  'full_name',
  'names',
  'description',
  'notes',
  'note',
  'comment',
  'comments',
  'postcode',
  'nhs_number',
  'telephone',
  'mobile',
  'phone',
  'email',
  'dob',
  'date_of_birth',
  'social_services_number',
  'gp_name',
  'town',
  'external_id',
  'filename',
  'file_name',
  'text',
  'body',
  'data',
  'previous',
  'mine',
  'theirs',
  'base',
  'fields',
  'form',
  'values',
  'relationship_details',
  'source',
  'org',
  'password',
  'secret',
  'token',
  'key',
  'keys',
  'authorization',
  'cookie',
  'database_key',
  'servermessage',
  'server_message',
]);
const PERSONAL_PREFIXES = ['address', 'first_name', 'surname', 'telephone', 'email'];
const PERSONAL_SUFFIXES = ['_name', '_notes', '_description', '_key', '_token', '_secret', '_password'];
/** Keys that hold ids: a number is logged, anything else (a User key pasted in the wrong place) is not. */
const ID_ONLY_KEYS = new Set(['user', 'client', 'referral', 'worker', 'id_second']);

/** Rotation retries a held file only briefly: a log line must never stall a sync. */
const LOG_RETRIES = { attempts: 3, delayMs: 20 };

/** Strings longer than this are free text, not an id or a code: dropped. */
export const MAX_LOGGED_STRING = 120;
const MAX_ARRAY = 50;
const MAX_DEPTH = 3;

const EMAIL = /[^\s@'"]+@[^\s@'"]+\.[^\s@'"]+/g;
const POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/gi;
const LONG_NUMBER = /\d[\d\s-]{8,}\d/g; // NHS numbers, phone numbers
// A quote opens after a space or punctuation (not the apostrophe of "can't") and closes before one.
const QUOTED = /(^|[\s([:=,])(?:"[^"\n]{1,200}"|'[^\n]{1,200}?'(?=$|[\s)\].,:;!?])|`[^`\n]{1,200}`|“[^”\n]{1,200}”|‘[^’\n]{1,200}’)/g;

function isPersonalKey(key: string): boolean {
  const k = key.toLowerCase();
  return PERSONAL_KEYS.has(k) || PERSONAL_PREFIXES.some((p) => k.startsWith(p)) || PERSONAL_SUFFIXES.some((s) => k.endsWith(s));
}

/** Removes what could identify a person from a short string (quoted text, emails, postcodes, long numbers). */
export function scrubText(text: string): string {
  return text.replace(QUOTED, '$1[…]').replace(EMAIL, '[email]').replace(POSTCODE, '[postcode]').replace(LONG_NUMBER, '[number]');
}

type Clean = string | number | boolean | null | Clean[] | { [key: string]: Clean };

interface Redaction {
  keys: Set<string>;
  longText: number;
}

function clean(value: unknown, depth: number, redaction: Redaction): Clean | undefined {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
    if (value.length > MAX_LOGGED_STRING) {
      redaction.longText++;
      return undefined;
    }
    return scrubText(value);
  }
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items = value
      .slice(0, MAX_ARRAY)
      .map((v) => clean(v, depth + 1, redaction))
      .filter((v): v is Clean => v !== undefined);
    return value.length > MAX_ARRAY ? [...items, `… ${value.length - MAX_ARRAY} more`] : items;
  }
  const out: { [key: string]: Clean } = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (isPersonalKey(key) || (ID_ONLY_KEYS.has(key.toLowerCase()) && typeof v !== 'number' && v !== null)) {
      redaction.keys.add(key);
      continue;
    }
    const c = clean(v, depth + 1, redaction);
    if (c !== undefined) out[key] = c;
  }
  return out;
}

/** The fields as they may be written, and what was left out (key names only). */
export function redactForSupport(fields: Record<string, unknown>): { fields: Record<string, Clean>; redacted: string[]; longText: number } {
  const redaction: Redaction = { keys: new Set(), longText: 0 };
  const cleaned = clean(fields, 0, redaction);
  const out = cleaned && typeof cleaned === 'object' && !Array.isArray(cleaned) ? cleaned : {};
  return { fields: out, redacted: [...redaction.keys].sort(), longText: redaction.longText };
}

export class SupportLog {
  readonly dir: string;
  readonly file: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly now: () => Date;
  private size: number | undefined;
  private rotateAfter = 0;

  constructor(options: SupportLogOptions) {
    this.dir = options.dir;
    this.file = path.join(options.dir, options.fileName ?? 'support.log');
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxFiles = Math.max(1, options.maxFiles ?? 3);
    this.now = options.now ?? (() => new Date());
  }

  /** Writes one event line (`{"at","event",…}`) after the guard. Never throws. */
  write(event: string, fields: Record<string, unknown> = {}): void {
    try {
      const { fields: safe, redacted, longText } = redactForSupport(fields);
      const line =
        JSON.stringify({
          at: this.now().toISOString(),
          event: scrubText(String(event)).slice(0, 80),
          ...safe,
          ...(redacted.length > 0 ? { redacted } : {}),
          ...(longText > 0 ? { droppedText: longText } : {}),
        }) + '\n';
      this.append(line);
    } catch {
      // The log is for support; losing a line must never stop a sync or an edit.
    }
  }

  /** A writer function with this log bound, for modules that take `(event, fields) => void`. */
  get writer(): (event: string, fields: Record<string, unknown>) => void {
    return (event, fields) => this.write(event, fields);
  }

  /** The log files, newest first (for "send the support log"). */
  files(): string[] {
    const all = [this.file, ...Array.from({ length: this.maxFiles - 1 }, (_, i) => `${this.file}.${i + 1}`)];
    return all.filter((f) => fs.existsSync(f));
  }

  private append(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.size === undefined) {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.size = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
    }
    if (this.size > 0 && this.size + bytes > this.maxBytes && this.now().getTime() >= this.rotateAfter) {
      try {
        this.rotate();
      } catch {
        // A backup or the indexer holds a file past the short retries: keep appending, try again in a minute
        // (logging sits on hot paths and must not stall them).
        this.rotateAfter = this.now().getTime() + 60_000;
      }
    }
    fs.appendFileSync(this.file, line, { mode: 0o600 });
    this.size += bytes;
  }

  private rotate(): void {
    const oldest = `${this.file}.${this.maxFiles - 1}`;
    if (this.maxFiles === 1) {
      removeRetrying(this.file, LOG_RETRIES);
    } else {
      removeRetrying(oldest, LOG_RETRIES);
      for (let i = this.maxFiles - 2; i >= 1; i--) {
        const from = `${this.file}.${i}`;
        if (fs.existsSync(from)) renameRetrying(from, `${this.file}.${i + 1}`, LOG_RETRIES.attempts, LOG_RETRIES.delayMs);
      }
      if (fs.existsSync(this.file)) renameRetrying(this.file, `${this.file}.1`, LOG_RETRIES.attempts, LOG_RETRIES.delayMs);
    }
    this.size = 0;
  }
}
