// The read side of the app core: the channels in READ_CHANNELS answered over a connection of their
// own, composed from the same service functions the core uses (nothing re-implemented). The
// connection is query-only, so a read that would write fails loudly instead of queueing for the
// writer's lock; `sync:status` combines the core's last pushed status with the outbox count read here.

import { INITIAL_SYNC_STATUS, type SyncStatus } from '../../shared/sync-status.js';
import type { Replica } from '../db/open.js';
import { createActionServices } from '../app/actions.js';
import { createCaseloadServices } from '../app/caseload.js';
import { createDraftServices } from '../app/drafts.js';
import { createOutboxServices, outboxCounts } from '../app/outbox-view.js';
import { createRecordViewServices } from '../app/record-views.js';
import { createReportServices } from '../app/reports.js';
import { myUserId } from '../app/settings.js';
import { createReplicaServices } from '../app/replica-services.js';
import type { Services } from '../ipc/services.js';

export interface ReadServices {
  services: Partial<Services>;
  /** The core's status as last pushed (the reader keeps no sync state of its own). */
  setStatus(status: SyncStatus): void;
}

export function createReadServices(replica: () => Replica): ReadServices {
  let status: SyncStatus = { ...INITIAL_SYNC_STATUS };
  const handle = {
    get sqlite() {
      return replica().sqlite;
    },
  };
  const replicaServices = createReplicaServices(handle);
  const reports = createReportServices(() => replica());
  const drafts = createDraftServices(() => replica());
  const outbox = createOutboxServices({ replica: () => replica(), changed: () => undefined });

  const services: Partial<Services> = {
    ...replicaServices,
    ...createCaseloadServices(replica),
    ...createActionServices(replica, () => myUserId(replica())),
    ...createRecordViewServices(replica),
    'outbox:list': outbox['outbox:list'],
    'reports:run': reports['reports:run'],
    'reports:saved-list': reports['reports:saved-list'],
    'reports:export': reports['reports:export'],
    'drafts:get': drafts['drafts:get'],
    'drafts:count': drafts['drafts:count'],
    'sync:status': async () => ({ ...status, pending: outboxCounts(replica()).pending }),
  };
  return {
    services,
    setStatus(next) {
      status = next;
    },
  };
}
