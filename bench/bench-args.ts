// The bench's command-line plumbing. The bench is loaded by `caseworker bench` (main/cli), so it
// must not import main/cli back (that would be a loop between the two folders): a mistake in its
// arguments is an error named UsageError, which the CLI prints with the usage and exit status 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

class BenchUsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
}

export function intOption(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min) throw new BenchUsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return Number(value);
}

/** The table or JSON: stdout. */
export function printJson(data: unknown): void {
  process.stdout.write(JSON.stringify(data) + '\n');
}

/** Progress: stderr. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}
