// The simulator's fault spec: a small grammar (`500=0.2,reset-after=#1@PUT,fault-seed=7`) and the
// plan that decides, request by request, which fault fires. Decisions depend only on the spec and
// the order of requests (a seeded PRNG, counted triggers), so a run with the same spec replays the
// same faults. Grammar reference: docs/simulator.md. Pure: no I/O here; server.ts applies faults.

export const FAULT_MODES = ['latency', '429', '500', '503', 'reset-before', 'reset-after', 'truncate', 'malformed', 'trickle'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

export type FaultTrigger = { rate: number } | { count: number };

export interface FaultScope {
  /** Upper-case HTTP method, or undefined for any. */
  method?: string;
  /** Path prefix relative to /v2, matched whole segments at a time (`clients` matches `clients/id/4`). */
  pathPrefix?: string;
}

export interface FaultRule {
  mode: FaultMode;
  trigger: FaultTrigger;
  scope: FaultScope;
  /** The item as written, for status and log output. */
  text: string;
}

export interface FaultSettings {
  seed: number; // fault-seed
  retryAfterSeconds: number; // retry-after, for 429
  trickleBytesPerSecond: number; // trickle-bps
  latencyMs: number; // latency-ms, for the latency mode
}

export interface FaultSpec {
  rules: FaultRule[];
  settings: FaultSettings;
}

export const DEFAULT_FAULT_SETTINGS: FaultSettings = {
  seed: 1,
  retryAfterSeconds: 1,
  trickleBytesPerSecond: 1024,
  latencyMs: 1000,
};

const SETTING_KEYS: Record<string, keyof FaultSettings> = {
  'fault-seed': 'seed',
  'retry-after': 'retryAfterSeconds',
  'trickle-bps': 'trickleBytesPerSecond',
  'latency-ms': 'latencyMs',
};
const SETTING_MINIMUM: Record<keyof FaultSettings, number> = { seed: 0, retryAfterSeconds: 0, trickleBytesPerSecond: 1, latencyMs: 0 };

/** Parses a fault spec; '' (or only whitespace) means no faults. Throws FaultSpecError with the item at fault. */
export function parseFaultSpec(spec: string): FaultSpec {
  const settings = { ...DEFAULT_FAULT_SETTINGS };
  const rules: FaultRule[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item === '') {
      if (spec.trim() !== '') throw new FaultSpecError(`empty item in fault spec "${spec}" (items are separated by single commas)`);
      continue;
    }
    const eq = item.indexOf('=');
    if (eq < 0) {
      throw new FaultSpecError(`"${item}" needs a trigger: a rate such as ${item}=0.2 or a count such as ${item}=#3`);
    }
    const name = item.slice(0, eq).trim();
    const rest = item.slice(eq + 1).trim();
    const settingKey = SETTING_KEYS[name];
    if (settingKey) {
      if (!/^\d+$/.test(rest)) throw new FaultSpecError(`${name} takes a whole number, got "${rest}"`);
      const value = Number(rest);
      if (value < SETTING_MINIMUM[settingKey] || !Number.isSafeInteger(value)) {
        throw new FaultSpecError(`${name} must be at least ${SETTING_MINIMUM[settingKey]}, got ${rest}`);
      }
      settings[settingKey] = value;
      continue;
    }
    if (!(FAULT_MODES as readonly string[]).includes(name)) {
      throw new FaultSpecError(`unknown fault "${name}" (modes: ${FAULT_MODES.join(', ')}; settings: ${Object.keys(SETTING_KEYS).join(', ')})`);
    }
    const at = rest.indexOf('@');
    const triggerText = (at < 0 ? rest : rest.slice(0, at)).trim();
    const scopeText = at < 0 ? undefined : rest.slice(at + 1).trim();
    rules.push({ mode: name as FaultMode, trigger: parseTrigger(name, triggerText), scope: parseScope(item, scopeText), text: item });
  }
  return { rules, settings };
}

function parseTrigger(mode: string, text: string): FaultTrigger {
  if (text.startsWith('#')) {
    const digits = text.slice(1);
    if (!/^\d+$/.test(digits) || Number(digits) < 1) throw new FaultSpecError(`${mode}=${text}: a count is # and a whole number ≥ 1, e.g. ${mode}=#3`);
    return { count: Number(digits) };
  }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || Number(text) > 1) {
    throw new FaultSpecError(`${mode}=${text}: a rate is a probability from 0 to 1 (e.g. ${mode}=0.2), a count is #N (e.g. ${mode}=#3)`);
  }
  return { rate: Number(text) };
}

