// Names of people a client is related to who are not on this device (outside the worker's scope):
// asked of the server with the worker's own keys, so Charitylog's visibility decides what comes
// back; whoever the server does not return is "not in your caseload". Nothing is stored.

import type { DizionsClient } from '../api/client.js';
import type { Services } from '../ipc/services.js';

export function createRelatedPeopleServices(client: () => DizionsClient): Pick<Services, 'clients:names'> {
  return {
    'clients:names': async ({ ids }) => {
      const server = client();
      try {
        const rows = await server.getRecords('clients', { id: ids }, { fields: ['id', 'first_name', 'surname'] });
        const people = rows.flatMap((row) => {
          const record = row as Record<string, unknown>;
          const id = Number(record.id);
          if (!ids.includes(id)) return [];
          return [
            {
              id,
              first_name: typeof record.first_name === 'string' ? record.first_name : null,
              surname: typeof record.surname === 'string' ? record.surname : null,
            },
          ];
        });
        const found = new Set(people.map((p) => p.id));
        return { people, notVisible: ids.filter((id) => !found.has(id)) };
      } finally {
        await server.close();
      }
    },
  };
}
