/**
 * A circuit breaker per provider (opossum). It counts only reads, and of those only failures that
 * say the provider is unwell (unavailable, timeout, rate limited, bad response); not-found
 * answers, auth failures and calls cancelled because the client went away do not open it. While
 * open, calls fail at once with PROVIDER_UNAVAILABLE and make no request; after the reset timeout
 * one read goes through as the probe (half-open). Every state change is logged.
 *
 * Writes are only gated (`guard`): refused while open, let through otherwise, never counted. A
 * write's failure is often an unknown outcome that its caller resolves with a read (which counts),
 * and a failing write endpoint must not stop reads.
 */
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { ProviderError, ProviderUnavailableError, type ProviderErrorCode } from '../../domain/errors.js';
import type { ProviderIdentity, RefundProviderName } from '../../domain/refund.js';
import type { BreakerSettings } from './types.js';
import type { BreakerState } from '../port.js';
import { ProviderCallCancelledError } from './translate-error.js';

const COUNTED_FAILURES: ReadonlySet<ProviderErrorCode> = new Set([
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_BAD_RESPONSE',
]);

export interface ProviderBreaker {
  /** Runs a read through the breaker: counted, and refused while open or while a probe runs. */
  fire<T>(action: () => Promise<T>): Promise<T>;
  /** Runs a write: refused while open (nothing is sent), otherwise run as it is and not counted. */
  guard<T>(action: () => Promise<T>): Promise<T>;
  /** True for the breaker's own rejection (open, or a half-open probe already running). */
  isShortCircuit(error: unknown): boolean;
  toError(error: unknown): ProviderUnavailableError;
  state(): BreakerState;
  shutdown(): void;
}

export function createProviderBreaker(
  provider: ProviderIdentity,
  settings: BreakerSettings,
  logger: Logger,
  onStateChange?: (provider: RefundProviderName, state: BreakerState) => void,
): ProviderBreaker {
  const name = provider.name;
  const breaker = new CircuitBreaker(async (action: () => Promise<unknown>) => action(), {
    timeout: false,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    volumeThreshold: settings.volumeThreshold,
    rollingCountTimeout: settings.windowMs,
    rollingCountBuckets: 10,
    // Only the counts decide; no latency percentiles (a sort of every latency in the window on
    // each failure) and no snapshot events (nobody listens) per bucket.
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    resetTimeout: settings.resetTimeoutMs,
    // true = "not a failure" for opossum. A call cancelled because its client left is not one.
    errorFilter: (error: unknown) =>
      error instanceof ProviderCallCancelledError ||
      !(error instanceof ProviderError && COUNTED_FAILURES.has(error.code)),
  });

  const announce = (state: BreakerState, message: string) => {
    const log = state === 'open' ? logger.warn.bind(logger) : logger.info.bind(logger);
    log({ provider: name, breaker: state }, message);
    onStateChange?.(name, state);
  };
  breaker.on('open', () =>
    announce('open', `${name} circuit breaker opened: failing fast for ${settings.resetTimeoutMs} ms`),
  );
  breaker.on('halfOpen', () => announce('half-open', `${name} circuit breaker half-open: letting one probe through`));
  breaker.on('close', () => announce('closed', `${name} circuit breaker closed: provider healthy again`));

  return {
    fire: <T>(action: () => Promise<T>) => breaker.fire(action) as Promise<T>,
    guard: <T>(action: () => Promise<T>) =>
      breaker.opened ? Promise.reject(Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' })) : action(),
    isShortCircuit: (error) => {
      const code = (error as { code?: unknown } | null)?.code;
      return code === 'EOPENBREAKER' || code === 'ESEMLOCKED';
    },
    toError: (error) =>
      new ProviderUnavailableError(provider, 'the provider is failing; requests are paused by the circuit breaker', {
        cause: error,
      }),
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    shutdown: () => breaker.shutdown(),
  };
}
