// `caseworker sync --db FILE [connection] [--me USER_ID] [--scope GROUP=PATH …] [--extension NAME …]
//   [--window-months N] [--full] [--json]`:
// one sync run into the encrypted replica. The key comes from CASEWORKER_DB_KEY; me from --me,
// CASEWORKER_ME or the replica (remembered from the last sync). Progress goes to stderr; with
// --json the summary is one line on stdout. Ctrl-C, SIGTERM, SIGHUP (a closed terminal) and Ctrl-Break
// cancel cleanly between requests (every batch is whole).

import fs from 'node:fs';
import { createDizionsClient, type DizionsClient } from '../api/client.js';
import { pushOutbox, type PushSummary } from '../outbox/replay.js';
import { SyncCancelledError, SyncFailedError } from '../sync/errors.js';
import { MissingMeError, runSync, type SyncSummary } from '../sync/run-sync.js';
import { ScopeError, parseExtensionDatabases, parseScopeArgument, parseUserId } from '../sync/scope.js';
import type { Dialect } from '../../shared/dizions/assumptions.js';
import type { Replica } from '../db/open.js';
import { saveDialect, savedDialect } from '../db/replica-dialect.js';
import { KeysRefusedError, UnreachableError, detectServerDialect } from '../doctor/dialect.js';
import type { DoctorConnection } from '../doctor/http-probe.js';
import { createProgressBar } from './progress-bar.js';
import { openReplicaArg } from './replica-arg.js';
import { givenDialect } from './dialect-arg.js';
import { onStopSignal } from './stop-signals.js';
import { CONNECTION_OPTIONS, UsageError, UserFacingError, connectionFrom, intOption, log, parseCommandArgs, printJson } from './usage.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      ...CONNECTION_OPTIONS,
      db: { type: 'string' },
      me: { type: 'string' },
      scope: { type: 'string', multiple: true },
      extension: { type: 'string', multiple: true },
      'window-months': { type: 'string' },
      full: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    false,
  );
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

  try {
    await createDizionsClient(connection).close(); // a malformed address is a usage mistake, found before anything opens
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (me === undefined && !(fs.existsSync(values.db) && fs.statSync(values.db).size > 0)) {
    // A new replica remembers no one: refuse before creating it.
    throw new UsageError(new MissingMeError().message);
  }
  const replica = await openReplicaArg(values.db, { mustExist: false });
  let client: DizionsClient;
  try {
    const dialect = await dialectOf(replica, givenDialect(values.dialect), connection);
    client = createDizionsClient({ ...connection, dialect });
  } catch (error) {
    replica.close();
    throw error;
  }
  const cancel = new AbortController();
  // Ctrl-C, SIGTERM, a closed console (SIGHUP) or Ctrl-Break: stop between requests, batches whole.
  const stopListening = onStopSignal(() => cancel.abort(new SyncCancelledError()));
  const bar = createProgressBar();
  let summary: SyncSummary;
  let pushed: PushSummary | undefined;
  try {
    summary = await runSync({
      replica,
      client,
      me,
      scopes,
      doneWindowMonths: windowMonths,
      extensionDatabases: values.extension,
      full: values.full === true,
      signal: cancel.signal,
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
    stopListening();
    replica.close();
    await client.close();
  }
  const outbox = {
    sent: pushed?.sent ?? 0,
    confirmed: pushed?.confirmed ?? 0,
    reconciled: pushed?.reconciled ?? 0,
    failed: pushed?.failed ?? 0,
    in_doubt: pushed?.in_doubt ?? 0,
    conflicts: pushed?.conflicts ?? 0,
  };
  if (values.json) printJson({ ...summary, ...outbox });
  else
    log(
      `${describeSummary(summary)}\noutbox: sent ${outbox.sent}, confirmed ${outbox.confirmed} (${outbox.reconciled} found after a lost reply); waiting for you: ${outbox.failed} failed, ${outbox.in_doubt} in doubt, ${outbox.conflicts} in conflict${outbox.failed + outbox.in_doubt + outbox.conflicts > 0 ? ' (see caseworker outbox list)' : ''}`,
    );
  return 0;
}

/**
 * The connection's dialect: --dialect / CASEWORKER_DIALECT (saved with the replica, so `queue` and
 * `outbox` read and print in it too), else the one saved with the replica, else detected as the
 * doctor does (reads only) and saved — never a silent default.
 */
async function dialectOf(replica: Replica, explicit: Dialect | undefined, connection: DoctorConnection): Promise<Dialect> {
  if (explicit) {
    saveDialect(replica, explicit);
    return explicit;
  }
  const saved = savedDialect(replica);
  if (saved) return saved;
  let finding;
  try {
    finding = await detectServerDialect(connection);
  } catch (error) {
    // Refused keys or no answer: the sync's own first request meets the same refusal and reports it
    // as it always has (a 401 pauses the outbox). The placeholder is never saved.
    if (error instanceof KeysRefusedError || error instanceof UnreachableError) return '2019';
    throw error;
  }
  if (!finding.dialect) {
    throw new UserFacingError(`could not tell which dialect the server speaks (${finding.evidence.join('; ')}): run caseworker doctor, or give --dialect 2019|2025`);
  }
  saveDialect(replica, finding.dialect);
  log(`sync: the server speaks the ${finding.dialect} dialect (${finding.evidence.join('; ')}); saved with the replica`);
  return finding.dialect;
}

function describeSummary(summary: SyncSummary): string {
  const groups = Object.entries(summary.groups)
    .map(([group, g]) => `${group} +${g.inserted} ~${g.updated} -${g.deleted}`)
    .join(', ');
  return `sync: done in ${summary.seconds.toFixed(1)} s, ${summary.requests} requests, ${(summary.bytes_received / 1e6).toFixed(2)} MB (${groups})`;
}
