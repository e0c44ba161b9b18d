// Settings → "Check connection": the doctor's read-only checks run with the keys typed (or the saved
// ones), each put in plain words — what was checked, whether it passed, what to do — and the dialect
// found. The outcome is remembered in the replica for the connection it was run on, so the Sync view
// can keep a notice until a check of the saved connection passes. It never changes server data.

import { createHash } from 'node:crypto';
import type { ConnectionCheck, ConnectionCheckSummary } from '../../shared/ipc/settings.js';
import { getSyncState, setSyncState } from '../db/records.js';
import type { Replica } from '../db/open.js';
import { checkConnection, type DoctorReport } from '../doctor/checks.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';
import type { ConnectionStore, StoredConnection } from './connection-store.js';

type Handle = Pick<Replica, 'sqlite'>;
type Keys = Omit<StoredConnection, 'dialect'>;

const CHECK_KEY = 'connection_check';

/** What each of the doctor's checks looks at, and what an admin does when it fails (docs/doctor.md has the detail). */
export const CHECK_WORDS: Record<string, { checked: string; ifFailed: string }> = {
  keys: {
    checked: 'The server accepts the Source, Org and User keys',
    ifFailed: 'Check the three keys with your Charitylog administrator: the Org key differs between the live and the training system.',
  },
  dialect: { checked: 'Which version of the Charitylog API the server speaks', ifFailed: 'Choose the API version yourself below; if unsure, ask Dizions support which manual your system follows.' },
  collections: { checked: 'Lists of records come back in the expected form', ifFailed: "Caseworker cannot read this server's lists; send this report to the Caseworker team." },
  fields: { checked: 'Records carry the fields Caseworker reads', ifFailed: "Some details will be missing on this device; check the user's field visibility in Charitylog." },
  updated_selectable: { checked: 'Every record carries the time it was last changed', ifFailed: 'Syncs will be slower and may miss changes; send this report to the Caseworker team.' },
  updated_filter: { checked: 'Referrals can be asked for by the time they changed', ifFailed: 'Nothing to do now: syncs still work, but check every referral (slower).' },
  timestamps: { checked: 'Dates and times are written the way Caseworker expects', ifFailed: 'Times may show wrongly; send this report to the Caseworker team.' },
  dictionaries: { checked: 'Pick lists (projects, stages, contact types…) can be read', ifFailed: "Forms will lack their choices; check the user's access in Charitylog." },
  reports: { checked: 'Reports come back in the expected form', ifFailed: '"Compare with Charitylog" in Reports will not work; reports on this device still do.' },
  relationships: { checked: 'Relationships between clients can be read', ifFailed: 'Relationships may show without names; send this report to the Caseworker team.' },
  errors: { checked: 'The server explains a refused request', ifFailed: 'Refused edits will show a less helpful message; nothing is lost.' },
  scope: { checked: 'This user can see records to work on', ifFailed: 'Check in Charitylog that this user belongs to the right projects and branch.' },
  gzip: { checked: 'The server compresses what it sends', ifFailed: 'Nothing to do: syncs just move more data.' },
  response_times: { checked: 'The server answers in good time', ifFailed: 'Try again on a better connection; if it stays slow, tell your Charitylog administrator.' },
  write_create: { checked: 'Creating a record (training system only)', ifFailed: 'Send this report to the Caseworker team.' },
  write_readback: { checked: 'A record just created reads back, stamped in UK time (training system only)', ifFailed: 'Send this report to the Caseworker team.' },
  write_update: { checked: 'Changing a record (training system only)', ifFailed: 'Send this report to the Caseworker team.' },
};

/** A fingerprint of a connection's address and keys: a check counts only for the connection it ran on. */
export function connectionFingerprint(connection: Keys): string {
  return createHash('sha256')
    .update(JSON.stringify([connection.baseUrl, connection.source, connection.org, connection.user]))
    .digest('hex');
}

/** The doctor's report in the words Settings shows. */
export function inWords(report: DoctorReport, at: Date): ConnectionCheck {
  return {
    at: at.toISOString(),
    reached: report.reached,
    authorised: report.authorised,
    error: report.error ?? null,
    dialect: report.dialect,
    checks: report.checks.map((c) => {
      const words = CHECK_WORDS[c.name] ?? { checked: c.name.replace(/_/g, ' '), ifFailed: 'Send this report to the Caseworker team.' };
      return { name: c.name, ok: c.ok, checked: words.checked, detail: c.detail, advice: c.ok ? null : words.ifFailed };
    }),
  };
}

/** Runs the read-only checks and remembers the outcome for that connection. */
export async function runConnectionCheck(replica: Handle, connection: Keys, options: { timeoutMs?: number } = {}): Promise<ConnectionCheck> {
  const report = await checkConnection(connection, { timeoutMs: options.timeoutMs ?? 15_000 });
  const result = inWords(report, new Date());
  const summary: ConnectionCheckSummary & { fingerprint: string } = {
    fingerprint: connectionFingerprint(connection),
    at: result.at,
    dialect: result.dialect,
    passed: result.reached && result.authorised && result.checks.every((c) => c.ok),
    failed: result.checks.filter((c) => !c.ok).map((c) => c.checked),
  };
  setSyncState(replica, CHECK_KEY, summary);
  return result;
}

/** The stored outcome, to carry across a fresh replica (a new server's connection starts one). */
export function takeConnectionCheck(replica: Handle): unknown {
  return getSyncState(replica, CHECK_KEY);
}

export function restoreConnectionCheck(replica: Handle, stored: unknown): void {
  if (stored !== undefined) setSyncState(replica, CHECK_KEY, stored);
}

/** The last check of the saved connection, or null when it was never checked (or the keys changed since). */
export function lastConnectionCheck(replica: Handle, saved: Keys | null): ConnectionCheckSummary | null {
  if (!saved) return null;
  const stored = getSyncState<ConnectionCheckSummary & { fingerprint: string }>(replica, CHECK_KEY);
  if (!stored || stored.fingerprint !== connectionFingerprint(saved)) return null;
  return { at: stored.at, dialect: stored.dialect, passed: stored.passed, failed: stored.failed };
}

export interface ConnectionCheckContext {
  replica: () => Handle;
  connections: ConnectionStore;
  /** The saved connection, or null (the demo has none to check). */
  saved: () => StoredConnection | null;
  timeoutMs?: number | undefined;
}

export function createConnectionCheckServices(context: ConnectionCheckContext): Pick<Services, 'settings:check-connection'> {
  return {
    'settings:check-connection': async ({ connection }) => {
      const saved = context.saved();
      const keys = connection ?? saved;
      if (!keys) {
        throw new ServiceError('VALIDATION', 'Enter the server address and the Source, Org and User keys first.', {
          issues: [{ path: 'connection', message: 'enter the server address and the three keys' }],
        });
      }
      const result = await runConnectionCheck(context.replica(), keys, { timeoutMs: context.timeoutMs });
      // Checking the saved connection saves the dialect it found with it (typed keys are saved by Save).
      if (!connection && saved && result.dialect !== null && result.dialect !== saved.dialect) {
        context.connections.save({ ...saved, dialect: result.dialect });
        return { ...result, dialectSaved: true };
      }
      return { ...result, dialectSaved: false };
    },
  };
}
