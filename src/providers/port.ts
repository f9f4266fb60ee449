/**
 * The port: what the use cases may ask of any payment provider (read and create a refund), and
 * what one provider call looks like from outside. Each provider folder implements it.
 */
import type { ProviderRefundOutcome, ProviderRefundRequest } from '../domain/refund-creation.js';
import type { ProviderIdentity, RefundModel, RefundProviderName } from '../domain/refund.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What one provider call looked like, for metrics and the analysts' debug view. No headers, no bodies. */
export interface ProviderCallRecord {
  readonly provider: RefundProviderName;
  readonly method: HttpMethod;
  /** The request path with the (validated, encoded) refund id; never the host. */
  readonly path: string;
  /** The final HTTP status, or null when no response arrived. */
  readonly status: number | null;
  readonly attempts: number;
  readonly durationMs: number;
  /** `not_found`/`refused`: the provider's own 404/other 4xx answer, handed to the caller as data. */
  readonly outcome: 'ok' | 'not_found' | 'refused' | 'error' | 'short_circuited';
  /** The ProviderError code when the call failed. */
  readonly errorCode?: string;
}

export type ProviderCallObserver = (record: ProviderCallRecord) => void;

export interface ProviderCallContext {
  /** Sent to the provider as `x-request-id` so both sides' logs line up. */
  readonly requestId: string;
  /** Aborts the call (the client going away); the per-refund deadline is added on top. */
  readonly signal?: AbortSignal;
  /** Told about every call made on behalf of this request (the debug view). */
  readonly observe?: ProviderCallObserver;
  /** Extra request headers for this call (e.g. `traceparent`); credentials are set after them. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RefundProviderPort {
  readonly identity: ProviderIdentity;
  /**
   * A stable id of the account the credentials act for, never a secret (a fingerprint of the
   * credentials, with the merchant account where the provider has one). Cache entries and
   * idempotency records are keyed by it, so deployments with other credentials never share them.
   */
  readonly account: string;
  /**
   * Fetches one refund by the provider's own id, already validated against the provider's
   * allowlist. Resolves null when the provider has no such refund; rejects with a ProviderError.
   */
  getRefund(providerRefundId: string, context: ProviderCallContext): Promise<RefundModel | null>;
  /**
   * Creates one refund, at most once per `request.providerKey` however often it is called:
   * retries happen only where the provider deduplicates, or after looking up that nothing was
   * made. Resolves the created (or already existing) refund, or the provider's refusal as data.
   * Rejects with ProviderOutcomeUnknownError when the provider may have acted and it could not be
   * settled, RequestRefusedError(IDEMPOTENCY_KEY_REUSED) when the provider says the key was used
   * with other parameters, ProviderNotConfiguredError when refunds need a setting that is missing,
   * or another ProviderError.
   */
  createRefund(request: ProviderRefundRequest, context: ProviderCallContext): Promise<ProviderRefundOutcome>;
  /**
   * An optional capability, for providers with a list endpoint (without it, a payment's refunds are
   * what the ledger recorded): every refund of one payment, the provider's id already validated against `payments.idPattern`. Follows the
   * provider's own cursor to the end, a bounded number of pages, each call under the client's
   * budget and breaker. Resolves null when the provider has no such payment; rejects with a
   * ProviderError.
   */
  listRefunds?(providerPaymentId: string, context: ProviderCallContext): Promise<ListedRefunds | null>;
  /** `closed`, `open` or `half-open`: the circuit breaker's state, for readiness and metrics. */
  breakerState(): BreakerState;
  /** Releases keep-alive connections. */
  close(): Promise<void>;
}

/** A payment's refunds as its provider listed them. */
export interface ListedRefunds {
  readonly refunds: readonly RefundModel[];
  /** False when the list went on past the page bound: `refunds` holds the first pages only. */
  readonly complete: boolean;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'not-configured';

/**
 * Every registered provider's port, keyed by provider name. `null` marks a provider whose
 * credentials are not configured in this deployment: it stays in the map so a read or create
 * naming it answers "not configured" rather than "unknown provider".
 */
export type ProviderClients = ReadonlyMap<RefundProviderName, RefundProviderPort | null>;
