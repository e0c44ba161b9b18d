// Compact (id, updated) lists: what sync compares between the server and the replica. A million
// entries cost 16 MB here (two Float64Arrays) instead of ~100 MB as a Map of strings, which keeps
// a large caseload's sync inside its memory budget. `updated` is packed into one exact number.

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { readServerTimestamp } from '../../shared/dizions/replies.js';

/** `updated` packed into a number that compares as the timestamp does; equal stamps pack equal. */
export type Stamp = number;

/** No `updated` on the record. */
export const NO_STAMP = -1;
/** The listing did not ask for `updated` (ids only): "assume unchanged". */
export const UNKNOWN_STAMP = Number.NaN;

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * `YYYY-MM-DD HH:MM:SS` → the number YYYYMMDDHHMMSS (14 digits: exact in a double). Anything
 * else (a format the real server might use) → a negative hash, still equal for equal strings.
 */
export function packStamp(updated: unknown): Stamp {
  if (updated === null || updated === undefined || updated === '') return NO_STAMP;
  const text = String(updated);
  if (text.length === 19 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32) {
    let value = 0;
    for (const at of DIGIT_POSITIONS) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) return hashStamp(text);
      value = value * 10 + digit;
    }
    return value === 0 ? NO_STAMP : value; // 0000-00-00 00:00:00: no value
  }
  // A `T`, missing seconds, a zone (read tolerantly, as sync stores them): the same number as the seed's form.
  const read = readServerTimestamp(text);
  if (read === null) return NO_STAMP;
  if (read !== undefined && read !== text) return packStamp(read);
  return hashStamp(text);
}

