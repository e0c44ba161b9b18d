// `caseworker doctor [connection] [--db FILE] [--json] [--write-probes]`: checks a real connection
// before field workers rely on it (main/doctor/checks.ts). Read-only unless --write-probes. Exit 0
// when the server answered with the keys accepted (whatever the checks say), 1 with one line when
// it is unreachable or refuses the keys. With --db the detected dialect is saved with the replica.

import { saveDialect } from '../db/replica-dialect.js';
import { saveUpdatedFilter } from '../sync/updated-filter.js';
import { checkConnection } from '../doctor/checks.js';
import { ConnectionSettingsError } from '../doctor/http-probe.js';
import { printDoctorReport } from '../doctor/print.js';
import { openReplicaArg } from './replica-arg.js';
import { CONNECTION_OPTIONS, UsageError, UserFacingError, connectionFrom, intOption, log, parseCommandArgs, printJson } from './usage.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      ...CONNECTION_OPTIONS,
      db: { type: 'string' },
      json: { type: 'boolean' },
      'write-probes': { type: 'boolean' },
      'timeout-ms': { type: 'string' },
    },
    false,
  );
  const { baseUrl, source, org, user } = connectionFrom({ ...values, dialect: undefined });
  const timeoutMs = intOption(values['timeout-ms'], 'timeout-ms', 30_000, 1);
  // Open the replica first: a wrong CASEWORKER_DB_KEY is reported before anything is sent.
  const replica = values.db === undefined ? undefined : await openReplicaArg(values.db, { mustExist: false });
  try {
    if (values['write-probes']) log('caseworker doctor: --write-probes creates and updates one client named "Connection check" (use the Org key of a TRAINING system)');
    let report;
    try {
      report = await checkConnection({ baseUrl, source, org, user }, { writeProbes: values['write-probes'] === true, timeoutMs });
    } catch (error) {
      if (error instanceof ConnectionSettingsError) throw new UsageError(error.message);
      throw error;
    }
    if (values.json) printJson(report);
    if (!report.reached || !report.authorised) throw new UserFacingError(report.error ?? 'the server did not answer');
    if (!values.json) process.stdout.write(printDoctorReport(report) + '\n');
    if (replica && report.dialect) {
      saveDialect(replica, report.dialect);
      log(`caseworker doctor: saved dialect ${report.dialect} with ${values.db}`);
    }
    if (replica && report.updated_filter) saveUpdatedFilter(replica, report.updated_filter, new Date());
    return 0;
  } finally {
    replica?.close();
  }
}
