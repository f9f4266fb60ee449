/**
 * The read side of the ledger that analysts and payment pages use: pages of refunds in the lists'
 * one order (refund-cursor.ts), summaries, and the refunds of many payments at once. SQL through
 * Kysely over the ledger's own tables, on either database (SQLite or PostgreSQL); every query is
 * shaped for an index (the ledger's 0001 and search-migrations.ts):
 * - a page walks `created_at desc, provider, provider_refund_id` from the cursor
 *   (`created_at <= c` bounds the range, the rest breaks ties), or a filter's narrower index;
 * - a summary reads its time range from the covering `refunds_summary` index;
 * - sums stay exact integers: SQLite sums INTEGERs exactly (it fails rather than round), and
 *   PostgreSQL sums bigint into numeric, cast back to bigint (parsed only within
 *   Number.MAX_SAFE_INTEGER by the pool).
 */
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SqlBool,
} from 'kysely';
import type { RefundSummaryDimension } from '../../__generated__/schema-types.js';
import type { PaymentRef } from '../../domain/payment.js';
import type { RefundProviderName, RefundStatus } from '../../domain/refund.js';
import { fromSqlTime, toSqlTime, type SqlDatabase } from '../../store/sql/sql-database.js';
import type { LedgerTables, RefundsTable } from '../ledger/ledger-tables.js';
import type { RefundKeyset } from './refund-cursor.js';
import type { LedgerFilter } from './refund-filter.js';

export type LedgerRow = Selectable<RefundsTable>;

export interface SummaryRow {
  readonly provider: RefundProviderName | null;
  readonly status: RefundStatus | null;
  readonly currencyCode: string | null;
  /** UTC `YYYY-MM-DD`. */
  readonly day: string | null;
  readonly reason: string | null;
  readonly count: number;
  /** Null unless every refund of the row has one currency. */
  readonly amountMinor: number | null;
  /** That one currency, when there is one. */
  readonly amountCurrency: string | null;
}

export interface LedgerQueries {
  /** Up to `limit` refunds matching `filter`, strictly after `after`, newest first. */
  page(filter: LedgerFilter, limit: number, after: RefundKeyset | null): Promise<LedgerRow[]>;
  /** How many refunds match. */
  count(filter: LedgerFilter): Promise<number>;
  /** Rows grouped by `groupBy` (in that order), at most `limit`, ordered by the dimensions. */
  summarize(filter: LedgerFilter, groupBy: readonly RefundSummaryDimension[], limit: number): Promise<SummaryRow[]>;
  /** Every recorded refund of each payment (at most `limitPerQuery` in all), newest first, in one query. */
  refundsOfPayments(payments: readonly PaymentRef[], limitPerQuery: number): Promise<LedgerRow[]>;
}

type Eb = ExpressionBuilder<LedgerTables, 'refunds'>;

type LedgerDb = Kysely<LedgerTables>;

/** The SQL a summary selects and groups by, in the database's dialect. */
interface SummaryExpressions {
  readonly dimension: Record<RefundSummaryDimension, RawBuilder<string | null>>;
  readonly sum: RawBuilder<number | null>;
}

/** The queries over one ledger database; the dialect's summary expressions are chosen once. */
export function createLedgerQueries(database: SqlDatabase<LedgerTables>): LedgerQueries {
  const { db, kind } = database;
  const expressions = summaryExpressions(kind);
  return {
    page: (filter, limit, after) => page(db, filter, limit, after),
    count: (filter) => count(db, filter),
    summarize: (filter, groupBy, limit) => summarize(db, expressions, filter, groupBy, limit),
    refundsOfPayments: (payments, limitPerQuery) => refundsOfPayments(db, payments, limitPerQuery),
  };
}

