// Bad input, in bulk: at least 10,000 generated inputs across every channel — wrong types, missing
// and unknown fields, huge strings, __proto__/constructor keys, odd unicode, deep nesting — each
// must come back as a VALIDATION envelope, without a service ever being called, without a throw,
// and without touching Object.prototype.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../main/ipc/register.js';
import { CHANNELS } from '../../shared/ipc/channels.js';
import { channelSpec, type Channel } from '../../shared/ipc/contract.js';
import { countingServices, trustEveryone } from '../support/ipc-support.js';

const RUNS_PER_CHANNEL = Math.ceil(10_000 / CHANNELS.length) + 10;

/** Sets a key as an own, enumerable property — `__proto__` included, as JSON.parse and structured clone do. */
function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return target;
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

const pollution = () => JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as unknown;

const hugeString = fc
  .tuple(fc.integer({ min: 10_000, max: 120_000 }), fc.constantFrom('x', 'é', '😀', '\u0000', '\ud800', '<script>', "'; DROP TABLE clients; --"))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

const oddStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\ud800', '\udfff', 'ｆｉｒｓｔ', 'Ω≈ç√', '\u202e', '../../etc/passwd', 'clients/id/1;2', '0', '-0', 'NaN', '__proto__', 'constructor'),
);

/** Values of every JSON type and then some (structured clone carries more than JSON). */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  oddStrings,
  hugeString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_SAFE_INTEGER + 2, 1e308),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.array(fc.oneof(oddStrings, fc.integer(), fc.constant(null)), { maxLength: 20 }),
  fc.integer({ min: 1, max: 300 }).map((depth) => nested(depth, 'leaf')),
  fc.constant(null).map(pollution),
  fc.object({ maxDepth: 3, maxKeys: 6 }),
  fc.integer({ min: 100, max: 51_000 }).map((n) => new Array<number>(n).fill(7)),
);

const poisonKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', ''),
  oddStrings,
  hugeString.map((s) => s.slice(0, 50_000)),
);

function shapeKeys(channel: Channel): string[] {
  const shape = (channelSpec(channel).input as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** Inputs that cannot be valid for the channel: not an object; an object with a key the schema does not know; known keys with hostile values. */
function badInputs(channel: Channel): fc.Arbitrary<unknown> {
  const known = shapeKeys(channel);
  const notAnObject = hostileValue.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date);
  const knownFields = known.length === 0 ? fc.constant({} as Record<string, unknown>) : fc.dictionary(fc.constantFrom(...known), hostileValue, { maxKeys: Math.min(known.length, 6) });
  const withUnknownKey = fc
    .tuple(knownFields, poisonKey, hostileValue)
    .filter(([fields, key]) => !known.includes(key) && !(key in fields))
    .map(([fields, key, value]) => withOwn({ ...fields }, key, value));
  const arbitraries: Array<fc.Arbitrary<unknown>> = [notAnObject, withUnknownKey];
  if (known.length > 0) arbitraries.push(fc.dictionary(fc.constantFrom(...known), hostileValue, { minKeys: 1, maxKeys: Math.min(known.length, 6) }));
  return fc.oneof(...arbitraries);
}

describe('the dispatcher under fuzzed input', () => {
  it(`answers ${RUNS_PER_CHANNEL * CHANNELS.length} bad inputs across all ${CHANNELS.length} channels with VALIDATION and calls no service`, async () => {
    const counting = countingServices();
    const dispatcher = createDispatcher(counting.services, { isTrustedSender: trustEveryone });
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    let answered = 0;
    let largestReply = 0;

    for (const channel of CHANNELS) {
      const schema = channelSpec(channel).input;
      await fc.assert(
        fc.asyncProperty(badInputs(channel), async (input) => {
          // Only inputs the schema itself refuses count (a rare generated one may happen to be valid).
          fc.pre(!schema.safeParse(input).success);
          const result = await dispatcher.dispatch(channel, input, 'fuzzer');
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.code).toBe('VALIDATION');
          largestReply = Math.max(largestReply, JSON.stringify(result).length);
          answered++;
        }),
        { numRuns: RUNS_PER_CHANNEL, seed: 20_240_331 + CHANNELS.indexOf(channel), endOnFailure: true },
      );
    }

    expect(answered).toBeGreaterThanOrEqual(10_000);
    expect(counting.total()).toBe(0);
    expect(largestReply).toBeLessThan(8_000); // bounded: no huge key or value echoed back
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  }, 120_000);
});
