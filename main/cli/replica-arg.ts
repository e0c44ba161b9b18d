// Opening the replica named by `--db` for a CLI command: the key from CASEWORKER_DB_KEY, key
// problems as one clear line, and — for commands that only read — a refusal to create an empty
// replica where the user mistyped a path. A replica on a network share or in a synced folder
// (OneDrive, Dropbox …) is refused: WAL's locking breaks there.

import fs from 'node:fs';
import { EnvKeyProvider, ReplicaKeyError } from '../db/keys.js';
import { openReplica, type Replica } from '../db/open.js';
import { replicaLocationProblem } from '../files/replica-location.js';
import { UsageError, UserFacingError } from './usage.js';

export async function openReplicaArg(file: string | undefined, options: { mustExist: boolean }): Promise<Replica> {
  if (!file) throw new UsageError('--db FILE is required (the encrypted replica)');
  const misplaced = replicaLocationProblem(file);
  if (misplaced) throw new UserFacingError(`--db: ${misplaced.message}`);
  if (options.mustExist && !(fs.existsSync(file) && fs.statSync(file).size > 0)) {
    throw new UserFacingError(`there is no replica at ${file}: run caseworker sync --db ${file} first`);
  }
  try {
    return await openReplica({ file, keyProvider: new EnvKeyProvider() });
  } catch (error) {
    if (error instanceof ReplicaKeyError) throw new UserFacingError(error.message);
    throw error;
  }
}
