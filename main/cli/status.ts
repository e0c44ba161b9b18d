// `caseworker status --db FILE [--json]`: what the replica holds (counts, last sync, me, my worker,
// scope, pending edits, an interrupted sync). --json prints one line on stdout; without it, a few
// lines for people. Never creates a replica.

import { replicaStatus, type ReplicaStatus } from '../sync/status.js';
import { openReplicaArg } from './replica-arg.js';
import { parseCommandArgs, printJson } from './usage.js';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } }, false);
  const replica = await openReplicaArg(values.db, { mustExist: true });
  let status: ReplicaStatus;
  try {
    status = replicaStatus(replica);
  } finally {
    replica.close();
  }
  if (values.json) printJson(status);
  else process.stdout.write(describe(status) + '\n');
  return 0;
}

function describe(status: ReplicaStatus): string {
  const lines = [
    `me: ${status.me ?? 'not set (no sync yet)'}${status.my_worker === null ? '' : ` (worker ${status.my_worker})`}`,
    `last sync: ${status.last_sync ?? 'never'}${status.interrupted ? ` — a sync stopped while ${status.interrupted.phase}${status.interrupted.group ? ` ${status.interrupted.group}` : ''}; the next one carries on` : ''}`,
    `pending edits: ${status.pending}`,
    'records:',
    ...Object.entries(status.counts).map(([table, n]) => `  ${table.padEnd(18)} ${n}`),
  ];
  if (status.scope) lines.push('scope:', ...Object.entries(status.scope).map(([group, text]) => `  ${group.padEnd(18)} ${text}`));
  return lines.join('\n');
}
