/**
 * One HTTP client per provider, composed from small parts: the transport (ky over a keep-alive
 * undici Agent), the per-call retry policy, the call's signals and deadline, the circuit breaker,
 * the process-wide concurrency limit, the failure log and the call record. This file only puts
 * them in order: breaker gate -> one exchange (ky runs the attempts, each in a concurrency slot)
 * -> answer, refusal or one typed ProviderError.
 */
import type { Logger } from 'pino';
import { ProviderError } from '../../domain/errors.js';
import type { ProviderIdentity, RefundProviderName } from '../../domain/refund.js';
import type {
  BreakerSettings,
  ProviderAttemptHooks,
  ProviderConcurrencyBounds,
  ProviderHttpSettings,
} from './types.js';
import type { BreakerState, ProviderCallContext, ProviderCallObserver } from '../port.js';
import { startCallAttempts } from './call-attempts.js';
import { startCallRecord } from './call-record.js';
import { cancellationOf, rejectOnAbort, startCallSignals, type CallSignals } from './call-signals.js';
import { createConcurrencyLimiter, type ConcurrencySettings } from './concurrency-limit.js';
import { createExchange } from './exchange.js';
import { createProviderBreaker } from './circuit-breaker.js';
import { createFailureLog } from './failure-log.js';
import type { ProviderAnswer, ProviderRequest } from './provider-request.js';
import { ProviderCallCancelledError, translateTransportError } from './translate-error.js';
import { createTransport } from './transport.js';

export type { ProviderAnswer, ProviderRequest } from './provider-request.js';
export type { RetryPolicy } from './retry-policy.js';
export { outcomeUnknown } from './delivery.js';

export interface ProviderHttpOptions {
  /** Who the provider is: its name for logs, records and metrics; its label for error messages. */
  readonly provider: ProviderIdentity;
  /** The base URL as configured; paths are appended to it. */
  readonly baseUrl: string;
  readonly http: ProviderHttpSettings;
  readonly breaker: BreakerSettings;
  /** Adds the provider's credentials to a request. */
  readonly authorize: (headers: Headers) => void | Promise<void>;
  /** The setting an operator should check when the provider answers 401/403. */
  readonly credentialSettings: string;
  /** True when a 404 body is the provider's own "no such refund" (not, say, a proxy's HTML page). */
  readonly isNotFoundBody: (body: unknown) => boolean;
  /** The provider's machine-readable error code from an error body, for the log only. */
  readonly errorCodeOf: (body: unknown) => string | undefined;
  readonly logger: Logger;
  readonly observe: ProviderCallObserver;
  readonly onBreakerStateChange?: (provider: RefundProviderName, state: BreakerState) => void;
  readonly attemptHooks?: ProviderAttemptHooks;
  /** The provider's own bounds on its requests in flight; DEFAULT_CONCURRENCY_BOUNDS without them. */
  readonly concurrency?: ProviderConcurrencyBounds;
  /** Told the provider's concurrency limit at start and each time it changes (metrics). */
  readonly onConcurrencyLimitChange?: (provider: RefundProviderName, limit: number) => void;
}

/** The adaptive limit's start. */
export const INITIAL_CONCURRENCY = 32;
/** `<PROVIDER>_MAX_CONCURRENCY` unset, and no request budget. */
export const DEFAULT_CONCURRENCY_BOUNDS: ProviderConcurrencyBounds = { max: 256, requestsPerSecond: null };

/**
 * The limit a provider's requests in flight are held to: PROVIDER_CONCURRENCY when set (fixed),
 * else adaptive from INITIAL_CONCURRENCY up to `<PROVIDER>_MAX_CONCURRENCY`, and never above the
 * provider's request budget per second.
 */
export function concurrencySettings(
  http: ProviderHttpSettings,
  bounds: ProviderConcurrencyBounds,
): ConcurrencySettings {
  if (http.concurrency !== null) return { kind: 'fixed', limit: http.concurrency };
  const max = Math.min(bounds.max, bounds.requestsPerSecond ?? Number.POSITIVE_INFINITY);
  return { kind: 'adaptive', initial: Math.min(INITIAL_CONCURRENCY, max), max };
}

export interface ProviderHttp {
  /**
   * Sends one request (attempts, retries and deadline included). Rejects with a ProviderError
   * whose `mayHaveReachedProvider` is false only when nothing provably reached the provider.
   */
  send<T>(request: ProviderRequest<T>, context: ProviderCallContext): Promise<ProviderAnswer<T>>;
  /** GETs `path` and parses its JSON. Resolves null on the provider's "not found". */
  getResource<T>(path: string, context: ProviderCallContext, parse: (body: unknown) => T): Promise<T | null>;
  breakerState(): BreakerState;
  close(): Promise<void>;
}

