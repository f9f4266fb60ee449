/**
 * Runs a set of migrations (TypeScript objects in code, never files read at run time) to the
 * latest, at start, safely when several replicas start at once.
 *
 * Kysely's Migrator alone: on PostgreSQL it takes a session advisory lock (one fixed id shared by
 * every Kysely user of the database) around reading the applied list and running the pending
 * migrations in one transaction; it creates its bookkeeping tables before that lock, relying on
 * "create if not exists" and a re-check when a concurrent creation wins. On SQLite it takes no lock
 * (one connection, one process). Here, on PostgreSQL, the whole migrate runs on one connection
 * under an advisory lock named for this set of migrations, so concurrent starts queue behind the
 * first: the others find nothing pending. The lock waits up to `lockWaitMs`, not the pool's
 * statement timeout, since a long migration on a big table must not fail the replicas waiting.
 */
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResult } from 'kysely/migration';
import type { SqlDatabase } from './sql-database.js';

export interface MigrateOptions {
  /** Names this set of migrations: the PostgreSQL advisory lock and the bookkeeping tables derive from it. */
  readonly name: string;
  /** How long a replica waits for another one's migration, in ms (default 5 minutes). */
  readonly lockWaitMs?: number;
}

export interface MigrateReport {
  /** The migrations this call applied, in order (none when another replica or an earlier start did). */
  readonly applied: readonly string[];
}

export class SqlMigrationError extends Error {
  override readonly name = 'SqlMigrationError';
  constructor(
    readonly setName: string,
    /** The migration that failed, or null when the migrator failed before running one. */
    readonly migrationName: string | null,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      migrationName === null
        ? `Migrating ${setName} failed before any migration ran: ${reason}`
        : `Migration ${migrationName} of ${setName} failed: ${reason}`,
      options,
    );
  }
}

export async function migrateToLatest<DB>(
  database: SqlDatabase<DB>,
  migrations: Readonly<Record<string, Migration>>,
  options: MigrateOptions,
): Promise<MigrateReport> {
  if (!/^[a-z][a-z0-9_]*$/.test(options.name)) {
    throw new Error(
      `Expected a migration set name of lower-case letters, digits and _, received ${JSON.stringify(options.name)}`,
    );
  }
  if (database.kind === 'sqlite') return runMigrator(database.db, migrations, options.name);
  const lockWaitMs = options.lockWaitMs ?? 300_000;
  return database.db.connection().execute(async (connection) => {
    // Session-level settings on a pooled connection: RESET returns them to the pool's defaults.
    await sql`select set_config('statement_timeout', ${String(lockWaitMs)}, false)`.execute(connection);
    try {
      await sql`select pg_advisory_lock(hashtextextended(${`migrate:${options.name}`}, 0))`.execute(connection);
      try {
        return await runMigrator(connection, migrations, options.name);
      } finally {
        await sql`select pg_advisory_unlock(hashtextextended(${`migrate:${options.name}`}, 0))`.execute(connection);
      }
    } finally {
      await sql`reset statement_timeout`.execute(connection);
    }
  });
}

async function runMigrator<DB>(
  db: Kysely<DB>,
  migrations: Readonly<Record<string, Migration>>,
  setName: string,
): Promise<MigrateReport> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve({ ...migrations }) },
    // Per set, so another set of migrations in the same database keeps its own history.
    migrationTableName: `${setName}_migration`,
    migrationLockTableName: `${setName}_migration_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result: MigrationResult) => result.status === 'Error');
    throw new SqlMigrationError(setName, failed?.migrationName ?? null, { cause: error });
  }
  return {
    applied: (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName),
  };
}
