// `caseworker queue --db FILE <METHOD> <PATH> [field=value …] [--file PATH …] [--dialect 2019|2025]`:
// applies an edit written in the API's own terms — read in the dialect given, or else the one saved
// with the replica — to the replica and queues it, dialect-neutral, in one transaction. Prints
// {"temp_id": <negative id, or null for updates>, "entry": <outbox entry id>}. Refused edits name
// the field at fault and change nothing (exit 1); with no dialect to read the path in, exit 2.

import { savedDialect } from '../db/replica-dialect.js';
import { EditValidationError, queueEdit } from '../outbox/queue.js';
import { givenDialect } from './dialect-arg.js';
import { openReplicaArg } from './replica-arg.js';
import { UsageError, UserFacingError, parseAssignments, parseCommandArgs, printJson } from './usage.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    db: { type: 'string' },
    file: { type: 'string', multiple: true },
    dialect: { type: 'string' },
  });
  const [method, path, ...assignments] = positionals;
  if (!method || !path) throw new UsageError('give a METHOD and a PATH, e.g. caseworker queue --db replica.db PUT clients first_name=Ann surname=Lee');
  const given = givenDialect(values.dialect);
  const fields = parseAssignments(assignments);
  const replica = await openReplicaArg(values.db, { mustExist: true });
  try {
    const dialect = given ?? savedDialect(replica);
    if (!dialect) throw new UsageError('which dialect is this path written in? give --dialect 2019|2025 (or sync once with --dialect, which saves it with the replica)');
    printJson(queueEdit(replica, { method, path, fields, files: values.file ?? [] }, { dialect }));
    return 0;
  } catch (error) {
    if (error instanceof EditValidationError) throw new UserFacingError(`refused, nothing was queued: ${error.message}`);
    throw error;
  } finally {
    replica.close();
  }
}
