// `caseworker query --db FILE <PATH>`: answers a GET path of the API grammar from the replica,
// offline, in the JSON shape the server returns (main/db/answer-path.ts), as one line on stdout.
// A path the server would refuse exits 1 with the reason; a malformed command line exits 2.

import { QueryError, answerPath } from '../db/answer-path.js';
import { openReplicaArg } from './replica-arg.js';
import { UsageError, UserFacingError, parseCommandArgs, printJson } from './usage.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('give exactly one PATH, e.g. caseworker query --db replica.db clients/district/3/field/id;surname');
  const replica = await openReplicaArg(values.db, { mustExist: true });
  try {
    printJson(answerPath(replica, positionals[0]!));
    return 0;
  } catch (error) {
    if (error instanceof QueryError) throw new UserFacingError(`${error.message} (the server would answer ${error.status})`);
    throw error;
  } finally {
    replica.close();
  }
}
