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

type LedgerDb = Kysely<LedgerTables>;
type SqlKind = SqlDatabase<LedgerTables>['kind'];
type RefundRow = Selectable<RefundsTable>;
/** What an update may set a column to. */
type UpdateValue<C extends keyof RefundsTable> = Exclude<Updateable<RefundsTable>[C], undefined>;
type EventRow = Selectable<WebhookEventsTable>;
interface RefundKey {
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
}

const keyOf = (ref: RefundKey): string => `${ref.provider}\u0000${ref.providerRefundId}`;

/**
 * The factory assembles the operations below over one database. Every database call goes through
 * LedgerHealth, which keeps `state()` current and tells `onError` of each failure before rethrowing it.
 */
export function createSqlLedger(database: SqlDatabase<LedgerTables>, options: SqlLedgerOptions = {}): Ledger {
  const { db, kind } = database;
  const clock = options.clock ?? (() => new Date());
  const eventLeaseMs = options.eventLeaseMs ?? 60_000;
  const health = new LedgerHealth(options.onError);
  const tracked = <T>(work: () => Promise<T>): Promise<T> => health.tracked(work);

  return {
    async record(refunds, source, facts) {
      if (refunds.length === 0) return [];
      const now = clock();
      const all = latestObservations(refunds, now);
      const written = await tracked(() => recordRefunds(db, all, source, facts, now));
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
      const found = await tracked(() => getRefunds(db, refs));
      return refs.map((ref) => found.get(keyOf(ref)) ?? null);
    },

    async recordEvent(event: WebhookEventInput): Promise<EventRecordOutcome> {
      return tracked(() => recordEvent(db, event));
    },

    async markEventProcessed(provider, eventId, at) {
      await tracked(() => markEventProcessed(db, provider, eventId, at));
    },

    async claimPendingEvents(limit, olderThan, receivedAfter) {
      if (limit <= 0) return [];
      const now = clock();
      const rows = await tracked(() =>
        claimPendingEvents(db, kind, { limit, olderThan, receivedAfter, now, eventLeaseMs }),
      );
      return rows.map(toWebhookEvent).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    },

    async claimUnsettled(limit, seenAfter, checkedBefore) {
      if (limit <= 0) return [];
      const now = toSqlTime(clock());
      const rows = await tracked(() => claimUnsettled(db, kind, { limit, seenAfter, checkedBefore, now }));
      return rows.map(toLedgerRefund);
    },

    state: () => ({ kind, status: health.status }),

    async check() {
      try {
        await tracked(() => sql`select 1`.execute(db));
      } catch {
        // The state says so.
      }
      return { kind, status: health.status };
    },

    close: () => database.close(),
  };
}

/** The ledger's status as its last database call left it. */
class LedgerHealth {
  status: LedgerState['status'] = 'ok';

  constructor(private readonly onError: ((error: unknown) => void) | undefined) {}

  /** Every database call goes through here: `ok` when it succeeds; `unavailable`, told and rethrown when it fails. */
  async tracked<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.status = 'ok';
      return result;
    } catch (error) {
      this.status = 'unavailable';
      this.onError?.(error);
      throw error;
    }
  }
}

/**
 * One observation per refund, in key order. One row per refund per statement (PostgreSQL refuses
 * to upsert a row twice in one): the later observation of a refund passed twice wins. Key order
 * makes two replicas upserting overlapping batches lock rows in the same order (in any other order,
 * PostgreSQL could find them deadlocked and fail one).
 */
function latestObservations(refunds: readonly ObservedRefund[], now: Date): ObservedRefund[] {
  const unique = new Map<string, ObservedRefund>();
  for (const refund of refunds) {
    const key = keyOf(refund);
    const before = unique.get(key);
    if (before === undefined || observedAt(refund, now) >= observedAt(before, now)) {
      unique.delete(key);
      unique.set(key, refund);
    }
  }
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, refund]) => refund);
}

/**
 * Upserts the refunds (each once, already in key order) in statements of ROWS_PER_STATEMENT rows,
 * one after another, and returns each written row with its outcome, by key.
 */
async function recordRefunds(
  db: LedgerDb,
  refunds: readonly ObservedRefund[],
  source: LearntFrom,
  facts: CreationFacts | undefined,
  now: Date,
): Promise<Map<string, RecordedRefund>> {
  const written = new Map<string, RecordedRefund>();
  for (let start = 0; start < refunds.length; start += ROWS_PER_STATEMENT) {
    const rows = await recordChunk(db, refunds.slice(start, start + ROWS_PER_STATEMENT), source, facts, now);
    for (const row of rows) {
      const refund = toLedgerRefund(row);
      written.set(keyOf(refund), { outcome: toOutcome(row.last_write), refund });
    }
  }
  return written;
}

/**
 * One INSERT … ON CONFLICT DO UPDATE for a chunk of distinct refunds. A row's state moves only to an
 * observation no older than the one it holds; facts only fill gaps; `last_write` says what happened.
 */
