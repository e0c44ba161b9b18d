// `caseworker sync --db FILE [connection] [--me USER_ID] [--scope GROUP=PATH …] [--extension NAME …]
//   [--window-months N] [--full] [--json]`:
// one sync run into the encrypted replica. The key comes from CASEWORKER_DB_KEY; me from --me,
// CASEWORKER_ME or the replica (remembered from the last sync). Progress goes to stderr; with
// --json the summary is one line on stdout. Ctrl-C cancels cleanly (every batch is whole).

import fs from 'node:fs';
import { createDizionsClient, type DizionsClient } from '../api/client.js';
import { pushOutbox, type PushSummary } from '../outbox/replay.js';
import { SyncCancelledError, SyncFailedError } from '../sync/errors.js';
import { MissingMeError, runSync, type SyncSummary } from '../sync/run-sync.js';
import { ScopeError, parseExtensionDatabases, parseScopeArgument, parseUserId } from '../sync/scope.js';
import { createProgressBar } from './progress-bar.js';
import { openReplicaArg } from './replica-arg.js';
import { givenDialect } from './dialect-arg.js';
import { saveDialect, savedDialect } from '../db/replica-dialect.js';
import { CONNECTION_OPTIONS, UsageError, UserFacingError, connectionFrom, intOption, log, parseCommandArgs, printJson } from './usage.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...CONNECTION_OPTIONS,
    db: { type: 'string' },
    me: { type: 'string' },
    scope: { type: 'string', multiple: true },
    extension: { type: 'string', multiple: true },
    'window-months': { type: 'string' },
    full: { type: 'boolean' },
    json: { type: 'boolean' },
  }, false);
  if (!values.db) throw new UsageError('--db FILE is required (the encrypted replica)');
  const connection = connectionFrom(values);
  let me: number | undefined;
  let scopes;
  try {
    const meText = values.me ?? process.env.CASEWORKER_ME;
    me = meText === undefined || meText === '' ? undefined : parseUserId(meText, values.me !== undefined ? '--me' : 'CASEWORKER_ME');
    scopes = (values.scope ?? []).map(parseScopeArgument);
    if (values.extension) parseExtensionDatabases(values.extension);
  } catch (error) {
    if (error instanceof ScopeError) throw new UsageError(error.message);
    throw error;
  }
  const windowMonths = values['window-months'] === undefined ? undefined : intOption(values['window-months'], 'window-months', 12, 0);

  let client: DizionsClient;
  try {
    client = createDizionsClient(connection);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (me === undefined && !(fs.existsSync(values.db) && fs.statSync(values.db).size > 0)) {
    // A new replica remembers no one: refuse before creating it.
    throw new UsageError(new MissingMeError().message);
  }
  const replica = await openReplicaArg(values.db, { mustExist: false });
  // --dialect (or CASEWORKER_DIALECT) is saved with the replica; without it, the saved one is used.
  const given = givenDialect(values.dialect);
  if (given) saveDialect(replica.sqlite, given);
  const dialect = given ?? savedDialect(replica.sqlite) ?? connection.dialect;
  if (dialect !== client.dialect) {
    await client.close();
    client = createDizionsClient({ ...connection, dialect });
  }
  const cancel = new AbortController();
  const onSignal = () => cancel.abort(new SyncCancelledError());
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = createProgressBar();
  let summary: SyncSummary;
  let pushed: PushSummary | undefined;
  try {
    summary = await runSync({
      replica, client, me, scopes, doneWindowMonths: windowMonths, extensionDatabases: values.extension, full: values.full === true, signal: cancel.signal,
      onProgress: bar.update,
      // The outbox goes first: the download then sees the server with this device's edits applied.
      beforeDownload: async (context) => {
        pushed = await pushOutbox(context.replica, context.client, { signal: context.signal });
        if (pushed.busy) log(`sync: ${pushed.busy}`);
      },
      onRetry: (error, attempt, delayMs) => log(`sync: ${error.message} — retrying in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`),
    });
  } catch (error) {
    if (pushed?.paused) throw new UserFacingError(`${pushed.paused}; then run caseworker sync again`);
    if (error instanceof MissingMeError) throw new UsageError(error.message);
    if (error instanceof ScopeError) throw new UsageError(error.message);
    if (error instanceof SyncFailedError || error instanceof SyncCancelledError) throw new UserFacingError(error.message);
    throw error;
  } finally {
    bar.end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    replica.close();
    await client.close();
  }
  const outbox = { sent: pushed?.sent ?? 0, confirmed: pushed?.confirmed ?? 0, reconciled: pushed?.reconciled ?? 0, failed: pushed?.failed ?? 0, in_doubt: pushed?.in_doubt ?? 0, conflicts: pushed?.conflicts ?? 0 };
  if (values.json) printJson({ ...summary, ...outbox });
  else log(`${describeSummary(summary)}\noutbox: sent ${outbox.sent}, confirmed ${outbox.confirmed} (${outbox.reconciled} found after a lost reply); waiting for you: ${outbox.failed} failed, ${outbox.in_doubt} in doubt, ${outbox.conflicts} in conflict${outbox.failed + outbox.in_doubt + outbox.conflicts > 0 ? ' (see caseworker outbox list)' : ''}`);
  return 0;
}

function describeSummary(summary: SyncSummary): string {
  const groups = Object.entries(summary.groups)
    .map(([group, g]) => `${group} +${g.inserted} ~${g.updated} -${g.deleted}`)
    .join(', ');
  return `sync: done in ${summary.seconds.toFixed(1)} s, ${summary.requests} requests, ${(summary.bytes_received / 1e6).toFixed(2)} MB (${groups})`;
}
