/**
 * Builds the refund cache a deployment asked for: off (CACHE_ENABLED=false), in process (bounded
 * LRU), or shared through Redis (REDIS_URL). Store connection trouble is logged here, at most once
 * a minute; the cache itself treats every store failure as a miss.
 */
import type { Logger } from 'pino';
import { createKeyValueStore } from '../../../store/create-store.js';
import type { SpanRunner } from '../../../observability/tracing.js';
import {
  createRefundCache,
  createStoreWarning,
  type CacheInstrumentation,
  type ProviderClientMap,
  type RefundReader,
} from './refund-cache.js';

/** The refund cache's settings (AppConfig's `cache`); TTLs in milliseconds. */
export interface CacheSettings {
  /** False: no cache, no single flight; every read goes to its provider. */
  readonly enabled: boolean;
  readonly ttlSettledMs: number;
  readonly ttlPendingMs: number;
  readonly ttlNotFoundMs: number;
  /** How old a copy may be and still be served (stale: true) when its provider fails. */
  readonly staleIfErrorMs: number;
  /** Bound of the in-process store (used when REDIS_URL is unset). */
  readonly maxEntries: number;
}

/** The shared store for every replica (AppConfig's `redis`); a null url keeps everything in process. */
export interface RedisSettings {
  /** redis:// or rediss:// with credentials: a secret, never logged. */
  readonly url: string | null;
  /** Time box of each Redis call made for the refund cache. */
  readonly timeoutMs: number;
}

/** The settings this needs (see src/config.ts). */
export interface CacheConfig {
  readonly cache: CacheSettings;
  readonly redis: RedisSettings;
}

export interface CacheDependencies {
  readonly logger: Logger;
  readonly instrumentation?: CacheInstrumentation & { evicted(): void };
  readonly span?: SpanRunner;
}

export function createRefundCacheFromConfig(
  config: CacheConfig,
  clients: ProviderClientMap,
  { logger, instrumentation, span }: CacheDependencies,
): RefundReader {
  const storeWarning = createStoreWarning(logger);
  const store = config.cache.enabled
    ? createKeyValueStore({
        redisUrl: config.redis.url,
        maxEntries: config.cache.maxEntries,
        timeoutMs: config.redis.timeoutMs,
        ...(instrumentation ? { onEvict: () => instrumentation.evicted() } : {}),
        onConnectionError: (error) =>
          storeWarning({ event: 'cache.store_unavailable', store: 'redis', reason: error.message }),
        onHealthChange: (health) => {
          if (health === 'ok')
            logger.info({ event: 'cache.store_connected', store: 'redis' }, 'Refund cache: Redis connected');
        },
      })
    : null;
  return createRefundCache({
    clients,
    store,
    freshness: {
      settledMs: config.cache.ttlSettledMs,
      pendingMs: config.cache.ttlPendingMs,
      notFoundMs: config.cache.ttlNotFoundMs,
    },
    staleIfErrorMs: config.cache.staleIfErrorMs,
    logger,
    storeWarning,
    ...(span ? { span } : {}),
    ...(instrumentation ? { instrumentation } : {}),
  });
}
