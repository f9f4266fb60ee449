/**
 * The ledger's tables: their row types (for Kysely) and the migrations that make them. Migrations
 * are code, applied in name order at start; a released migration is never edited, a change is a
 * new one.
 *
 * Column types per database: money is `bigint` on PostgreSQL and INTEGER on SQLite (both exact
 * integers); times are `timestamptz` on PostgreSQL and ISO-8601 UTC text on SQLite (see
 * src/store/sql/sql-database.ts).
 */
import { sql, type ColumnType, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { SqlKind } from '../../store/sql/sql-database.js';
import { searchIndexMigrations } from '../search/search-migrations.js';

/** A time column: written as ISO text, read as a Date (PostgreSQL) or the text (SQLite). */
type SqlTime = ColumnType<Date | string, string, string>;

export interface RefundsTable {
  provider: string;
  provider_refund_id: string;
  payment_id: string | null;
  amount_minor: number;
  currency_code: string;
  status: string;
  provider_status: string;
  reason: string | null;
  /** The provider's createdAt. */
  created_at: SqlTime;
  first_seen_at: SqlTime;
  last_changed_at: SqlTime;
  /** When the provider answer this row holds was read: an older answer never overwrites a newer one. */
  observed_at: SqlTime;
  learnt_from: string;
  actor: string | null;
  idempotency_key_hash: string | null;
  /** When the provider was last asked about this refund (a read, or a reconciler claim). */
  last_checked_at: SqlTime;
  /** What the last write did (`new`, `changed`, `unchanged`): how an upsert reports it in one statement. */
  last_write: string;
}

export interface WebhookEventsTable {
  provider: string;
  event_id: string;
  received_at: SqlTime;
  signature_outcome: string;
  provider_refund_id: string | null;
  /** JSON object of strings, or null. */
  lookup: string | null;
  processed_at: SqlTime | null;
  attempts: number;
  /** A replica claimed the event until then; another may claim it after. */
  claimed_until: SqlTime | null;
}

export interface LedgerTables {
  refunds: RefundsTable;
  webhook_events: WebhookEventsTable;
}

/** The name of the ledger's migration set (its advisory lock and bookkeeping tables). */
export const LEDGER_MIGRATION_SET = 'refunds_ledger';

/** The column types that differ between the databases. */
interface ColumnTypes {
  /** Exact integer money: `bigint` on PostgreSQL, `integer` on SQLite. */
  readonly money: 'bigint' | 'integer';
  /** A time: `timestamptz` on PostgreSQL, ISO-8601 UTC `text` on SQLite. */
  readonly time: 'timestamptz' | 'text';
}

/** Migration 0001, part 1: the refunds table. */
async function createRefundsTable(db: Kysely<unknown>, { money, time }: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('refunds')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('provider_refund_id', 'text', (col) => col.notNull())
    .addColumn('payment_id', 'text')
    .addColumn('amount_minor', money, (col) => col.notNull())
    .addColumn('currency_code', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('provider_status', 'text', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', time, (col) => col.notNull())
    .addColumn('first_seen_at', time, (col) => col.notNull())
    .addColumn('last_changed_at', time, (col) => col.notNull())
    .addColumn('observed_at', time, (col) => col.notNull())
    .addColumn('learnt_from', 'text', (col) => col.notNull())
    .addColumn('actor', 'text')
    .addColumn('idempotency_key_hash', 'text')
    .addColumn('last_checked_at', time, (col) => col.notNull())
    .addColumn('last_write', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('refunds_pkey', ['provider', 'provider_refund_id'])
    .execute();
}

/** Migration 0001, part 2: the refunds table's indexes, created in this order. */
async function createRefundsIndexes(db: Kysely<unknown>): Promise<void> {
  // A payment's refunds, newest first.
  await db.schema
    .createIndex('refunds_by_payment')
    .on('refunds')
    .columns(['provider', 'payment_id', 'created_at desc'])
    .execute();
  // The reconciler's scan: not final, young enough, not checked lately.
  await db.schema
    .createIndex('refunds_unsettled')
    .on('refunds')
    .columns(['status', 'first_seen_at', 'last_checked_at'])
    .execute();
  // Search over every refund: by time (keyset pages on the primary key), and by status and time.
  await db.schema
    .createIndex('refunds_by_created')
    .on('refunds')
    .columns(['created_at desc', 'provider', 'provider_refund_id'])
    .execute();
  await db.schema.createIndex('refunds_by_status_created').on('refunds').columns(['status', 'created_at']).execute();
}

/** Migration 0001, part 3: the webhook events table and its index of unprocessed events. */
async function createWebhookEventsTable(db: Kysely<unknown>, { time }: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('webhook_events')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('received_at', time, (col) => col.notNull())
    .addColumn('signature_outcome', 'text', (col) => col.notNull())
    .addColumn('provider_refund_id', 'text')
    .addColumn('lookup', 'text')
    .addColumn('processed_at', time)
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('claimed_until', time)
    .addPrimaryKeyConstraint('webhook_events_pkey', ['provider', 'event_id'])
    .execute();
  // Unprocessed events, oldest first; processed ones drop out of the index.
  await db.schema
    .createIndex('webhook_events_pending')
    .on('webhook_events')
    .column('received_at')
    .where(sql.ref('processed_at'), 'is', null)
    .execute();
}

/**
 * The ledger's migrations for one database, by name. 0001 is split into functions for reading
 * only: it runs the same statements in the same order as when it was released.
 */
export function ledgerMigrations(kind: SqlKind): Record<string, Migration> {
  const types: ColumnTypes =
    kind === 'postgres' ? { money: 'bigint', time: 'timestamptz' } : { money: 'integer', time: 'text' };
  return {
    '0001_refunds_and_webhook_events': {
      async up(db: Kysely<unknown>) {
        await createRefundsTable(db, types);
        await createRefundsIndexes(db);
        await createWebhookEventsTable(db, types);
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('webhook_events').execute();
        await db.schema.dropTable('refunds').execute();
      },
    },
    // 0002: the indexes refundSearch and refundSummary need.
    ...searchIndexMigrations(),
  };
}