/** The packed number back as `YYYY-MM-DD HH:MM:SS` (undefined for hashes and NO_STAMP). */
export function unpackStamp(stamp: Stamp): string | undefined {
  if (!(stamp >= 10_000_000_000_000)) return undefined;
  const d = String(stamp);
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)} ${d.slice(8, 10)}:${d.slice(10, 12)}:${d.slice(12, 14)}`;
}

function hashStamp(text: string): Stamp {
  // FNV-1a, 32 bits; kept below NO_STAMP so it never equals a packed timestamp or "none".
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return -2 - (hash >>> 0);
}

/** A growable list of (id, stamp) pairs; `sortUnique()` makes it ready for `diffStamps`. */
export class StampList {
  ids: Float64Array;
  stamps: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.ids = new Float64Array(Math.max(16, capacity));
    this.stamps = new Float64Array(Math.max(16, capacity));
  }

  push(id: number, stamp: Stamp): void {
    if (this.length === this.ids.length) this.grow();
    this.ids[this.length] = id;
    this.stamps[this.length] = stamp;
    this.length++;
  }

  private grow(): void {
    const ids = new Float64Array(this.ids.length * 2);
    ids.set(this.ids);
    const stamps = new Float64Array(this.stamps.length * 2);
    stamps.set(this.stamps);
    this.ids = ids;
    this.stamps = stamps;
  }

  /**
   * Sorts by id and keeps one entry per id (a known stamp wins over an unknown one). A natural
   * merge sort, one pass per await: a million entries in any order never block the event loop
   * for long (a listing is usually sorted already, or a few sorted runs: then it is one or two passes).
   */
  async sortUnique(): Promise<this> {
    if (!this.isSorted()) await this.mergeRuns();
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      if (kept > 0 && this.ids[kept - 1] === this.ids[i]) {
        if (Number.isNaN(this.stamps[kept - 1]!)) this.stamps[kept - 1] = this.stamps[i]!;
        continue;
      }
      this.ids[kept] = this.ids[i]!;
      this.stamps[kept] = this.stamps[i]!;
      kept++;
    }
    this.length = kept;
    return this;
  }

  private async mergeRuns(): Promise<void> {
    const n = this.length;
    let ids = this.ids.slice(0, n);
    let stamps = this.stamps.slice(0, n);
    let outIds = new Float64Array(n);
    let outStamps = new Float64Array(n);
    let runs: number[] = [0];
    for (let i = 1; i < n; i++) if (ids[i - 1]! > ids[i]!) runs.push(i);
    runs.push(n);
    while (runs.length > 2) {
      const next: number[] = [0];
      for (let r = 0; r + 1 < runs.length; r += 2) {
        const from = runs[r]!;
        const mid = runs[r + 1]!;
        const to = r + 2 < runs.length ? runs[r + 2]! : mid;
        let a = from;
        let b = mid;
        let o = from;
        while (a < mid && b < to) {
          // `<=` keeps equal ids in their original order (stable).
          if (ids[a]! <= ids[b]!) {
            outIds[o] = ids[a]!;
            outStamps[o++] = stamps[a++]!;
          } else {
            outIds[o] = ids[b]!;
            outStamps[o++] = stamps[b++]!;
          }
        }
        while (a < mid) {
          outIds[o] = ids[a]!;
          outStamps[o++] = stamps[a++]!;
        }
        while (b < to) {
          outIds[o] = ids[b]!;
          outStamps[o++] = stamps[b++]!;
        }
        next.push(to);
      }
      [ids, outIds] = [outIds, ids];
      [stamps, outStamps] = [outStamps, stamps];
      runs = next;
      await yieldToLoop();
    }
    this.ids = ids;
    this.stamps = stamps;
  }

  private isSorted(): boolean {
    for (let i = 1; i < this.length; i++) if (this.ids[i - 1]! > this.ids[i]!) return false;
    return true;
  }

  /** The ids alone (a copy, exact length). */
  idArray(): Float64Array {
    return this.ids.slice(0, this.length);
  }

  /** Whether `id` is in the (sorted) list. */
  has(id: number): boolean {
    const at = lowerBound(this.ids, id, this.length);
    return at < this.length && this.ids[at] === id;
  }

  /** The largest packed timestamp in the list (NO_STAMP when none). */
  maxStamp(): Stamp {
    let max = NO_STAMP;
    for (let i = 0; i < this.length; i++) if (this.stamps[i]! > max) max = this.stamps[i]!;
    return max;
  }
}

/** The first index of ascending `ids[0..length)` holding a value ≥ `id` (`length` when none does). */
export function lowerBound(ids: ArrayLike<number>, id: number, length = ids.length): number {
  let lo = 0;
  let hi = length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return lo;
}

export interface StampDiff {
  /** On the server and new or changed here (pending edits excluded), ascending. */
  fetch: number[];
  /** Here but no longer on the server's list (pending edits and local-only negative ids excluded). */
  remove: number[];
  /** Changed on the server but kept back because the record has pending local edits. */
  heldBack: number[];
  unchanged: number;
}

export interface DiffOptions {
  /** Ids with pending local edits: never overwritten, never removed by a download. */
  pending?: ReadonlySet<number>;
  /** Re-fetch every listed record (a `--full` sync). */
  full?: boolean;
  /** Ids known to have changed even though the listing carried no stamp (referrals' updated filter). */
  changed?: ReadonlySet<number>;
}

/** Merge-joins two sorted, unique lists: what to fetch, what to remove, what is current. */
export function diffStamps(server: StampList, local: StampList, options: DiffOptions = {}): StampDiff {
  const pending = options.pending ?? new Set<number>();
  const out: StampDiff = { fetch: [], remove: [], heldBack: [], unchanged: 0 };
  let s = 0;
  let l = 0;
  while (s < server.length || l < local.length) {
    const sid = s < server.length ? server.ids[s]! : Infinity;
    const lid = l < local.length ? local.ids[l]! : Infinity;
    if (sid === lid) {
      const stamp = server.stamps[s]!;
      const changed = options.full === true || options.changed?.has(sid) === true || (!Number.isNaN(stamp) && stamp !== local.stamps[l]!);
      if (!changed) out.unchanged++;
      else if (pending.has(sid)) out.heldBack.push(sid);
      else out.fetch.push(sid);
      s++;
      l++;
    } else if (sid < lid) {
      if (pending.has(sid)) out.heldBack.push(sid);
      else out.fetch.push(sid);
      s++;
    } else {
      // Negative ids are records created offline: only the outbox may remove them.
      if (lid > 0 && !pending.has(lid)) out.remove.push(lid);
      l++;
    }
  }
  return out;
}
