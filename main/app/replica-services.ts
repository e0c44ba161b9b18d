// The channels that are answered today by the replica's own reader (main/db/answer-path.ts): a raw
// GET path, dictionaries and workers, all offline, all in the server's JSON shape. The app core
// (core.ts) spreads these into the full Services object; nothing here invents data. (Reports go through the
// report engine: main/app/reports.ts.)

import type { DizionsPath } from '../../shared/url-grammar.js';
import { answerPath } from '../db/answer-path.js';
import type { Replica } from '../db/open.js';
import { ServiceError } from '../ipc/service-error.js';
import type { Services } from '../ipc/services.js';

type Handle = Pick<Replica, 'sqlite'>;

export type ReplicaServices = Pick<Services, 'caseload:query' | 'dictionaries:get' | 'dictionaries:search' | 'dictionaries:workers'>;

function asRows(answer: unknown, what: string): Array<Record<string, unknown>> {
  if (!Array.isArray(answer)) throw new ServiceError('VALIDATION', `${what} does not answer a list of records; use dictionaries:get for dictionaries`);
  return answer as Array<Record<string, unknown>>;
}

function dictionaryPath(table: string, term?: string): DizionsPath {
  // The relationship lists have their own paths (dictionary/relationships) and no search form.
  if (table === 'relationships' || table === 'carer_relationships') return { kind: 'relationships', carer: table === 'carer_relationships' };
  const [apiGroup, name] = table.split('/');
  if (!apiGroup || !name) throw new ServiceError('VALIDATION', `"${table}" is not a dictionary name like referrals/project`);
  return term === undefined ? { kind: 'dictionary', apiGroup, table: name } : { kind: 'dictionary_search', apiGroup, table: name, term };
}

export function createReplicaServices(replica: Handle): ReplicaServices {
  return {
    'caseload:query': async ({ path }) => ({ rows: asRows(answerPath(replica, path), path) as never }),

    'dictionaries:get': async ({ table }) => ({ entries: answerPath(replica, dictionaryPath(table)) as never }),

    'dictionaries:search': async ({ table, term }) => {
      if (table === 'relationships' || table === 'carer_relationships') {
        const lower = term.toLowerCase();
        const all = answerPath(replica, dictionaryPath(table)) as Array<{ name: unknown }>;
        return { entries: all.filter((e) => String(e.name).toLowerCase().includes(lower)) as never };
      }
      return { entries: answerPath(replica, dictionaryPath(table, term)) as never };
    },

    'dictionaries:workers': async ({ active }) => {
      const path = active === undefined ? 'workers' : `workers/active/${active ? 'Y' : 'N'}`;
      return { workers: asRows(answerPath(replica, path), path) as never };
    },
  };
}
