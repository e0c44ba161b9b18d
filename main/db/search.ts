// Caseload search: what the user types, matched by token prefix against the FTS5 tables of
// drizzle/0001 — client_search (name, postcode, NHS number, external id) and referral_search
// (referral description, leading to the referral's client). Client-field hits rank first.
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

const SEARCH_SQL = `
  WITH hits(client, source, score) AS (
    SELECT rowid, 0, bm25(client_search, 10.0, 5.0, 5.0, 5.0) FROM client_search WHERE client_search MATCH @match
    UNION ALL
    SELECT r.client, 1, bm25(referral_search)
    FROM referral_search JOIN referrals r ON r.id = referral_search.rowid
    WHERE referral_search MATCH @match
  )
  SELECT c.id, c.first_name, c.surname
  FROM hits JOIN clients c ON c.id = hits.client
  GROUP BY c.id
  ORDER BY min(hits.source), min(hits.score), c.surname, c.first_name, c.id
  LIMIT @limit`;

/**
 * Clients whose name/postcode/NHS number/external id match every token of `text` by prefix, then
 * clients with a referral whose description does; best first (name hits weigh most).
 */
export function searchClients(replica: Pick<Replica, 'sqlite'>, text: string, limit = 50): ClientMatch[] {
  const match = matchExpression(text);
  if (!match) return [];
  return replica.sqlite.prepare(SEARCH_SQL).all({ match, limit: Math.max(1, Math.floor(limit)) }) as ClientMatch[];
}
