/**
 * The port: what any payment provider must offer the subgraph. A provider is one folder under
 * src/providers/ exporting a ProviderDefinition (its identity, id format, settings, client and
 * simulator), plus one line in registry.ts. Shared code iterates the registry and names no provider.
 */
import type { Logger } from 'pino';
import type { ProviderRefundOutcome, ProviderRefundRequest } from '../domain/refund-creation.js';
import type { ProviderIdentity, RefundModel, RefundProviderName } from '../domain/refund.js';
import type { SimulatorHandle } from '../simulator-kit/fault-injection.js';
import type { Env } from './settings-fields.js';

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
  /** `closed`, `open` or `half-open`: the circuit breaker's state, for readiness and metrics. */
  breakerState(): BreakerState;
  /** Releases keep-alive connections. */
  close(): Promise<void>;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'not-configured';

/** How every provider's HTTP client behaves (shared settings, the same for all providers). */
export interface ProviderHttpSettings {
  /** Concurrent requests per provider, shared by the whole process. */
  readonly concurrency: number;
  readonly attemptTimeoutMs: number;
  /** Overall time one refund may take, retries included. */
  readonly deadlineMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  /** A `Retry-After` longer than this fails the call at once with PROVIDER_RATE_LIMITED. */
  readonly retryAfterCapMs: number;
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

export interface ProviderDependencies {
  readonly logger: Logger;
  /** Told about every provider call in the process (metrics). */
  readonly observe: ProviderCallObserver;
  /** Told about every breaker state change (metrics). */
  readonly onBreakerStateChange?: (provider: RefundProviderName, state: BreakerState) => void;
  /** Per-attempt hooks (rate-limit budget, tracing); none by default. */
  readonly attemptHooks?: ProviderAttemptHooks;
}

/** What every provider's parsed settings say, whatever else they hold. */
export interface ProviderSettings {
  /** True when credentials are set, so the provider can be called. */
  readonly configured: boolean;
  /**
   * The provider's request budget, shared by every replica (`<PROVIDER>_MAX_REQUESTS_PER_S`,
   * declared in the provider's own settings); null for no budget.
   */
  readonly maxRequestsPerSecond: number | null;
}

/** One environment variable a provider reads. */
export interface ProviderVariable {
  readonly name: string;
  /** A credential: never logged (the logger censors it by name) and never put in a response. */
  readonly secret: boolean;
}

export interface ProviderSimulatorOptions {
  /** Latency added to every response. */
  readonly latencyMs: number;
  /** How long refunds created at the simulator stay pending before they settle (default 3000 ms). */
  readonly settleMs?: number;
  /** The environment as configured, for the provider's non-secret settings (e.g. its account). */
  readonly env: Env;
}

export interface StartedProviderSimulator {
  readonly handle: SimulatorHandle;
  /** The provider's variables that point the subgraph at this simulator, with fresh credentials. */
  readonly env: Readonly<Record<string, string>>;
}

export interface ProviderDefinition<S extends ProviderSettings = ProviderSettings> extends ProviderIdentity {
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
  /** What `createRefund` accepts: the provider's payment ids and input rules. */
  readonly payments: PaymentRules;
  /** Every variable the provider reads, in the order the README lists them. */
  readonly variables: readonly ProviderVariable[];
  /**
   * The shapes of the provider's credentials (global regexps), censored wherever they appear in a
   * log line, as a last line of defence.
   */
  readonly credentialPatterns: readonly RegExp[];
  /** The credential settings in words, for messages (e.g. the secret key's variable). */
  readonly credentialSettings: string;
  /** The same, shorter, for the sandbox's start message. */
  readonly credentialHint: string;
  /**
   * Reads and validates the provider's own variables. Pushes one message per problem (what was
   * wrong and how to fix it) and returns settings anyway, so all problems are reported at once.
   */
  readSettings(env: Env, problems: string[]): S;
  /** The client for configured settings (only called when `settings.configured`). */
  createClient(settings: S, shared: SharedProviderSettings, dependencies: ProviderDependencies): RefundProviderPort;
  /** Starts the provider's simulator on loopback (the sandbox and the tests). */
  startSimulator(options: ProviderSimulatorOptions): Promise<StartedProviderSimulator>;
}

/**
 * Registers a provider with its own settings type. The registry holds definitions of different
 * settings types side by side; `createClient` is only ever given what the same definition's
 * `readSettings` returned, which is what makes the widening below sound.
 */
export function defineProvider<S extends ProviderSettings>(definition: ProviderDefinition<S>): ProviderDefinition {
  return definition;
}

/** A provider's rules for refund creation input, checked before anything else happens. */
export interface PaymentRules {
  /** The allowlist of the provider's payment id format, anchored at both ends. */
  readonly idPattern: RegExp;
  /** The format in words, for error messages (e.g. "pi_ followed by letters and digits"). */
  readonly idFormat: string;
  /** The canonical form (e.g. lower-case UUIDs), used in fingerprints and URLs. */
  canonicalId(paymentId: string): string;
  /** True when the provider cannot refund "what remains" and needs an amount. */
  readonly amountRequired: boolean;
  /** True when the provider stores metadata with a refund. */
  readonly metadataSupported: boolean;
}
