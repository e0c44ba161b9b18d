// The dialect a CLI command was given: `--dialect` or CASEWORKER_DIALECT, checked; undefined when
// neither is set (the command then falls back on the dialect saved with the replica).

import { isDialect, type Dialect } from '../../shared/dizions/dialects.js';
import { UsageError } from './usage.js';

export function givenDialect(flag: string | undefined, env = process.env): Dialect | undefined {
  const text = flag ?? env.CASEWORKER_DIALECT;
  if (text === undefined || text === '') return undefined;
  if (!isDialect(text)) throw new UsageError(`--dialect must be 2019 or 2025, got "${text}"`);
  return text;
}
