/**
 * The port: what any payment provider must offer the subgraph. A provider is one folder under
 * src/providers/ exporting a ProviderDefinition, plus one line in registry.ts.
 */
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import type { RefundModel, RefundProviderName } from '../domain/refund.js';

/** What one provider call looked like, for metrics and the analysts' debug view. No headers, no bodies. */
export interface ProviderCallRecord {
  readonly provider: RefundProviderName;
  readonly method: 'GET';
  /** The request path with the (validated, encoded) refund id; never the host. */
  readonly path: string;
  /** The final HTTP status, or null when no response arrived. */
  readonly status: number | null;
  readonly attempts: number;
  readonly durationMs: number;
  readonly outcome: 'ok' | 'not_found' | 'error' | 'short_circuited';
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
}

export interface RefundProviderPort {
  readonly name: RefundProviderName;
  /**
   * Fetches one refund by the provider's own id, already validated against the provider's
   * allowlist. Resolves null when the provider has no such refund; rejects with a ProviderError.
   */
  getRefund(providerRefundId: string, context: ProviderCallContext): Promise<RefundModel | null>;
  /** `closed`, `open` or `half-open`: the circuit breaker's state, for readiness and metrics. */
  breakerState(): BreakerState;
  /** Releases keep-alive connections. */
  close(): Promise<void>;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'not-configured';

export interface ProviderDependencies {
  readonly logger: Logger;
  /** Told about every provider call in the process (metrics). */
  readonly observe: ProviderCallObserver;
  /** Told about every breaker state change (metrics). */
  readonly onBreakerStateChange?: (provider: RefundProviderName, state: BreakerState) => void;
}

export interface ProviderDefinition {
  readonly name: RefundProviderName;
  /** The prefix of global ids: `<prefix>:<provider refund id>`. */
  readonly globalIdPrefix: string;
  /**
   * The allowlist of the provider's documented refund id format, anchored at both ends. It is
   * checked on the raw input before anything else, so it is the only gate between client input
   * and the provider's URL.
   */
  readonly idPattern: RegExp;
  /** The format in words, for error messages (e.g. "re_ followed by letters and digits"). */
  readonly idFormat: string;
  /** The form used as the dedupe key and in URLs (e.g. lower-case UUIDs). */
  canonicalId(providerRefundId: string): string;
  /** The client for the configured credentials, or null when none are configured. */
  createClient(config: AppConfig, dependencies: ProviderDependencies): RefundProviderPort | null;
}
