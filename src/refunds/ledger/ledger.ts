/**
 * The ledger: this service's own SQL record of every refund it has seen, and of every webhook event
 * it received. The contract between the ledger and its writers (createRefund, reads, webhooks, the
 * reconciler) and readers (payment refunds, search, live status).
 *
 * Money stays integer minor units (bigint in PostgreSQL). Times are UTC.
 */
import type { RefundModel, RefundProviderName, RefundStatus } from '../../domain/refund.js';

/** How the service learnt of a refund (the first source is kept; later sources only update). */
export type LearntFrom = 'created' | 'read' | 'webhook' | 'listed' | 'reconciled';

/** One refund as the ledger holds it. */
export interface LedgerRefund {
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
  /** The provider's own payment id (the payment the refund belongs to); null when unknown. */
  readonly paymentId: string | null;
  readonly amountMinor: number;
  readonly currencyCode: string;
  readonly status: RefundStatus;
  readonly providerStatus: string;
  readonly reason: string | null;
  /** The provider's createdAt. */
  readonly createdAt: Date;
  readonly firstSeenAt: Date;
  /** When this service last saw the status, amount or provider status change. */
  readonly lastChangedAt: Date;
  readonly learntFrom: LearntFrom;
  /** For refunds created through this service: the caller (JWT `sub`) and the idempotency key's hash. */
  readonly actor: string | null;
  readonly idempotencyKeyHash: string | null;
}

/**
 * A refund as a writer passes it: what the provider says, and (when known) when the provider said
 * it. A read path's RetrievedRefund carries `retrievedAt` and fits as is.
 */
export type ObservedRefund = RefundModel & {
  /** When this answer was read from the provider; absent: now. */
  readonly retrievedAt?: Date;
};

/** What recording one refund did: `new` and `changed` are the changes live status and the cache follow. */
export type RecordOutcome = 'new' | 'changed' | 'unchanged';

export interface RecordedRefund {
  readonly outcome: RecordOutcome;
  /** The row after the write. */
  readonly refund: LedgerRefund;
}

/** Extra facts about a refund created through this service. */
export interface CreationFacts {
  readonly actor: string | null;
  readonly idempotencyKeyHash: string;
}

export type SignatureOutcome = 'valid';

/** A webhook event as recorded before it is answered: what is needed to process it later, never the body. */
export interface WebhookEventInput {
  readonly provider: RefundProviderName;
  readonly eventId: string;
  readonly receivedAt: Date;
  readonly signature: SignatureOutcome;
  /** The provider refund id the event names, when the body names one. */
  readonly providerRefundId: string | null;
  /** Provider-specific lookup facts when the event names no refund id (e.g. the payment and the identifier we sent). */
  readonly lookup: Readonly<Record<string, string>> | null;
}

export interface WebhookEvent extends WebhookEventInput {
  /** Null until processed. */
  readonly processedAt: Date | null;
  readonly attempts: number;
}

/** `recorded`: first delivery; `duplicate`: this event id was recorded before (answer 2xx, do nothing). */
export type EventRecordOutcome = 'recorded' | 'duplicate';

export interface LedgerState {
  readonly kind: 'sqlite' | 'postgres';
  /** `ok`, or `unavailable` when the last write or health check failed. */
  readonly status: 'ok' | 'unavailable';
}

export interface Ledger {
  /**
   * Upserts refunds read from a provider (or created, or told by a webhook). A change is a different
   * status, provider status or amount; only then does `lastChangedAt` move. Never moves a refund
   * backwards in time: the caller passes what the provider says (now, or at its `retrievedAt`), and an
   * answer read before the one the row holds leaves the row's state as it is (`unchanged`), so a late
   * background write or a stale cached copy cannot undo a webhook's news. Resolves one entry per
   * refund passed, in order (a refund passed twice: the later observation wins, both entries say so).
   */
  record(refunds: readonly ObservedRefund[], source: LearntFrom, facts?: CreationFacts): Promise<RecordedRefund[]>;
  /** The ledger rows of the given refunds (absent when never recorded). */
  getMany(
    refs: ReadonlyArray<{ provider: RefundProviderName; providerRefundId: string }>,
  ): Promise<Array<LedgerRefund | null>>;
  /** Records a webhook event before it is answered; dedupes on (provider, event id). */
  recordEvent(event: WebhookEventInput): Promise<EventRecordOutcome>;
  /** Marks an event processed (its refund re-read and recorded). */
  markEventProcessed(provider: RefundProviderName, eventId: string, at: Date): Promise<void>;
  /**
   * Claims up to `limit` unprocessed events received before `olderThan` (so events still being
   * processed by the replica that received them are left alone), counting an attempt on each; with
   * several replicas each event goes to one replica per round. A claimed event is left to its
   * claimer for a lease (SqlLedgerOptions.eventLeaseMs) before it can be claimed again. With
   * `receivedAfter`, events received before it are given up on and never claimed.
   */
  claimPendingEvents(limit: number, olderThan: Date, receivedAfter?: Date): Promise<WebhookEvent[]>;
  /**
   * Claims up to `limit` refunds that are not final (PENDING, REQUIRES_ACTION, UNKNOWN), first seen
   * after `seenAfter`, not checked since `checkedBefore`; marks them checked now. With several
   * replicas each refund goes to one replica per round.
   */
  claimUnsettled(limit: number, seenAfter: Date, checkedBefore: Date): Promise<LedgerRefund[]>;
  state(): LedgerState;
  /** Asks the database (a trivial query) and updates `state()`; never rejects. For /ready. */
  check(): Promise<LedgerState>;
  close(): Promise<void>;
}