async function recordChunk(
  db: LedgerDb,
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
        idempotency_key_hash: sql<string | null>`coalesce(refunds.idempotency_key_hash, excluded.idempotency_key_hash)`,
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

/** The refunds held for these keys, by key, read in statements of ROWS_PER_STATEMENT keys. */
async function getRefunds(db: LedgerDb, refs: readonly RefundKey[]): Promise<Map<string, LedgerRefund>> {
  const found = new Map<string, LedgerRefund>();
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
  return found;
}

/** Inserts the event unless one with its provider and id is held: `duplicate` then, else `recorded`. */
async function recordEvent(db: LedgerDb, event: WebhookEventInput): Promise<EventRecordOutcome> {
  const inserted = await db
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
    .executeTakeFirst();
  return inserted === undefined ? 'duplicate' : 'recorded';
}

/** Marks an unprocessed event processed at `at` and releases its claim; a processed one is left as it is. */
async function markEventProcessed(
  db: LedgerDb,
  provider: RefundProviderName,
  eventId: string,
  at: Date,
): Promise<void> {
  await db
    .updateTable('webhook_events')
    .set({ processed_at: toSqlTime(at), claimed_until: null })
    .where('provider', '=', provider)
    .where('event_id', '=', eventId)
    .where('processed_at', 'is', null)
    .execute();
}

interface EventClaim {
  readonly limit: number;
  readonly olderThan: Date;
  readonly receivedAfter: Date | undefined;
  readonly now: Date;
  readonly eventLeaseMs: number;
}

/**
 * Claims up to `limit` unprocessed events received before `olderThan` (and after `receivedAfter`,
 * if given) whose claim is absent or lapsed: leases each until now + eventLeaseMs and counts an
 * attempt. Returns the claimed rows, in no particular order.
 */
async function claimPendingEvents(db: LedgerDb, kind: SqlKind, claim: EventClaim): Promise<EventRow[]> {
  const { limit, olderThan, receivedAfter, now, eventLeaseMs } = claim;
  const claimable = (qb: LedgerDb) => {
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
  const mark = (qb: LedgerDb, keys: (eb: ExpressionBuilder<LedgerTables, 'webhook_events'>) => Expression<SqlBool>) =>
    qb
      .updateTable('webhook_events')
      .set((eb) => ({
        claimed_until: toSqlTime(new Date(now.getTime() + eventLeaseMs)),
        attempts: eb('attempts', '+', 1),
      }))
      .where(keys)
      .returningAll()
      .execute();
  if (kind === 'sqlite') {
    return mark(db, (eb) =>
      eb(eb.refTuple('provider', 'event_id'), 'in', claimable(db).$asTuple('provider', 'event_id')),
    );
  }
  return db.transaction().execute(async (trx) => {
    const keys = await claimable(trx).forUpdate().skipLocked().execute();
    if (keys.length === 0) return [];
    return mark(trx, (eb) =>
      eb(
        eb.refTuple('provider', 'event_id'),
        'in',
        keys.map((key) => eb.tuple(key.provider, key.event_id)),
      ),
    );
  });
}

interface UnsettledClaim {
  readonly limit: number;
  readonly seenAfter: Date;
  readonly checkedBefore: Date;
  /** The claim time, as stored: it becomes each claimed row's `last_checked_at`. */
  readonly now: string;
}

/**
 * Claims up to `limit` unsettled refunds first seen after `seenAfter` and last checked before
 * `checkedBefore`, least recently checked first, by setting their `last_checked_at` to `now`.
 * Returns the claimed rows, in no particular order.
 */
async function claimUnsettled(db: LedgerDb, kind: SqlKind, claim: UnsettledClaim): Promise<RefundRow[]> {
  const { limit, seenAfter, checkedBefore, now } = claim;
  const claimable = (qb: LedgerDb) =>
    qb
      .selectFrom('refunds')
      .select(['provider', 'provider_refund_id'])
      .where('status', 'in', UNSETTLED_STATUSES)
      .where('first_seen_at', '>', toSqlTime(seenAfter))
      .where('last_checked_at', '<', toSqlTime(checkedBefore))
      .orderBy('last_checked_at')
      .limit(limit);
  const mark = (qb: LedgerDb, keys: (eb: ExpressionBuilder<LedgerTables, 'refunds'>) => Expression<SqlBool>) =>
    qb.updateTable('refunds').set({ last_checked_at: now }).where(keys).returningAll().execute();
  if (kind === 'sqlite') {
    return mark(db, (eb) =>
      eb(eb.refTuple('provider', 'provider_refund_id'), 'in', claimable(db).$asTuple('provider', 'provider_refund_id')),
    );
  }
  return db.transaction().execute(async (trx) => {
    const keys = await claimable(trx).forUpdate().skipLocked().execute();
    if (keys.length === 0) return [];
    return mark(
      trx,
      refundKeyIn(
        keys.map((key) => ({
          provider: key.provider as RefundProviderName,
          providerRefundId: key.provider_refund_id,
        })),
      ),
    );
  });
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