/** A summary's dimensions and sum: the UTC day by `to_char` on PostgreSQL, by `substr` on SQLite; a bigint sum on PostgreSQL. */
function summaryExpressions(kind: SqlDatabase<LedgerTables>['kind']): SummaryExpressions {
  const dayExpression: RawBuilder<string> =
    kind === 'postgres'
      ? sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`
      : sql<string>`substr(created_at, 1, 10)`;
  const dimension: Record<RefundSummaryDimension, RawBuilder<string | null>> = {
    PROVIDER: sql<string>`provider`,
    STATUS: sql<string>`status`,
    CURRENCY: sql<string>`currency_code`,
    DAY: dayExpression,
    REASON: sql<string | null>`reason`,
  };
  const sum =
    kind === 'postgres' ? sql<number | null>`cast(sum(amount_minor) as bigint)` : sql<number | null>`sum(amount_minor)`;
  return { dimension, sum };
}

/** Up to `limit` refunds matching `filter`, strictly after `after`, in the lists' order. */
async function page(
  db: LedgerDb,
  filter: LedgerFilter,
  limit: number,
  after: RefundKeyset | null,
): Promise<LedgerRow[]> {
  let query = db
    .selectFrom('refunds')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('provider')
    .orderBy('provider_refund_id')
    .limit(limit);
  const conditions = (eb: Eb) => [...filterConditions(eb, filter), ...(after ? [afterKeyset(eb, after)] : [])];
  query = query.where((eb) => eb.and(conditions(eb)));
  return query.execute();
}

/** How many refunds match `filter`. */
async function count(db: LedgerDb, filter: LedgerFilter): Promise<number> {
  const row = await db
    .selectFrom('refunds')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where((eb) => eb.and(filterConditions(eb, filter)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The refunds matching `filter` grouped by each distinct dimension of `groupBy` (in that order) and
 * ordered by them, at most `limit` rows; a row's amount only when it has one currency.
 */
async function summarize(
  db: LedgerDb,
  expressions: SummaryExpressions,
  filter: LedgerFilter,
  groupBy: readonly RefundSummaryDimension[],
  limit: number,
): Promise<SummaryRow[]> {
  const dimensions = [...new Set(groupBy)];
  let query = db
    .selectFrom('refunds')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('n'),
      expressions.sum.as('total'),
      eb.fn.min('currency_code').as('min_currency'),
      eb.fn.max('currency_code').as('max_currency'),
    ])
    .where((eb) => eb.and(filterConditions(eb, filter)))
    .limit(limit);
  for (const dimension of dimensions) {
    const expression = expressions.dimension[dimension];
    query = query
      .select(expression.as(`d_${dimension.toLowerCase()}`))
      .groupBy(expression)
      .orderBy(expression);
  }
  const rows = (await query.execute()) as Array<Record<string, unknown>>;
  return rows.map((row) => summaryRow(row, dimensions));
}

/** One summary row as read: the dimensions grouped by (null for the others), the count, the one-currency sum. */
function summaryRow(row: Record<string, unknown>, dimensions: readonly RefundSummaryDimension[]): SummaryRow {
  const single = row.min_currency === row.max_currency ? (row.min_currency as string) : null;
  const value = (dimension: RefundSummaryDimension) =>
    dimensions.includes(dimension) ? ((row[`d_${dimension.toLowerCase()}`] as string | null) ?? null) : null;
  return {
    provider: value('PROVIDER') as RefundProviderName | null,
    status: value('STATUS') as RefundStatus | null,
    currencyCode: value('CURRENCY'),
    day: value('DAY'),
    reason: value('REASON'),
    count: Number(row.n),
    amountMinor: single === null || row.total === null ? null : exactInteger(row.total),
    amountCurrency: single,
  };
}

/** Every recorded refund of each payment (at most `limitPerQuery` in all), in the lists' order, in one query. */
async function refundsOfPayments(
  db: LedgerDb,
  payments: readonly PaymentRef[],
  limitPerQuery: number,
): Promise<LedgerRow[]> {
  if (payments.length === 0) return [];
  return db
    .selectFrom('refunds')
    .selectAll()
    .where((eb) =>
      eb.or(
        payments.map((payment) =>
          eb.and([eb('provider', '=', payment.provider), eb('payment_id', '=', payment.providerPaymentId)]),
        ),
      ),
    )
    .orderBy('created_at', 'desc')
    .orderBy('provider')
    .orderBy('provider_refund_id')
    .limit(limitPerQuery)
    .execute();
}

/** The filter as AND-ed conditions; none for an empty filter. */
function filterConditions(eb: Eb, filter: LedgerFilter): Array<Expression<SqlBool>> {
  const conditions: Array<Expression<SqlBool>> = [];
  if (filter.provider) conditions.push(eb('provider', '=', filter.provider));
  if (filter.statuses && filter.statuses.length > 0) conditions.push(eb('status', 'in', filter.statuses));
  if (filter.currencyCode) conditions.push(eb('currency_code', '=', filter.currencyCode));
  if (filter.createdFrom) conditions.push(eb('created_at', '>=', toSqlTime(filter.createdFrom)));
  if (filter.createdTo) conditions.push(eb('created_at', '<', toSqlTime(filter.createdTo)));
  if (filter.payment) {
    conditions.push(eb('provider', '=', filter.payment.provider));
    conditions.push(eb('payment_id', '=', filter.payment.providerPaymentId));
  }
  if (filter.actor !== undefined) conditions.push(eb('actor', '=', filter.actor));
  return conditions;
}

/**
 * Strictly after `key` in the order `created_at desc, provider, provider_refund_id`. The leading
 * `created_at <= c` is what an index range starts from; the OR only breaks ties at `c`.
 */
function afterKeyset(eb: Eb, key: RefundKeyset): Expression<SqlBool> {
  const createdAt = toSqlTime(key.createdAt);
  return eb.and([
    eb('created_at', '<=', createdAt),
    eb.or([
      eb('created_at', '<', createdAt),
      eb(eb.refTuple('provider', 'provider_refund_id'), '>', eb.tuple(key.provider, key.providerRefundId)),
    ]),
  ]);
}

/** A sum as the driver gives it (number, bigint or numeric text), as an exact safe integer. */
function exactInteger(value: unknown): number {
  const big = typeof value === 'bigint' ? value : BigInt(String(value));
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`A refund sum of ${big} minor units is beyond what an amount can hold exactly`);
  }
  return Number(big);
}

/** A ledger row's keyset (its place in the lists' order). */
export function rowKeyset(row: LedgerRow): RefundKeyset {
  return { createdAt: fromSqlTime(row.created_at), provider: row.provider, providerRefundId: row.provider_refund_id };
}
