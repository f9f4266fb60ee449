/** The ledger's settings (AppConfig's `ledger`), named as their variables are; durations in milliseconds. */

export interface LedgerSettings {
  /** DATABASE_URL: PostgreSQL, shared by replicas. May hold a password: never put it in a message. Null: SQLite. */
  readonly databaseUrl: string | null;
  /**
   * The SQLite database when there is no DATABASE_URL: LEDGER_PATH, or `:memory:` outside production
   * when it is unset (the sandbox, tests), or ./data/refunds-ledger.sqlite in production.
   */
  readonly sqlitePath: string;
  readonly reconcile: ReconcileSettings;
}

export interface ReconcileSettings {
  /** RECONCILE_ENABLED (default true). */
  readonly enabled: boolean;
  /** RECONCILE_INTERVAL_S: how often unsettled refunds are re-read. */
  readonly intervalMs: number;
  /** RECONCILE_MAX_AGE_H: refunds first seen longer ago than this are no longer followed. */
  readonly maxAgeMs: number;
}

/** Where production keeps the SQLite ledger when LEDGER_PATH is unset. */
export const DEFAULT_LEDGER_PATH = './data/refunds-ledger.sqlite';
