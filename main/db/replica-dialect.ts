// The dialect a replica's server speaks, saved with the replica (sync_state `dialect`): set by
// `caseworker doctor --db`, by `sync` when it had to detect it, or by an explicit --dialect. The CLI
// reads it before defaulting to anything, so a connection never silently falls back to `2019`.

import { DIALECTS, type Dialect } from '../../shared/dizions/dialects.js';
import { getSyncState, setSyncState } from './records.js';
import type { Replica } from './open.js';

const DIALECT_KEY = 'dialect';

type Handle = Pick<Replica, 'sqlite'>;

export function savedDialect(replica: Handle): Dialect | undefined {
  const value = getSyncState<string>(replica, DIALECT_KEY);
  return (DIALECTS as readonly string[]).includes(value ?? '') ? (value as Dialect) : undefined;
}

export function saveDialect(replica: Handle, dialect: Dialect): void {
  setSyncState(replica, DIALECT_KEY, dialect);
}
