/**
 * Opens the ledger a deployment is configured for: PostgreSQL with DATABASE_URL (shared by
 * replicas), SQLite otherwise (a file, or memory). Migrates before answering, so a ledger handed
 * out is ready; a start that cannot migrate fails.
 */
import type { Logger } from 'pino';
import { createThrottledWarning } from '../../observability/throttled-warning.js';
import { migrateToLatest, type MigrateReport } from '../../store/sql/migrate.js';
import { openSqlDatabase, type SqlDatabase, type SqlDatabaseSettings } from '../../store/sql/sql-database.js';
import type { Ledger } from './ledger.js';
import type { LedgerSettings } from './ledger-settings.js';
import { LEDGER_MIGRATION_SET, ledgerMigrations, type LedgerTables } from './ledger-tables.js';
import { createSqlLedger, type SqlLedgerOptions } from './sql-ledger.js';

export interface OpenLedgerOptions extends SqlLedgerOptions {
  /** PostgreSQL only: an idle pooled connection failed (the pool reconnects by itself). */
  readonly onPoolError?: (error: Error) => void;
}

export interface OpenedLedger {
  readonly ledger: Ledger;
  /** The database under it, for the ledger's read side (payment refunds, search). */
  readonly database: SqlDatabase<LedgerTables>;
  /** Where it is, never credentials: the file, `:memory:`, or host:port/database. */
  readonly target: string;
  readonly migrations: MigrateReport;
}

/** Opens and migrates the ledger's database; closes it again when migrating fails. */
export async function openSqlLedger(
  settings: SqlDatabaseSettings,
  options: OpenLedgerOptions = {},
): Promise<OpenedLedger> {
  const database = openSqlDatabase<LedgerTables>(settings, {
    ...(options.onPoolError ? { onPoolError: options.onPoolError } : {}),
  });
  let migrations: MigrateReport;
  try {
    migrations = await migrateToLatest(database, ledgerMigrations(database.kind), { name: LEDGER_MIGRATION_SET });
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return { ledger: createSqlLedger(database, options), database, target: database.target, migrations };
}

/** What createLedgerFromConfig reads of the configuration (AppConfig fits). */
export interface LedgerConfig {
  readonly ledger: LedgerSettings;
  readonly isProduction: boolean;
}

export async function createLedgerFromConfig(config: LedgerConfig, logger: Logger): Promise<Ledger> {
  return (await openLedgerFromConfig(config, logger)).ledger;
}

/** As createLedgerFromConfig, with the database under the ledger (for the composition root). */
export async function openLedgerFromConfig(config: LedgerConfig, logger: Logger): Promise<OpenedLedger> {
  const settings: SqlDatabaseSettings =
    config.ledger.databaseUrl === null
      ? { kind: 'sqlite', path: config.ledger.sqlitePath }
      : { kind: 'postgres', url: config.ledger.databaseUrl };
  const poolWarning = createThrottledWarning(
    logger,
    'ledger database connection failed; the pool reconnects on the next query',
    60_000,
  );
  const opened = await openSqlLedger(settings, {
    onPoolError: (error) => poolWarning({ err: { message: error.message } }),
  });
  logger.info(
    { ledger: { kind: settings.kind, target: opened.target, migrationsApplied: opened.migrations.applied } },
    `ledger ready (${settings.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'} at ${opened.target})`,
  );
  if (config.isProduction && settings.kind === 'sqlite') {
    logger.warn(
      { ledger: { kind: settings.kind, target: opened.target } },
      settings.path === ':memory:'
        ? 'ledger is in memory: it is lost on restart and replicas cannot share it; set DATABASE_URL (PostgreSQL) for production'
        : `ledger is a SQLite file (${opened.target}): replicas cannot share it; set DATABASE_URL (PostgreSQL) to run more than one replica`,
    );
  }
  return opened;
}