function parseScope(item: string, text: string | undefined): FaultScope {
  if (text === undefined) return {};
  const colon = text.indexOf(':');
  const methodText = (colon < 0 ? text : text.slice(0, colon)).trim();
  const pathText = colon < 0 ? '' : text.slice(colon + 1).trim();
  if (colon < 0 && methodText === '') throw new FaultSpecError(`"${item}": @ needs a method and/or :path, e.g. @PUT or @POST:done_contacts`);
  const scope: FaultScope = {};
  if (methodText !== '' && methodText !== '*') {
    if (!/^[A-Z]+$/.test(methodText)) throw new FaultSpecError(`"${item}": the method after @ is an upper-case HTTP method such as PUT, got "${methodText}"`);
    scope.method = methodText;
  }
  if (colon >= 0) {
    const prefix = pathText
      .replace(/^\/+/, '')
      .replace(/^v2(\/|$)/, '')
      .replace(/\/+$/, '');
    if (prefix === '') throw new FaultSpecError(`"${item}": the path after : is empty (e.g. @POST:done_contacts)`);
    if (prefix.includes('?')) throw new FaultSpecError(`"${item}": a scope path matches the path only, without a query string`);
    scope.pathPrefix = prefix;
  }
  return scope;
}

/** Whether a scope covers a request; `path` is relative to /v2 and may carry a query string. */
export function scopeMatches(scope: FaultScope, method: string, path: string): boolean {
  if (scope.method && scope.method !== method.toUpperCase()) return false;
  if (scope.pathPrefix) {
    const q = path.indexOf('?');
    const bare = (q < 0 ? path : path.slice(0, q)).replace(/^\/+/, '');
    if (bare !== scope.pathPrefix && !bare.startsWith(scope.pathPrefix + '/')) return false;
  }
  return true;
}

/** What to do to one request: extra delay, and at most one disruptive fault. */
export interface FaultDecision {
  latencyMs: number;
  mode?: Exclude<FaultMode, 'latency'>;
  /** Names of every fault that fired (for the request log), e.g. "latency+500". */
  label?: string;
}

export interface FaultRuleStatus {
  rule: string;
  mode: FaultMode;
  rate?: number;
  remaining?: number;
  scope: FaultScope;
  fired: number;
}

/** The live state of a spec: counters left, PRNG position, how often each rule fired. */
export class FaultPlan {
  readonly spec: FaultSpec;
  private readonly remaining: number[];
  private readonly fired: number[];
  private readonly random: () => number;

  constructor(readonly text: string) {
    this.spec = parseFaultSpec(text);
    this.remaining = this.spec.rules.map((r) => ('count' in r.trigger ? r.trigger.count : Infinity));
    this.fired = this.spec.rules.map(() => 0);
    this.random = mulberry32(this.spec.settings.seed);
  }

  get settings(): FaultSettings {
    return this.spec.settings;
  }

  /** Decides the faults for the next request. Rules are tried in spec order: every matching
   * latency rule adds its delay; the first other rule that fires is the request's fault. A rate
   * rule draws from the PRNG only when its scope matches; a count rule is spent only when it fires. */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    const labels: string[] = [];
    this.spec.rules.forEach((rule, index) => {
      if (rule.mode !== 'latency' && decision.mode) return;
      if (!scopeMatches(rule.scope, method, path)) return;
      if (!this.fires(index)) return;
      this.fired[index]! += 1;
      labels.push(rule.mode);
      if (rule.mode === 'latency') decision.latencyMs += this.spec.settings.latencyMs;
      else decision.mode = rule.mode;
    });
    if (labels.length > 0) decision.label = labels.join('+');
    return decision;
  }

  private fires(index: number): boolean {
    const rule = this.spec.rules[index]!;
    if ('count' in rule.trigger) {
      if (this.remaining[index]! <= 0) return false;
      this.remaining[index]! -= 1;
      return true;
    }
    return this.random() < rule.trigger.rate;
  }

  status(): { spec: string; rules: FaultRuleStatus[]; settings: FaultSettings } {
    return {
      spec: this.text,
      settings: this.spec.settings,
      rules: this.spec.rules.map((rule, index) => ({
        rule: rule.text,
        mode: rule.mode,
        ...('rate' in rule.trigger ? { rate: rule.trigger.rate } : { remaining: this.remaining[index]! }),
        scope: rule.scope,
        fired: this.fired[index]!,
      })),
    };
  }
}

/** A small, well-known 32-bit PRNG: the same seed gives the same sequence on every platform. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
