/**
 * The plug-in definition: a provider is one folder under src/providers/ exporting a
 * ProviderDefinition (its identity, id format, settings, client and simulator), plus one line in
 * registry.ts. Shared code iterates the registry and names no provider.
 */
import type { Logger } from 'pino';
import type { ProviderIdentity, RefundProviderName } from '../domain/refund.js';
import type { SimulatorHandle } from '../simulator-kit/fault-injection.js';
import type { BreakerState, ProviderCallContext, ProviderCallObserver, RefundProviderPort } from './port.js';
import type { ProviderAttemptHooks, ProviderConcurrencyBounds, SharedProviderSettings } from './http/types.js';
import type { Env } from './settings-fields.js';

export interface ProviderDependencies {
  readonly logger: Logger;
  /** Told about every provider call in the process (metrics). */
  readonly observe: ProviderCallObserver;
  /** Told about every breaker state change (metrics). */
  readonly onBreakerStateChange?: (provider: RefundProviderName, state: BreakerState) => void;
  /** Per-attempt hooks (rate-limit budget, tracing); none by default. */
  readonly attemptHooks?: ProviderAttemptHooks;
  /** The provider's bounds on its requests in flight (from its settings); the HTTP core's defaults otherwise. */
  readonly concurrency?: ProviderConcurrencyBounds;
  /** Told the provider's concurrency limit at start and each time it changes (metrics). */
  readonly onConcurrencyLimitChange?: (provider: RefundProviderName, limit: number) => void;
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
  /**
   * The most requests in flight the provider's adaptive concurrency limit may reach
   * (`<PROVIDER>_MAX_CONCURRENCY`, declared in the provider's own settings).
   */
  readonly maxConcurrency: number;
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
  /** How long refunds created at the simulator stay pending before they settle (default DEFAULT_SETTLE_MS). */
  readonly settleMs?: number;
  /** Delivery attempts per webhook event and the first retry's delay (doubling); the simulator's defaults otherwise. */
  readonly webhookRetry?: { readonly maxAttempts: number; readonly baseDelayMs: number };
  /** The environment as configured, for the provider's non-secret settings (e.g. its account). */
  readonly env: Env;
}

export interface StartedProviderSimulator {
  readonly handle: SimulatorHandle;
  /** The provider's variables that point the subgraph at this simulator, with fresh credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** What the sandbox starts its ledger with, so analysts' search has something to show. */
  readonly sandboxStart?: SandboxStart;
}

/** The sandbox's first activity at one provider: its seeded refunds, read once, and a few refunds made through createRefund. */
export interface SandboxStart {
  /** The refunds the simulator was seeded with (as if made in the provider's dashboard). */
  readonly seededRefundIds: readonly string[];
  /** Refunds the sandbox creates at start, several on one payment, so a payment with many refunds can be tried. */
  readonly demoRefunds: ReadonlyArray<{
    readonly paymentId: string;
    readonly minorUnits: number;
    readonly currencyCode: string;
  }>;
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
  /** The provider's signed refund notifications (`POST /webhooks/<provider>`); absent: it sends none. */
  readonly webhooks?: ProviderWebhooks<S>;
}

/** Request headers as node:http gives them (lower-case names). */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Why a webhook request was refused (answered 400, nothing recorded). Never says more than this. */
export type WebhookRejectionReason =
  | 'missing_signature'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'bad_timestamp'
  | 'malformed_event'
  | 'unsupported_media_type'
  | 'body_too_large';

/**
 * A verified event: what is needed to process it later, never its state. `providerRefundId` and
 * `lookup` are both null for a verified event of a kind the subgraph does not follow (answered
 * 2xx and dropped).
 */
export interface VerifiedWebhookEvent {
  /** Unique per notification; a second delivery carries the same id. */
  readonly eventId: string;
  readonly providerRefundId: string | null;
  /** Provider-specific facts that find the refund when the body names no refund id. */
  readonly lookup: Readonly<Record<string, string>> | null;
}

export type WebhookVerification =
  | { readonly ok: true; readonly event: VerifiedWebhookEvent }
  | { readonly ok: false; readonly reason: WebhookRejectionReason };

export interface ProviderWebhooks<S extends ProviderSettings = ProviderSettings> {
  /** The variable holding the verification secret or key, for messages ("webhooks are off: set …"). */
  readonly secretVariable: string;
  /** The verification secrets or public keys (several during a rotation); null when unset. */
  secrets(settings: S): readonly string[] | null;
  /**
   * Checks the signature over `rawBody` (the bytes as received) with any of `secrets`, and the
   * signed time against `toleranceS` either way of `now`, then reads the event. Pure; never throws.
   */
  verify(
    rawBody: Buffer,
    headers: WebhookHeaders,
    secrets: readonly string[],
    now: Date,
    toleranceS: number,
  ): WebhookVerification;
  /** The answer the provider expects for an accepted event (it retries anything else). */
  readonly acceptedAnswer: { readonly status: number; readonly body: string };
  /**
   * For providers whose events name no refund id: the provider refund id the event's `lookup`
   * facts point to, found through the provider's client; null when none matches. Rejects with a
   * ProviderError.
   */
  findRefund?(
    lookup: Readonly<Record<string, string>>,
    client: RefundProviderPort,
    context: ProviderCallContext,
  ): Promise<string | null>;
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
