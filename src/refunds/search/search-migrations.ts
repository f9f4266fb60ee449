/**
 * The indexes refundSearch and refundSummary need beyond the ledger's own (0001 has the keyset
 * order `created_at desc, provider, provider_refund_id`, `status, created_at` and the payment
 * index): a migration appended to the ledger's list, never an edit of an applied one.
 *
 * - `refunds_by_currency_created` and `refunds_by_actor_created`: a first page filtered by a rare
 *   currency or by one actor is a short index range instead of a walk over every refund.
 * - `refunds_summary`: covers every column a summary reads (time range first), so a 30-day
 *   summary over a large ledger reads the index alone (an index-only scan on PostgreSQL once
 *   vacuumed; a covering index on SQLite).
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const SEARCH_INDEX_MIGRATION = '0002_search_indexes';

export function searchIndexMigrations(): Record<string, Migration> {
  return {
    [SEARCH_INDEX_MIGRATION]: {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex('refunds_by_currency_created')
          .on('refunds')
          .columns(['currency_code', 'created_at desc', 'provider', 'provider_refund_id'])
          .execute();
        await db.schema
          .createIndex('refunds_by_actor_created')
          .on('refunds')
          .columns(['actor', 'created_at desc', 'provider', 'provider_refund_id'])
          .execute();
        await db.schema
          .createIndex('refunds_summary')
          .on('refunds')
          .columns(['created_at', 'currency_code', 'status', 'provider', 'amount_minor'])
          .execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropIndex('refunds_summary').execute();
        await db.schema.dropIndex('refunds_by_actor_created').execute();
        await db.schema.dropIndex('refunds_by_currency_created').execute();
      },
    },
  };
}
