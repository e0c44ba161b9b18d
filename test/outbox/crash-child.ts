// The process the crash test kills: opens the replica, then either pushes the outbox or runs a
// whole sync (push first, then download), against the simulator. It prints "pushing" when it
// starts and "sending" when its first write leaves, so the parent can aim its kill -9 at requests
// in flight; its summary last. Arguments: one JSON object.
import { createDizionsClient } from '../../main/api/client.js';
import { openReplicaWithKey } from '../../main/db/open.js';
import { pushOutbox } from '../../main/outbox/replay.js';
import { runSync } from '../../main/sync/run-sync.js';

interface Args {
  url: string;
  source: string;
  org: string;
  user: string;
  dialect: '2019' | '2025';
  file: string;
  key: string;
  timings: Record<string, number>;
  sync: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
let announced = false;
const onChange = (entry: { state: string }) => {
  if (entry.state !== 'sending' || announced) return;
  announced = true;
  process.stdout.write('sending\n');
};
const replica = openReplicaWithKey({ file: args.file, key: args.key, migrate: false }); // the parent migrated it
const client = createDizionsClient({ baseUrl: args.url, source: args.source, org: args.org, user: args.user, dialect: args.dialect });
process.stdout.write('pushing\n');
let summary: unknown;
if (args.sync) {
  summary = await runSync({
    replica,
    client,
    retry: { attempts: 3, baseMs: 5, maxMs: 20 },
    beforeDownload: async (context) => {
      await pushOutbox(context.replica, context.client, { timings: args.timings, onChange });
    },
  });
} else {
  summary = await pushOutbox(replica, client, { timings: args.timings, onChange });
}
process.stdout.write(JSON.stringify(summary) + '\n');
await client.close();
replica.close();
