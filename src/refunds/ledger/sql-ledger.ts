/**
 * The Ledger over SQL (Kysely): SQLite through node:sqlite for one process, PostgreSQL for
 * replicas. The caller opens and migrates the database (createLedgerFromConfig does both); the
 * ledger closes it.
 *
 * Writes are single statements where they can be: `record()` is one INSERT … ON CONFLICT DO UPDATE
 * per batch whose SET decides, row by row, whether anything changed, and says so in `last_write`
 * for RETURNING (neither database can return the old row of an upsert). Claims on PostgreSQL select
 * with FOR UPDATE SKIP LOCKED and mark in one transaction, so concurrent claimers on other replicas
 * get disjoint rows; SQLite has one process and one connection, so one UPDATE … RETURNING does.
 */
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Updateable,
} from 'kysely';
import type { RefundProviderName, RefundStatus } from '../../domain/refund.js';
import { fromSqlTime, toSqlTime, type SqlDatabase } from '../../store/sql/sql-database.js';
import type {
  CreationFacts,
  EventRecordOutcome,
  Ledger,
  LedgerRefund,
  LedgerState,
  LearntFrom,
  ObservedRefund,
  RecordedRefund,
  RecordOutcome,
  WebhookEvent,
  WebhookEventInput,
} from './ledger.js';
import type { LedgerTables, RefundsTable, WebhookEventsTable } from './ledger-tables.js';

/** The statuses a refund can still leave; the reconciler follows these. */
export const UNSETTLED_STATUSES: readonly RefundStatus[] = ['PENDING', 'REQUIRES_ACTION', 'UNKNOWN'];

export interface SqlLedgerOptions {
  /** The ledger's clock (first seen, claims, leases); tests pass their own. */
  readonly clock?: () => Date;
  /** How long a claimed webhook event is left to its claimer before another may claim it (default 60 s). */
  readonly eventLeaseMs?: number;
  /** Told of every failed database call (the ledger's state turns `unavailable`); the error is rethrown. */
  readonly onError?: (error: unknown) => void;
}

/** Rows per statement: far below both databases' bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;

type RefundRow = Selectable<RefundsTable>;
/** What an update may set a column to. */
type UpdateValue<C extends keyof RefundsTable> = Exclude<Updateable<RefundsTable>[C], undefined>;
type EventRow = Selectable<WebhookEventsTable>;
interface RefundKey {
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
}

const keyOf = (ref: RefundKey): string => `${ref.provider}\u0000${ref.providerRefundId}`;

