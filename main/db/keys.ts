// Where the replica's SQLCipher key comes from. The app uses the OS keychain (main/electron/);
// the CLI and CI read CASEWORKER_DB_KEY; tests pass a key directly. A provider never invents a
// key for an existing replica: a missing key is an error the user can act on.

/** Supplies the key that opens (or creates) the encrypted replica. */
export interface KeyProvider {
  getKey(): Promise<string> | string;
  /** Where the key comes from, for error messages ("the CASEWORKER_DB_KEY environment variable"). */
  describe(): string;
}

/** The key is missing, empty, or does not open the database. */
export class ReplicaKeyError extends Error {
  override name = 'ReplicaKeyError';
}

export const DB_KEY_VARIABLE = 'CASEWORKER_DB_KEY';

/** Reads the key from CASEWORKER_DB_KEY (the CLI, scripts and CI). */
export class EnvKeyProvider implements KeyProvider {
  constructor(
    private readonly env: Record<string, string | undefined> = process.env,
    private readonly variable = DB_KEY_VARIABLE,
  ) {}

  getKey(): string {
    const key = this.env[this.variable];
    if (key === undefined || key === '') {
      throw new ReplicaKeyError(`no database key: set ${this.variable} to the passphrase (or 64 hex digits) that encrypts the replica`);
    }
    return key;
  }

  describe(): string {
    return `the ${this.variable} environment variable`;
  }
}

/** A fixed key (tests, benchmarks). */
export class StaticKeyProvider implements KeyProvider {
  constructor(
    private readonly key: string,
    private readonly label = 'a fixed test key',
  ) {}

  getKey(): string {
    return this.key;
  }

  describe(): string {
    return this.label;
  }
}
