// Caseload search: what the user types, matched by token prefix against the client_search FTS5
// table (name, postcode, NHS number, external id, referral descriptions; see drizzle/0001).
// User text never reaches the FTS query language: it is split into letter/digit tokens, each quoted.

import type { Replica } from './open.js';

export interface ClientMatch {
  id: number;
  first_name: string | null;
  surname: string | null;
}

/** At most this many tokens are searched: enough for a name and a postcode, and it bounds the work. */
const MAX_TOKENS = 8;

/** The FTS5 MATCH expression for free text: every token must match as a prefix. Empty when nothing searchable. */
export function matchExpression(text: string): string {
  const tokens = text
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_TOKENS);
  // Tokens hold only letters and digits, so they cannot carry `"` or FTS operators; quoting makes
  // words such as AND, OR, NEAR plain terms too.
  return tokens.map((t) => `"${t}"*`).join(' ');
}

/** Clients whose indexed text matches every token of `text` by prefix, best first (name hits weigh most). */
export function searchClients(replica: Pick<Replica, 'sqlite'>, text: string, limit = 50): ClientMatch[] {
  const match = matchExpression(text);
  if (!match) return [];
  return replica.sqlite
    .prepare(
      `SELECT c.id, c.first_name, c.surname
       FROM client_search s JOIN clients c ON c.id = s.rowid
       WHERE client_search MATCH ?
       ORDER BY bm25(client_search, 10.0, 5.0, 5.0, 5.0, 1.0), c.surname, c.first_name, c.id
       LIMIT ?`,
    )
    .all(match, Math.max(1, Math.floor(limit))) as ClientMatch[];
}
