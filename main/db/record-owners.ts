// Small reads that name whose record something is: a client's name, and the client a contact or a
// referral belongs to (the outbox and the app phrase entries with them). Null when the replica
// does not hold the record.
import type Database from 'better-sqlite3';
import { cached } from './statement-cache.js';

export function clientNameParts(sqlite: Database.Database, clientId: number): { first_name: string | null; surname: string | null } | undefined {
  return cached(sqlite, 'SELECT first_name, surname FROM clients WHERE id = ?').get(clientId) as { first_name: string | null; surname: string | null } | undefined;
}

export function clientOfContact(sqlite: Database.Database, contactId: number): number | null {
  return (cached(sqlite, 'SELECT client FROM contacts WHERE id = ?').pluck().get(contactId) as number | null | undefined) ?? null;
}

export function clientOfReferral(sqlite: Database.Database, referralId: number): number | null {
  return (cached(sqlite, 'SELECT client FROM referrals WHERE id = ?').pluck().get(referralId) as number | null | undefined) ?? null;
}
