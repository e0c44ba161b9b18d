// Shared CLI plumbing: argument parsing that turns mistakes into a usage message (never a stack
// trace), and the output convention — data on stdout as one JSON line, everything else on stderr.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PLAIN_HTTP_REFUSED, isRefusedPlainHttp } from '../../shared/server-address.js';
import type { NetworkOptions } from '../api/network.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** An error a user can act on: printed as its message alone, exit 1. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function intOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return Number(value);
}

/** `field=value` words of `api` and `queue`; `field=` sends an empty value (clears the field). */
export function parseAssignments(assignments: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`"${assignment}" is not field=value`);
    // Defined, not assigned: `__proto__=1` must become a field (and be refused as one), not a prototype.
    Object.defineProperty(fields, assignment.slice(0, eq), { value: assignment.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return fields;
}

/** Data: one JSON document on one line on stdout. */
export function printJson(data: unknown): void {
  process.stdout.write(JSON.stringify(data) + '\n');
}

/** Logs and progress: stderr. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}

/** Connection settings from flags or the CASEWORKER_* environment variables. */
export const CONNECTION_OPTIONS = {
  server: { type: 'string' },
  source: { type: 'string' },
  org: { type: 'string' },
  user: { type: 'string' },
  dialect: { type: 'string' },
  proxy: { type: 'string' },
} as const satisfies Options;

export interface ConnectionArgs {
  server?: string | undefined;
  source?: string | undefined;
  org?: string | undefined;
  user?: string | undefined;
  dialect?: string | undefined;
  /** `--proxy URL` (all hosts, loopback too); `--proxy ''` = direct. Without it: HTTPS_PROXY/HTTP_PROXY/NO_PROXY. */
  proxy?: string | undefined;
}

/**
 * The network settings of `--proxy`; without the flag the client reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY
 * itself. The address is checked when the client is made (a bad one is a usage error there), so
 * that every command's start does not load the network code.
 */
function networkFrom(proxy: string | undefined): NetworkOptions {
  if (proxy === undefined) return {};
  return { proxy: proxy === '' ? null : proxy, proxyLoopback: true };
}

export function connectionFrom(values: ConnectionArgs, env = process.env) {
  const server = values.server ?? env.CASEWORKER_SERVER;
  const source = values.source ?? env.CASEWORKER_SOURCE;
  const org = values.org ?? env.CASEWORKER_ORG;
  const user = values.user ?? env.CASEWORKER_USER;
  const dialect = values.dialect ?? (env.CASEWORKER_DIALECT || undefined) ?? '2019';
  const missing = [
    ['--server', 'CASEWORKER_SERVER', server],
    ['--source', 'CASEWORKER_SOURCE', source],
    ['--org', 'CASEWORKER_ORG', org],
    ['--user', 'CASEWORKER_USER', user],
  ].filter(([, , v]) => !v);
  if (missing.length > 0) {
    throw new UsageError(`missing connection settings: ${missing.map(([flag, envName]) => `${flag} (or ${envName})`).join(', ')}`);
  }
  if (dialect !== '2019' && dialect !== '2025') throw new UsageError(`--dialect must be 2019 or 2025, got "${dialect}"`);
  if (isRefusedPlainHttp(server!)) throw new UserFacingError(`--server ${server}: ${PLAIN_HTTP_REFUSED}`);
  return { baseUrl: server!, source: source!, org: org!, user: user!, dialect: dialect as '2019' | '2025', network: networkFrom(values.proxy) };
}