export function createSqlLedger(database: SqlDatabase<LedgerTables>, options: SqlLedgerOptions = {}): Ledger {
  const { db, kind } = database;
  const clock = options.clock ?? (() => new Date());
  const eventLeaseMs = options.eventLeaseMs ?? 60_000;
  let status: LedgerState['status'] = 'ok';

  /** Every database call goes through here: it keeps `state()` current. */
  async function tracked<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      status = 'ok';
      return result;
    } catch (error) {
      status = 'unavailable';
      options.onError?.(error);
      throw error;
    }
  }

  async function recordChunk(
    refunds: readonly ObservedRefund[],
    source: LearntFrom,
    facts: CreationFacts | undefined,
    now: Date,
  ): Promise<RefundRow[]> {
    const rows = refunds.map((refund) => {
      const observed = toSqlTime(observedAt(refund, now));
      return {
        provider: refund.provider,
        provider_refund_id: refund.providerRefundId,
        payment_id: refund.paymentId,
        amount_minor: refund.amount.minorUnits,
        currency_code: refund.amount.currencyCode,
        status: refund.status,
        provider_status: refund.providerStatus,
        reason: refund.reason,
        created_at: toSqlTime(refund.createdAt),
        first_seen_at: observed,
        last_changed_at: observed,
        observed_at: observed,
        learnt_from: source,
        actor: facts?.actor ?? null,
        idempotency_key_hash: facts?.idempotencyKeyHash ?? null,
        last_checked_at: observed,
        last_write: 'new' satisfies RecordOutcome,
      };
    });
    // The row's state moves only to an answer read no earlier than the one it holds.
    const newer = sql<SqlBool>`excluded.observed_at >= refunds.observed_at`;
    const changed = sql<SqlBool>`(refunds.status <> excluded.status or refunds.provider_status <> excluded.provider_status or refunds.amount_minor <> excluded.amount_minor or refunds.currency_code <> excluded.currency_code)`;
    const latest = <C extends keyof RefundsTable>(column: C) =>
      sql<
        UpdateValue<C>
      >`case when ${newer} then ${sql.ref(`excluded.${column}`)} else ${sql.ref(`refunds.${column}`)} end`;
    return db
      .insertInto('refunds')
      .values(rows)
      .onConflict((conflict) =>
        conflict.columns(['provider', 'provider_refund_id']).doUpdateSet({
          // Facts only ever fill a gap: the payment never changes, and the creator is the first one told.
          payment_id: sql<string | null>`coalesce(refunds.payment_id, excluded.payment_id)`,
          actor: sql<string | null>`coalesce(refunds.actor, excluded.actor)`,
          idempotency_key_hash: sql<
            string | null
          >`coalesce(refunds.idempotency_key_hash, excluded.idempotency_key_hash)`,
          amount_minor: latest('amount_minor'),
          currency_code: latest('currency_code'),
          status: latest('status'),
          provider_status: latest('provider_status'),
          reason: latest('reason'),
          created_at: latest('created_at'),
          last_changed_at: sql<string>`case when ${newer} and ${changed} then excluded.observed_at else refunds.last_changed_at end`,
          last_write: sql<string>`case when ${newer} and ${changed} then 'changed' else 'unchanged' end`,
          observed_at: latest('observed_at'),
          last_checked_at: sql<string>`case when excluded.last_checked_at > refunds.last_checked_at then excluded.last_checked_at else refunds.last_checked_at end`,
          // first_seen_at and learnt_from keep the first writer's.
        }),
      )
      .returningAll()
      .execute();
  }

  /** Keys as a row-value IN list: `(provider, provider_refund_id) in ((…), …)`. */
  const refundKeyIn =
    (keys: readonly RefundKey[]) =>
    (eb: ExpressionBuilder<LedgerTables, 'refunds'>): Expression<SqlBool> =>
      eb(
        eb.refTuple('provider', 'provider_refund_id'),
        'in',
        keys.map((key) => eb.tuple(key.provider, key.providerRefundId)),
      );

  return {
    async record(refunds, source, facts) {
      if (refunds.length === 0) return [];
      const now = clock();
      // One row per refund per statement (PostgreSQL refuses to upsert a row twice in one): the later
      // observation of a refund passed twice wins.
      const unique = new Map<string, ObservedRefund>();
      for (const refund of refunds) {
        const key = keyOf(refund);
        const before = unique.get(key);
        if (before === undefined || observedAt(refund, now) >= observedAt(before, now)) {
          unique.delete(key);
          unique.set(key, refund);
        }
      }
      const written = new Map<string, RecordedRefund>();
      // In key order, so that two replicas upserting overlapping batches lock rows in the same order
      // (in any other order, PostgreSQL could find them deadlocked and fail one).
      const all = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, refund]) => refund);
      await tracked(async () => {
        for (let start = 0; start < all.length; start += ROWS_PER_STATEMENT) {
          const rows = await recordChunk(all.slice(start, start + ROWS_PER_STATEMENT), source, facts, now);
          for (const row of rows) {
            const refund = toLedgerRefund(row);
            written.set(keyOf(refund), { outcome: toOutcome(row.last_write), refund });
          }
        }
      });
      return refunds.map((refund) => {
        const result = written.get(keyOf(refund));
        if (result === undefined) {
          throw new Error(
            `Expected the upsert to return ${refund.provider} refund ${refund.providerRefundId}, it did not`,
          );
        }
        return result;
      });
    },

    async getMany(refs) {
      if (refs.length === 0) return [];
      const found = new Map<string, LedgerRefund>();
      await tracked(async () => {
        for (let start = 0; start < refs.length; start += ROWS_PER_STATEMENT) {
          const rows = await db
            .selectFrom('refunds')
            .selectAll()
            .where(refundKeyIn(refs.slice(start, start + ROWS_PER_STATEMENT)))
            .execute();
          for (const row of rows) {
            const refund = toLedgerRefund(row);
            found.set(keyOf(refund), refund);
          }
        }
      });
      return refs.map((ref) => found.get(keyOf(ref)) ?? null);
    },

    async recordEvent(event: WebhookEventInput): Promise<EventRecordOutcome> {
      const inserted = await tracked(() =>
        db
          .insertInto('webhook_events')
          .values({
            provider: event.provider,
            event_id: event.eventId,
            received_at: toSqlTime(event.receivedAt),
            signature_outcome: event.signature,
            provider_refund_id: event.providerRefundId,
            lookup: event.lookup === null ? null : JSON.stringify(event.lookup),
            processed_at: null,
            attempts: 0,
            claimed_until: null,
          })
          .onConflict((conflict) => conflict.columns(['provider', 'event_id']).doNothing())
          .returning('event_id')
          .executeTakeFirst(),
      );
      return inserted === undefined ? 'duplicate' : 'recorded';
    },

    async markEventProcessed(provider, eventId, at) {
      await tracked(() =>
        db
          .updateTable('webhook_events')
          .set({ processed_at: toSqlTime(at), claimed_until: null })
          .where('provider', '=', provider)
          .where('event_id', '=', eventId)
          .where('processed_at', 'is', null)
          .execute(),
      );
    },

    async claimPendingEvents(limit, olderThan, receivedAfter) {
      if (limit <= 0) return [];
      const now = clock();
      const claimable = (qb: Kysely<LedgerTables>) => {
        let query = qb
          .selectFrom('webhook_events')
          .select(['provider', 'event_id'])
          .where('processed_at', 'is', null)
          .where('received_at', '<', toSqlTime(olderThan))
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', toSqlTime(now))]))
          .orderBy('received_at')
          .limit(limit);
        if (receivedAfter !== undefined) query = query.where('received_at', '>', toSqlTime(receivedAfter));
        return query;
      };
      const claim = (
        qb: Kysely<LedgerTables>,
        keys: (eb: ExpressionBuilder<LedgerTables, 'webhook_events'>) => Expression<SqlBool>,
      ) =>
        qb
          .updateTable('webhook_events')
          .set((eb) => ({
            claimed_until: toSqlTime(new Date(now.getTime() + eventLeaseMs)),
            attempts: eb('attempts', '+', 1),
          }))
          .where(keys)
          .returningAll()
          .execute();
      const rows = await tracked(async (): Promise<EventRow[]> => {
        if (kind === 'sqlite') {
          return claim(db, (eb) =>
            eb(eb.refTuple('provider', 'event_id'), 'in', claimable(db).$asTuple('provider', 'event_id')),
          );
        }
        return db.transaction().execute(async (trx) => {
          const keys = await claimable(trx).forUpdate().skipLocked().execute();
          if (keys.length === 0) return [];
          return claim(trx, (eb) =>
            eb(
              eb.refTuple('provider', 'event_id'),
              'in',
              keys.map((key) => eb.tuple(key.provider, key.event_id)),
            ),
          );
        });
      });
      return rows.map(toWebhookEvent).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    },

    async claimUnsettled(limit, seenAfter, checkedBefore) {
      if (limit <= 0) return [];
      const now = toSqlTime(clock());
      const claimable = (qb: Kysely<LedgerTables>) =>
        qb
          .selectFrom('refunds')
          .select(['provider', 'provider_refund_id'])
          .where('status', 'in', UNSETTLED_STATUSES)
          .where('first_seen_at', '>', toSqlTime(seenAfter))
          .where('last_checked_at', '<', toSqlTime(checkedBefore))
          .orderBy('last_checked_at')
          .limit(limit);
      const claim = (
        qb: Kysely<LedgerTables>,
        keys: (eb: ExpressionBuilder<LedgerTables, 'refunds'>) => Expression<SqlBool>,
      ) => qb.updateTable('refunds').set({ last_checked_at: now }).where(keys).returningAll().execute();
      const rows = await tracked(async (): Promise<RefundRow[]> => {
        if (kind === 'sqlite') {
          return claim(db, (eb) =>
            eb(
              eb.refTuple('provider', 'provider_refund_id'),
              'in',
              claimable(db).$asTuple('provider', 'provider_refund_id'),
            ),
          );
        }
        return db.transaction().execute(async (trx) => {
          const keys = await claimable(trx).forUpdate().skipLocked().execute();
          if (keys.length === 0) return [];
          return claim(
            trx,
            refundKeyIn(
              keys.map((key) => ({
                provider: key.provider as RefundProviderName,
                providerRefundId: key.provider_refund_id,
              })),
            ),
          );
        });
      });
      return rows.map(toLedgerRefund);
    },

    state: () => ({ kind, status }),

    async check() {
      try {
        await tracked(() => sql`select 1`.execute(db));
      } catch {
        // The state says so.
      }
      return { kind, status };
    },

    close: () => database.close(),
  };
}

