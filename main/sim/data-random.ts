// Deterministic randomness and UK identifier formats for the simulator's generator.
// Everything here is a pure function of its seed: the same seed gives the same data on every
// machine, which is what makes `--seed` reproducible and the generator testable.

/** A small, fast, seedable PRNG (sfc32 seeded through splitmix32). */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.float();
  }

  /** A float in [0, 1). */
  float(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  /** An integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.float() * total;
    for (const [value, w] of items) {
      r -= w;
      if (r < 0) return value;
    }
    return items[items.length - 1]![0];
  }

  /** A small count with the given mean (Poisson by inversion; fine for means under ~30). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  hex(chars: number): string {
    let out = '';
    while (out.length < chars)
      out += Math.floor(this.float() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    return out.slice(0, chars);
  }
}

/** A stable hash of (seed, n) to [0, 1): picks deterministic samples without a stream. */
export function unitHash(seed: number, n: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(n >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return h / 4294967296;
}

// ---- NHS numbers -------------------------------------------------------------------------------

/** The mod-11 check digit of the first nine digits, or undefined when none exists (remainder 10). */
export function nhsCheckDigit(nineDigits: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

export function isValidNhsNumber(value: string): boolean {
  const digits = value.replace(/\s+/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** A 10-digit NHS number with a valid check digit (England's numbers start 4–9). */
export function randomNhsNumber(rng: Random): string {
  for (;;) {
    let nine = String(rng.int(4, 9));
    for (let i = 0; i < 8; i++) nine += String(rng.int(0, 9));
    const check = nhsCheckDigit(nine);
    if (check !== undefined) return nine + String(check);
  }
}

// ---- postcodes -----------------------------------------------------------------------------------

/** Letters the inward code may use (Royal Mail excludes C I K M O V). */
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

/** The format of a UK postcode: outward code, one space, inward code. */
export const UK_POSTCODE_PATTERN = /^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}$/;

/** A postcode of valid format in the given postcode area (e.g. "LS"). */
export function randomPostcode(rng: Random, area: string): string {
  const district = rng.int(1, area.length === 1 ? 20 : 28);
  const inward = `${rng.int(0, 9)}${INWARD_LETTERS[rng.int(0, INWARD_LETTERS.length - 1)]}${INWARD_LETTERS[rng.int(0, INWARD_LETTERS.length - 1)]}`;
  return `${area}${district} ${inward}`;
}