/**
 * The URL of a provider resource: the configured base URL (no trailing slash) + `/` + `path`
 * (relative, already encoded by the provider's client). This is the only place a provider URL is
 * built, so the property test of the id allowlist checks exactly what goes on the wire.
 */
export function providerUrl(baseUrl: string, path: string): URL {
  return new URL(`${baseUrl}/${path}`);
}

/** A call's extra headers: the request's over the context's, either alone, or none. */
function callHeaders(
  request: ProviderRequest<unknown>,
  context: ProviderCallContext,
): Readonly<Record<string, string>> | undefined {
  return request.headers && context.headers
    ? { ...context.headers, ...request.headers }
    : (request.headers ?? context.headers);
}

/**
 * The one ProviderError a failed call rejects with: a ProviderError as thrown, else the call's
 * cancellation (client gone or deadline passed), else the transport error translated.
 */
function failureOf(
  provider: ProviderIdentity,
  error: unknown,
  signals: CallSignals,
  attempts: number,
  http: ProviderHttpSettings,
): ProviderError {
  return error instanceof ProviderError
    ? error
    : (cancellationOf(provider, signals) ?? translateTransportError(provider, error, { attempts, ...http }));
}

export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const { provider, http } = options;
  const name = provider.name;
  const concurrency = concurrencySettings(http, options.concurrency ?? DEFAULT_CONCURRENCY_BOUNDS);
  const limiter = createConcurrencyLimiter(
    concurrency,
    options.onConcurrencyLimitChange && ((limit) => options.onConcurrencyLimitChange?.(name, limit)),
  );
  const transport = createTransport({
    http,
    authorize: options.authorize,
    connections: concurrency.kind === 'fixed' ? concurrency.limit : concurrency.max,
  });
  const breaker = createProviderBreaker(provider, options.breaker, options.logger, options.onBreakerStateChange);
  const log = createFailureLog(name, options.logger, options.credentialSettings);
  const exchange = createExchange({ provider, http, transport, log, errorCodeOf: options.errorCodeOf });
  const notFound = (status: number, body: unknown) => status === 404 && options.isNotFoundBody(body);

  async function send<T>(request: ProviderRequest<T>, context: ProviderCallContext): Promise<ProviderAnswer<T>> {
    const url = providerUrl(options.baseUrl, request.path);
    const record = startCallRecord(name, request.method, url.pathname, [options.observe, context.observe]);
    // The deadline starts now, so the wait for a free concurrency slot counts too.
    const signals = startCallSignals(context.signal, http.deadlineMs);
    const call = startCallAttempts({
      provider: name,
      method: request.method,
      origin: url.origin,
      path: url.pathname + url.search,
      requestId: context.requestId,
      signals,
      headers: callHeaders(request, context),
      body: request.body,
      attemptTimeoutMs: http.attemptTimeoutMs,
      send: transport.send,
      limiter,
      hooks: options.attemptHooks,
    });
    // Rejects at the deadline even while ky waits out a backoff (which no signal interrupts).
    const run = () => rejectOnAbort(signals, exchange(url, request, call));
    try {
      const answer = await (request.retry === 'idempotent-read' ? breaker.fire(run) : breaker.guard(run));
      record(answer.ok ? 'ok' : answer.status === 404 ? 'not_found' : 'refused', call.status, call.attempts);
      return answer;
    } catch (error) {
      if (breaker.isShortCircuit(error)) {
        const shortCircuited = breaker.toError(error);
        shortCircuited.mayHaveReachedProvider = false;
        record('short_circuited', null, 0, shortCircuited.code);
        throw shortCircuited;
      }
      const failure = failureOf(provider, error, signals, call.attempts, http);
      if (failure instanceof ProviderCallCancelledError) log.cancelled(context.requestId);
      else if (!call.logged) log.failure(failure, undefined, context.requestId);
      failure.mayHaveReachedProvider = call.reached;
      record('error', call.status, call.attempts, failure.code);
      throw failure;
    } finally {
      call.settled = true;
      signals.release();
    }
  }

  return {
    send,
    async getResource(path, context, parse) {
      const answer = await send({ method: 'GET', path, retry: 'idempotent-read', parse, refusal: notFound }, context);
      return answer.ok ? answer.value : null;
    },
    breakerState: () => breaker.state(),
    async close() {
      breaker.shutdown();
      await transport.close();
    },
  };
}
