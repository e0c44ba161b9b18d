// `caseworker <command>`: the entry point. Each command lives in its own module and returns an
// exit code; usage mistakes print the usage and exit 2, user-facing failures print one line and exit 1.
import { UsageError, UserFacingError } from './usage.js';

interface Command {
  summary: string;
  usage: string;
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  sim: {
    summary: 'run the Dizions API v2 simulator (demo and training server)',
    usage:
      'caseworker sim [--host 127.0.0.1] [--port N] [--seed N] [--clients N] [--data DIR] [--latency-ms N] [--faults SPEC] [--dialect 2019|2025] [--reply-style id|id-string|bare|string|array|empty|none] [--timestamp-format seed|iso|no-seconds|zero] [--updated-filter referrals|all]',
    load: () => import('./sim.js'),
  },
  api: {
    summary: 'send one raw request to a Dizions server and print the JSON reply',
    usage: 'caseworker api <METHOD> <PATH> [field=value …] [--file PATH] [--server URL --source KEY --org KEY --user KEY] [--dialect 2019|2025] [--proxy URL]',
    load: () => import('./api.js'),
  },
  sync: {
    summary: 'push the outbox, then pull the caseload into the encrypted replica',
    usage: 'caseworker sync --db FILE [connection] [--proxy URL] [--me USER_ID] [--scope GROUP=PATH …] [--extension NAME …] [--window-months N] [--full] [--json]',
    load: () => import('./sync.js'),
  },
  doctor: {
    summary: 'check a connection: which dialect, which assumptions hold (read-only unless --write-probes)',
    usage:
      'caseworker doctor [--server URL --source KEY --org KEY --user KEY] [--db FILE] [--json] [--write-probes] [--timeout-ms N]\n  --write-probes creates and updates one client named "Connection check": only with the Org key of a TRAINING system',
    load: () => import('./doctor.js'),
  },
  status: {
    summary: 'show what the replica holds: counts, last sync, me, scope',
    usage: 'caseworker status --db FILE [--json]',
    load: () => import('./status.js'),
  },
  query: {
    summary: 'answer a GET path of the API grammar from the replica, offline',
    usage: 'caseworker query --db FILE <PATH>',
    load: () => import('./query.js'),
  },
  queue: {
    summary: 'apply an edit locally and queue it for the server',
    usage: 'caseworker queue --db FILE [--dialect 2019|2025] <METHOD> <PATH> [field=value …] [--file PATH]',
    load: () => import('./queue.js'),
  },
  outbox: {
    summary: 'list and act on queued edits',
    usage: 'caseworker outbox --db FILE [list | retry ID | discard ID | resolve ID FIELD=mine|theirs … | send-again ID | mark-done ID] [--dialect 2019|2025] [--json]',
    load: () => import('./outbox.js'),
  },
  report: {
    summary: 'run a dimension × metric report from the replica and export it',
    usage: 'caseworker report --db FILE <PATH> [--format json|csv|xlsx|pdf] [--out FILE] [--sums]',
    load: () => import('./report.js'),
  },
  web: {
    summary: 'serve the app to a browser on 127.0.0.1 (demo data when no connection is set)',
    usage: 'caseworker web [--data DIR] [--db FILE] [--port N] [--static DIR]',
    load: () => import('./web.js'),
  },
  bench: {
    summary: 'run the benchmarks and print a table of figures',
    usage: 'caseworker bench [--clients N] [--only simulator,sync,caseload,outbox,reports,renderer,never-block] [--json]',
    load: () => import('../../bench/run.js'),
  },
};

function usage(): string {
  const lines = ['usage: caseworker <command> [options]', '', 'commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${command.summary}`);
  lines.push('', "caseworker <command> --help shows a command's options.");
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stderr.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`caseworker: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stderr.write(`usage: ${command.usage}\n`);
    return 0;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    // By name too: the bench (loaded below main/cli, never importing it back) throws its own.
    if (error instanceof UsageError || (error instanceof Error && error.name === 'UsageError')) {
      process.stderr.write(`caseworker ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof UserFacingError) {
      process.stderr.write(`caseworker ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`caseworker ${name}: ${message}\n`);
    if (process.env.CASEWORKER_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