function observedAt(refund: ObservedRefund, now: Date): Date {
  return refund.retrievedAt instanceof Date ? refund.retrievedAt : now;
}

function toOutcome(lastWrite: string): RecordOutcome {
  if (lastWrite === 'new' || lastWrite === 'changed' || lastWrite === 'unchanged') return lastWrite;
  throw new Error(`Expected last_write to be new, changed or unchanged, received ${JSON.stringify(lastWrite)}`);
}

function toLedgerRefund(row: RefundRow): LedgerRefund {
  return {
    provider: row.provider as RefundProviderName,
    providerRefundId: row.provider_refund_id,
    paymentId: row.payment_id,
    amountMinor: row.amount_minor,
    currencyCode: row.currency_code,
    status: row.status as RefundStatus,
    providerStatus: row.provider_status,
    reason: row.reason,
    createdAt: fromSqlTime(row.created_at),
    firstSeenAt: fromSqlTime(row.first_seen_at),
    lastChangedAt: fromSqlTime(row.last_changed_at),
    learntFrom: row.learnt_from as LearntFrom,
    actor: row.actor,
    idempotencyKeyHash: row.idempotency_key_hash,
  };
}

function toWebhookEvent(row: EventRow): WebhookEvent {
  return {
    provider: row.provider as RefundProviderName,
    eventId: row.event_id,
    receivedAt: fromSqlTime(row.received_at),
    signature: row.signature_outcome as WebhookEvent['signature'],
    providerRefundId: row.provider_refund_id,
    lookup: row.lookup === null ? null : (JSON.parse(row.lookup) as Record<string, string>),
    processedAt: row.processed_at === null ? null : fromSqlTime(row.processed_at),
    attempts: row.attempts,
  };
}
