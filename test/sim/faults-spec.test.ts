// The fault spec grammar and the plan's decisions, without a server: what a trainer writes after
// --faults, and which requests each rule hits.
import { describe, expect, it } from 'vitest';
import { FaultPlan, FaultSpecError, parseFaultSpec, scopeMatches } from '../../main/sim/faults.js';
import { isLoopbackAddress, isLoopbackHostHeader } from '../../main/sim/loopback.js';

function firedModes(plan: FaultPlan, requests: Array<[string, string]>): Array<string | undefined> {
  return requests.map(([method, path]) => plan.decide(method, path).mode);
}

describe('the fault spec grammar', () => {
  it('reads rates, counts, scopes and settings', () => {
    const spec = parseFaultSpec('500=0.2, reset-after=#1@PUT, 429=#2@POST:done_contacts, trickle=1@:clients/id, retry-after=3, fault-seed=42, trickle-bps=50');
    expect(spec.rules.map((r) => [r.mode, r.trigger, r.scope])).toEqual([
      ['500', { rate: 0.2 }, {}],
      ['reset-after', { count: 1 }, { method: 'PUT' }],
      ['429', { count: 2 }, { method: 'POST', pathPrefix: 'done_contacts' }],
      ['trickle', { rate: 1 }, { pathPrefix: 'clients/id' }],
    ]);
    expect(spec.settings).toEqual({ seed: 42, retryAfterSeconds: 3, trickleBytesPerSecond: 50, latencyMs: 1000 });
  });

  it('treats an empty spec as no faults', () => {
    expect(parseFaultSpec('').rules).toEqual([]);
    expect(parseFaultSpec('  ').rules).toEqual([]);
    expect(new FaultPlan('').decide('GET', 'clients')).toEqual({ latencyMs: 0 });
  });

  it.each([
    ['501=0.5', /unknown fault "501"/],
    ['500', /needs a trigger.*500=0\.2.*500=#3/],
    ['500=1.5', /probability from 0 to 1/],
    ['500=#0', /whole number ≥ 1/],
    ['500=#x', /count is #/],
    ['500=#1@put', /upper-case HTTP method/],
    ['500=#1@', /@ needs a method/],
    ['500=#1@GET:', /path after : is empty/],
    ['500=#1,,503=#1', /empty item/],
    ['retry-after=soon', /retry-after takes a whole number/],
    ['trickle-bps=0', /trickle-bps must be at least 1/],
  ])('refuses %s with a message naming the mistake', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });
});

describe('fault scopes', () => {
  it('match a method and whole leading path segments, ignoring the query', () => {
    const scope = { method: 'POST', pathPrefix: 'done_contacts' };
    expect(scopeMatches(scope, 'POST', 'done_contacts/id/88')).toBe(true);
    expect(scopeMatches(scope, 'POST', 'done_contacts')).toBe(true);
    expect(scopeMatches(scope, 'post', 'done_contacts?resolveIds[]=user')).toBe(true);
    expect(scopeMatches(scope, 'PUT', 'done_contacts/id/88')).toBe(false);
    expect(scopeMatches(scope, 'POST', 'done_contacts_archive')).toBe(false);
    expect(scopeMatches(scope, 'POST', 'due_contacts/id/88')).toBe(false);
    expect(scopeMatches({}, 'DELETE', 'anything')).toBe(true);
  });
});

describe('the fault plan', () => {
  it('fires a count rule on exactly the next N matching requests, leaving others alone', () => {
    const plan = new FaultPlan('500=#2@PUT');
    expect(
      firedModes(plan, [
        ['GET', 'clients'],
        ['PUT', 'clients'],
        ['GET', 'clients'],
        ['PUT', 'referrals'],
        ['PUT', 'clients'],
      ]),
    ).toEqual([undefined, '500', undefined, '500', undefined]);
    expect(plan.status().rules[0]).toMatchObject({ remaining: 0, fired: 2 });
  });

  it('replays the same rate-based faults for the same seed, and different ones for another seed', () => {
    const requests = Array.from({ length: 200 }, (_, i): [string, string] => [i % 3 === 0 ? 'PUT' : 'GET', `clients/id/${i}`]);
    const first = firedModes(new FaultPlan('500=0.3,fault-seed=7'), requests);
    const again = firedModes(new FaultPlan('500=0.3,fault-seed=7'), requests);
    const other = firedModes(new FaultPlan('500=0.3,fault-seed=8'), requests);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    const hits = first.filter((m) => m === '500').length;
    expect(hits).toBeGreaterThan(30); // 0.3 × 200 = 60 expected
    expect(hits).toBeLessThan(90);
  });

  it('gives rate 0 no hits and rate 1 every request', () => {
    const requests = Array.from({ length: 50 }, (): [string, string] => ['GET', 'clients']);
    expect(firedModes(new FaultPlan('503=0'), requests).every((m) => m === undefined)).toBe(true);
    expect(firedModes(new FaultPlan('503=1'), requests).every((m) => m === '503')).toBe(true);
  });

  it('adds latency alongside one disruptive fault, the first in spec order', () => {
    const plan = new FaultPlan('latency=#1,latency-ms=250,reset-before=#1,500=#1');
    expect(plan.decide('GET', 'clients')).toEqual({ latencyMs: 250, mode: 'reset-before', label: 'latency+reset-before' });
    expect(plan.decide('GET', 'clients')).toEqual({ latencyMs: 0, mode: '500', label: '500' });
    expect(plan.decide('GET', 'clients')).toEqual({ latencyMs: 0 });
  });

  it('does not spend a count rule that a rule earlier in the spec pre-empted', () => {
    const plan = new FaultPlan('503=#1,500=#1');
    expect(
      firedModes(plan, [
        ['GET', 'a'],
        ['GET', 'b'],
        ['GET', 'c'],
      ]),
    ).toEqual(['503', '500', undefined]);
  });
});

describe('loopback checks', () => {
  it('know loopback addresses and Host headers from others', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ['192.0.2.2', '10.0.0.1', '::ffff:10.0.0.1', 'fd00::2', '0.0.0.0', 'localhost', undefined]) expect(isLoopbackAddress(address)).toBe(false);
    for (const host of ['127.0.0.1:4000', 'localhost:4000', 'LOCALHOST', '[::1]:4000', '127.0.0.1']) expect(isLoopbackHostHeader(host)).toBe(true);
    for (const host of ['evil.example:4000', 'localhost.evil.example', '127.0.0.1.nip.io', '[fd00::2]:4000', '', undefined]) expect(isLoopbackHostHeader(host)).toBe(false);
  });
});
