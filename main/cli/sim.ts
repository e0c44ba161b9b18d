// `caseworker sim`: runs the Dizions API v2 simulator until SIGINT/SIGTERM/SIGHUP/SIGBREAK. Stdout carries exactly
// one JSON line once it listens (the URL, the control URL and the demo users with their keys);
// generation progress and one line per request go to stderr. Reference: docs/simulator.md.
import { FaultSpecError, parseFaultSpec } from '../sim/faults.js';
import { REPLY_STYLES, TIMESTAMP_FORMATS, type SimReplyStyle, type SimTimestampFormat } from '../sim/reply-variants.js';
import { startSimulator } from '../sim/server.js';
import { UPDATED_FILTER_GROUPS, type SimOptions, type UpdatedFilterGroups } from '../sim/types.js';
import { UsageError, UserFacingError, intOption, log, parseCommandArgs, printJson } from './usage.js';
import { onStopSignal } from './stop-signals.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      clients: { type: 'string' },
      data: { type: 'string' },
      'latency-ms': { type: 'string' },
      faults: { type: 'string' },
      dialect: { type: 'string' },
      'reply-style': { type: 'string' },
      'timestamp-format': { type: 'string' },
      'updated-filter': { type: 'string' },
    },
    false,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const port = intOption(values.port, 'port', 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const dialect = values.dialect ?? '2019';
  if (dialect !== '2019' && dialect !== '2025') throw new UsageError(`--dialect must be 2019 or 2025, got "${dialect}"`);
  const replyStyle = values['reply-style'];
  if (replyStyle !== undefined && !(REPLY_STYLES as readonly string[]).includes(replyStyle)) throw new UsageError(`--reply-style must be one of ${REPLY_STYLES.join(', ')}, got "${replyStyle}"`);
  const timestampFormat = values['timestamp-format'];
  if (timestampFormat !== undefined && !(TIMESTAMP_FORMATS as readonly string[]).includes(timestampFormat))
    throw new UsageError(`--timestamp-format must be one of ${TIMESTAMP_FORMATS.join(', ')}, got "${timestampFormat}"`);
  const updatedFilter = values['updated-filter'] ?? 'referrals';
  if (!(UPDATED_FILTER_GROUPS as readonly string[]).includes(updatedFilter)) throw new UsageError(`--updated-filter must be one of ${UPDATED_FILTER_GROUPS.join(', ')}, got "${updatedFilter}"`);
  if (values.host !== undefined && values.host.trim() === '') throw new UsageError('--host needs an address, e.g. 127.0.0.1');
  if (values.data !== undefined && values.data.trim() === '') throw new UsageError('--data needs a folder');
  const faults = values.faults ?? '';
  try {
    parseFaultSpec(faults);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(`--faults: ${error.message}`);
    throw error;
  }
  const options: SimOptions = {
    port,
    seed: intOption(values.seed, 'seed', 1),
    clients: intOption(values.clients, 'clients', 200, 1),
    latencyMs: intOption(values['latency-ms'], 'latency-ms', 0),
    faults,
    dialect,
    updatedFilter: updatedFilter as UpdatedFilterGroups,
    logToStderr: true,
  };
  if (values.host !== undefined) options.host = values.host;
  if (replyStyle !== undefined) options.replyStyle = replyStyle as SimReplyStyle;
  if (timestampFormat !== undefined) options.timestampFormat = timestampFormat as SimTimestampFormat;
  if (values.data !== undefined) options.dataDir = values.data;

  log(
    `caseworker sim: ${values.data ? `opening ${values.data}` : 'using a temporary folder'} (seed ${options.seed}, ${options.clients} clients when generating, dialect ${dialect}, updated filter on ${updatedFilter === 'all' ? 'every group' : 'referrals'}${replyStyle ? `, reply style ${replyStyle}` : ''}${timestampFormat ? `, timestamps ${timestampFormat}` : ''})…`,
  );
  const simulator = await startSimulator(options).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UserFacingError(`port ${port} is already in use; pick another --port or 0 for a free one`);
    if (error.code === 'EADDRNOTAVAIL') throw new UserFacingError(`cannot listen on ${options.host}: this machine has no such address`);
    if (error.code === 'EACCES' || error.code === 'EPERM') throw new UserFacingError(`not allowed: ${error.message}`);
    throw error;
  });
  printJson({ url: simulator.url, control: simulator.controlUrl, users: simulator.users });
  const counts = simulator.store.counts();
  log(
    `caseworker sim: listening on ${simulator.url} (control ${simulator.controlUrl}); ${Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  );
  if (faults) log(`caseworker sim: faults active: ${faults}`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stopListening = onStopSignal((name) => {
      stopListening();
      resolve(name);
    });
  });
  log(`caseworker sim: ${signal}, shutting down`);
  await simulator.close();
  return 0;
}
