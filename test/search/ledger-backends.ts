/**
 * A fresh, migrated ledger database for a test, on either database the service supports: SQLite
 * (node:sqlite, in memory) or PostgreSQL (Debian's, one server per test file through
 * test/helpers/postgres.ts, a fresh database per call), migrated as the service migrates it (the
 * search indexes included).
 */
import { createSqlLedger } from '../../src/refunds/ledger/sql-ledger.js';
import type { Ledger } from '../../src/refunds/ledger/ledger.js';
import { LEDGER_MIGRATION_SET, ledgerMigrations, type LedgerTables } from '../../src/refunds/ledger/ledger-tables.js';
import { createLedgerQueries, type LedgerQueries } from '../../src/refunds/search/ledger-queries.js';
import { migrateToLatest } from '../../src/store/sql/migrate.js';
import { openSqlDatabase, type SqlDatabase, type SqlKind } from '../../src/store/sql/sql-database.js';
import type { PostgresServer } from '../helpers/postgres.js';

export interface TestLedger {
  readonly kind: SqlKind;
  readonly database: SqlDatabase<LedgerTables>;
  readonly ledger: Ledger;
  readonly queries: LedgerQueries;
  close(): Promise<void>;
}

export async function openTestLedger(
  kind: SqlKind,
  postgres: () => PostgresServer,
  options: { clock?: () => Date } = {},
): Promise<TestLedger> {
  const database = openSqlDatabase<LedgerTables>(
    kind === 'sqlite' ? { kind, path: ':memory:' } : { kind, url: await postgres().createDatabase() },
  );
  await migrateToLatest(database, ledgerMigrations(database.kind), { name: LEDGER_MIGRATION_SET });
  const ledger = createSqlLedger(database, options.clock ? { clock: options.clock } : {});
  return { kind, database, ledger, queries: createLedgerQueries(database), close: () => ledger.close() };
}
