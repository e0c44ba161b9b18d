// Caseload search: what the user types, matched by token prefix against client_search (name,
// postcode, NHS number, external id) and by whole words against referral_search (referral
// description, leading to the referral's client); FTS5 tables of drizzle/0001. Client hits rank first.
// User text never reaches the FTS query language: it is split into letter/digit tokens, each quoted.

import type { Replica } from './open.js';

export interface ClientMatch {
  id: number;
  first_name: string | null;
  surname: string | null;
}

/** At most this many tokens are searched: enough for a name and a postcode, and it bounds the work. */
const MAX_TOKENS = 8;

function tokensOf(text: string): string[] {
  return text
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, MAX_TOKENS);
}

/**
 * The FTS5 MATCH expression for free text against client fields: every token must match as a
 * prefix — except a one-character token beside others ("EXT-4"), matched whole, since a one-letter
 * prefix over NHS numbers and external ids expands to thousands of terms. Empty when nothing searchable.
 */
export function matchExpression(text: string): string {
  const tokens = tokensOf(text);
  // Tokens hold only letters and digits, so they cannot carry `"` or FTS operators; quoting makes
  // words such as AND, OR, NEAR plain terms too.
  return tokens.map((t) => (t.length === 1 && tokens.length > 1 ? `"${t}"` : `"${t}"*`)).join(' ');
}

/**
 * Against referral descriptions, whole words only: a prefix query makes FTS5 gather every posting
 * of every matching term before the first row (a common word in 300k descriptions costs ~100 ms),
 * while a whole word streams and stops at the window.
 */
export function descriptionMatchExpression(text: string): string {
  return tokensOf(text)
    .map((t) => `"${t}"`)
    .join(' ');
}

/**
 * Ranking every match is O(matches): a one-letter prefix would rank the whole caseload. So each
 * index yields at most WINDOW matches, newest ids first (rowid order is free in FTS5), and only
 * those are ranked. Narrow text (under WINDOW matches) is ranked exactly; broad text gives the
 * best of the newest WINDOW, and typing more narrows it.
 */
const WINDOW = 400;

const SEARCH_SQL = `
  WITH client_hits(client, score) AS (
    SELECT rowid, bm25(client_search, 10.0, 5.0, 5.0, 5.0) FROM client_search
    WHERE client_search MATCH @match ORDER BY rowid LIMIT @window
  ),
  referral_hits(referral, score) AS (
    SELECT rowid, bm25(referral_search) FROM referral_search
    WHERE referral_search MATCH @words ORDER BY rowid LIMIT @window
  ),
  hits(client, source, score) AS (
    SELECT client, 0, score FROM client_hits
    UNION ALL
    SELECT r.client, 1, h.score FROM referral_hits h JOIN referrals r ON r.id = h.referral
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
  const words = descriptionMatchExpression(text);
  const rows = Math.max(1, Math.floor(limit));
  return replica.sqlite.prepare(SEARCH_SQL).all({ match, words, limit: rows, window: Math.max(WINDOW, rows) }) as ClientMatch[];
}
