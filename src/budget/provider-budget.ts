/**
 * Each provider's request budget (`<PROVIDER>_MAX_REQUESTS_PER_S`), shared by every replica through
 * Redis when REDIS_URL is set, in process otherwise (rate-limiter-flexible). It runs as the
 * `beforeAttempt` hook of the provider HTTP clients, so retries spend budget too.
 *
 * An attempt over budget waits for a slot when one frees up before the call's deadline; otherwise
 * the call fails at once with PROVIDER_RATE_LIMITED. When Redis cannot answer, each replica falls
 * back to an in-process limiter with the same budget (the insurance limiter) rather than failing
 * calls or letting them through unbounded.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ProviderRateLimitedError } from '../domain/errors.js';
import type { RefundProviderName } from '../domain/refund.js';
import { providerDefinition } from '../providers/ids.js';
import type { ProviderAttempt, ProviderAttemptHooks } from '../providers/http/types.js';
import type { RedisClient } from '../store/redis-connection.js';

export interface ProviderBudgetOptions {
  /** Requests per second by provider; providers without a budget are absent. */
  readonly perSecond: ReadonlyMap<RefundProviderName, number>;
  /** The process's Redis connection, which shares the budget between replicas; null keeps it in process. */
  readonly redis: RedisClient | null;
  /** Told each time an attempt has to wait for a slot (metrics). */
  readonly onWait?: (provider: RefundProviderName) => void;
}

export interface ProviderBudgets {
  /** The hook for the provider clients, or undefined when no provider has a budget (zero cost). */
  readonly hooks: ProviderAttemptHooks | undefined;
  /** Names the account each provider's budget is counted under (known once the clients exist). */
  setAccount(provider: RefundProviderName, account: string): void;
}

export function createProviderBudgets(options: ProviderBudgetOptions): ProviderBudgets {
  if (options.perSecond.size === 0) {
    return { hooks: undefined, setAccount: () => undefined };
  }
  const client = options.redis;
  const limiters = new Map<RefundProviderName, RateLimiterAbstract>();
  for (const [provider, points] of options.perSecond) {
    const inProcess = new RateLimiterMemory({ points, duration: 1 });
    limiters.set(
      provider,
      client === null
        ? inProcess
        : new RateLimiterRedis({
            storeClient: client,
            useRedisPackage: true,
            rejectIfRedisNotReady: true,
            keyPrefix: 'refunds:budget',
            points,
            duration: 1,
            insuranceLimiter: inProcess,
          }),
    );
  }
  const accounts = new Map<RefundProviderName, string>();

  async function beforeAttempt(attempt: ProviderAttempt, signal: AbortSignal): Promise<void> {
    const limiter = limiters.get(attempt.provider);
    if (!limiter) return;
    const key = `${attempt.provider}:${accounts.get(attempt.provider) ?? ''}`;
    let waited = false;
    for (;;) {
      let waitMs: number;
      try {
        await limiter.consume(key);
        return;
      } catch (rejection) {
        // Anything but "over budget" is the limiter failing: never fail a refund for that.
        if (!(rejection instanceof RateLimiterRes)) return;
        waitMs = Math.max(1, rejection.msBeforeNext);
      }
      if (Date.now() + waitMs >= attempt.deadlineAt) {
        throw new ProviderRateLimitedError(
          providerDefinition(attempt.provider),
          `over this subgraph's request budget (${attempt.provider}_MAX_REQUESTS_PER_S=${options.perSecond.get(attempt.provider)}) with no slot free before the deadline`,
        );
      }
      if (!waited) options.onWait?.(attempt.provider);
      waited = true;
      await sleep(waitMs, signal);
    }
  }

  return {
    hooks: { beforeAttempt },
    setAccount: (provider, account) => accounts.set(provider, account),
  };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
