/** The HTTP core's settings and hook points, shared by every provider's client. */
import type { HttpMethod } from '../port.js';
import type { RefundProviderName } from '../../domain/refund.js';

/** One attempt of a provider call, as the attempt hooks see it: no headers, no body, never the host. */
export interface ProviderAttempt {
  readonly provider: RefundProviderName;
  readonly method: HttpMethod;
  /** The URL path (with the validated, encoded id). */
  readonly path: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly requestId: string;
  /** Epoch milliseconds when the call's deadline passes (a hook must not wait beyond it). */
  readonly deadlineAt: number;
}

/** How an attempt ended: its HTTP status, or null and an error type when no response came. */
export interface ProviderAttemptEnd {
  readonly status: number | null;
  /**
   * Set when the attempt failed: the status as text for a non-2xx answer; otherwise `timeout`,
   * `cancelled`, `redirect`, or the network error's code (e.g. `ECONNREFUSED`) or class.
   */
  readonly errorType?: string;
}

/** Hook points around each attempt (rate-limit budgets, tracing). Absent hooks cost nothing. */
export interface ProviderAttemptHooks {
  /**
   * Awaited before each attempt, outside its timeout but inside the call's deadline (`signal`
   * aborts when the deadline passes or the client leaves). Rejecting fails the call: reject with a
   * ProviderError (e.g. PROVIDER_RATE_LIMITED) or with `signal.reason`.
   */
  readonly beforeAttempt?: (attempt: ProviderAttempt, signal: AbortSignal) => void | Promise<void>;
  /**
   * Called as each attempt's request is sent; may set headers on it (e.g. the attempt span's
   * `traceparent`). The function it returns, if any, is called once when the attempt ends.
   */
  readonly startAttempt?: (
    attempt: ProviderAttempt,
    headers: Headers,
  ) => ((end: ProviderAttemptEnd) => void) | undefined;
}

/** How every provider's HTTP client behaves (shared settings, the same for all providers). */
export interface ProviderHttpSettings {
  /**
   * A fixed number of requests in flight per provider, shared by the whole process
   * (`PROVIDER_CONCURRENCY`); null: each provider's limit adapts (concurrency-limit.ts).
   */
  readonly concurrency: number | null;
  readonly attemptTimeoutMs: number;
  /** Overall time one refund may take, retries included. */
  readonly deadlineMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  /** A `Retry-After` longer than this fails the call at once with PROVIDER_RATE_LIMITED. */
  readonly retryAfterCapMs: number;
}

/** One provider's bounds on its requests in flight (its own settings). */
export interface ProviderConcurrencyBounds {
  /** `<PROVIDER>_MAX_CONCURRENCY`: the most the adaptive limit may reach. */
  readonly max: number;
  /** `<PROVIDER>_MAX_REQUESTS_PER_S`, or null: the adaptive limit never passes it either. */
  readonly requestsPerSecond: number | null;
}

export interface BreakerSettings {
  readonly errorThresholdPercentage: number;
  readonly volumeThreshold: number;
  readonly windowMs: number;
  readonly resetTimeoutMs: number;
}

/** The shared settings a provider client is made with, beside its own. */
export interface SharedProviderSettings {
  readonly http: ProviderHttpSettings;
  readonly breaker: BreakerSettings;
}
