// Where the Charitylog connection (base URL, dialect, and the Source/Org/User keys) is kept. The
// core sees one small interface: the Electron app plugs in the OS keychain (main/electron/
// credentials.ts); the browser host keeps it in the replica's app_credentials table, which SQLCipher
// encrypts with the replica. Keys leave this module only to build the API client — never masked-out.

import type Database from 'better-sqlite3';
import { deleteCredential, readCredential, writeCredential } from '../db/app-credentials.js';

export interface StoredConnection {
  baseUrl: string;
  source: string;
  org: string;
  user: string;
  dialect: '2019' | '2025';
}

export interface ConnectionProtection {
  /** The keys are encrypted with a key this computer protects (keychain, or the encrypted replica). */
  protected: boolean;
  /** In words, for the settings screen ("the OS keychain (gnome_libsecret)"). */
  where: string;
}

export interface ConnectionStore {
  load(): StoredConnection | null;
  save(connection: StoredConnection): void;
  clear(): void;
  protection(): ConnectionProtection;
  /** The user's explicit yes to keys stored without a keychain (Electron on Linux basic_text only). */
  acceptUnprotectedStorage?(): void;
}

/** Bullets and at most the last four characters (a short key shows bullets only). */
export function maskKey(key: string): string {
  return key.length > 8 ? `••••${key.slice(-4)}` : '••••';
}

const CONNECTION_ROW = 'connection';

/** The browser host's store: one JSON row inside the SQLCipher replica (follows the replica when it is reopened). */
export class ReplicaConnectionStore implements ConnectionStore {
  constructor(private readonly sqlite: () => Database.Database) {}

  load(): StoredConnection | null {
    const value = readCredential(this.sqlite(), CONNECTION_ROW);
    if (value === undefined) return null;
    const parsed = JSON.parse(value) as Partial<StoredConnection>;
    if (typeof parsed.baseUrl !== 'string' || typeof parsed.source !== 'string' || typeof parsed.org !== 'string' || typeof parsed.user !== 'string') return null;
    return { baseUrl: parsed.baseUrl, source: parsed.source, org: parsed.org, user: parsed.user, dialect: parsed.dialect === '2025' ? '2025' : '2019' };
  }

  save(connection: StoredConnection): void {
    writeCredential(this.sqlite(), CONNECTION_ROW, JSON.stringify(connection));
  }

  clear(): void {
    deleteCredential(this.sqlite(), CONNECTION_ROW);
  }

  protection(): ConnectionProtection {
    return { protected: true, where: 'the encrypted local database (SQLCipher)' };
  }
}
