/**
 * The composition root: builds every part of the subgraph once, from the configuration, in one
 * place — the logger and metrics, the one Redis connection, tracing, the provider budgets and
 * clients, and the use cases (reading refunds, creating them) — and closes them in reverse order.
 * The transport (src/server/) only serves what is built here.
 */
import type { Logger } from 'pino';
import { createRefundAuthorizer, type RefundAuthorizer } from '../auth/refund-authorizer.js';
import { createProviderBudgets } from '../budget/provider-budget.js';
import type { RefundProviderName } from '../domain/refund.js';
import { combineAttemptHooks } from '../observability/attempt-hooks.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { createLiveMetrics, type LiveMetrics } from '../observability/live-metrics.js';
import { startTracing, type Tracing } from '../observability/tracing.js';
import type { ProviderAttemptHooks } from '../providers/http/types.js';
import type { ProviderClients } from '../providers/port.js';
import { PROVIDERS } from '../providers/registry.js';
import { createIdempotencyRecords } from '../refunds/create/idempotency-records.js';
import { createRefundAudit } from '../refunds/create/refund-audit.js';
import { createRefundCreation, type RefundCreation } from '../refunds/create/refund-creation.js';
import { createLiveStatus, type LiveStatus } from '../refunds/live/live-status.js';
import { createRefundCache } from '../refunds/read/cache/refund-cache.js';
import { ProviderRefundReader, type RefundReader } from '../refunds/read/refund-reader.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import { MemoryStore } from '../store/memory-store.js';
import { createRedisConnection, createRedisWarning, type RedisConnection } from '../store/redis-connection.js';
import { RedisStore } from '../store/redis-store.js';
import type { ReadinessReport } from '../server/http/operations-routes.js';
import type { ThrottledWarning } from '../observability/throttled-warning.js';
import type { AppConfig } from './config.js';

/** In-memory idempotency records kept at most (least recently used go first; the provider-level key still protects them). */
const MEMORY_IDEMPOTENCY_RECORDS = 100_000;

export interface App {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The process's one Redis connection; null without REDIS_URL. */
  readonly redis: RedisConnection | null;
  readonly tracing: Tracing | null;
  readonly clients: ProviderClients;
  /** Reading refunds: the refund cache over the provider reader, or the provider reader alone. */
  readonly reader: RefundReader;
  readonly creation: RefundCreation;
  readonly authorizer: RefundAuthorizer;
  /**
   * Live refund status: `live.refundChanged(refund)` tells every subscriber of the refund and of its
   * payment (once per change, across replicas with Redis).
   */
  readonly live: LiveStatus;
  readonly liveMetrics: LiveMetrics;
  /** What /ready reports beside the providers and the cache. */
  readiness(): ReadinessReport;
  /** Closes everything, in the reverse order it was built. */
  close(): Promise<void>;
}

export interface AppOptions {
  /** The logger to use (tests capture lines); one is made from the configuration otherwise. */
  readonly logger?: Logger;
}

export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  const metrics = createMetrics();
  const redisWarning = createRedisWarning(logger);
  const redis =
    config.redis.url === null ? null : createRedisConnection({ url: config.redis.url, logger, warning: redisWarning });
  const tracing = await startTracing(config.tracing);
  const clients = createProviderClients(config, logger, metrics, redis, tracing);
  const reader = createReader(config, clients, { logger, metrics, redis, redisWarning, tracing });
  const idempotencyStore: KeyValueStore = redis
    ? new RedisStore({ client: redis.client, timeoutMs: config.idempotency.storeTimeoutMs })
    : new MemoryStore({ maxEntries: MEMORY_IDEMPOTENCY_RECORDS });
  const authorizer = createRefundAuthorizer(config.auth, config.isProduction);
  const creation = createRefundCreation({
    clients,
    authorizer,
    records: createIdempotencyRecords({
      store: idempotencyStore,
      waitMs: config.idempotency.waitMs,
      // Longer than any creation can take (a POST, a lookup and one more POST, each within the deadline).
      leaseMs: Math.max(60_000, 4 * config.http.deadlineMs),
      logger,
    }),
    audit: createRefundAudit(logger, metrics.registry),
    // A created refund enters the refund cache (best effort: a store failure is only logged).
    onRefundCreated: async (refund) => {
      await reader.remember(refund);
    },
  });
  const liveMetrics = createLiveMetrics(metrics.registry);
  const live = createLiveStatus({ reader, redis, settings: config.live, logger, counters: liveMetrics });
  return {
    config,
    logger,
    metrics,
    live,
    liveMetrics,
    redis,
    tracing,
    clients,
    reader,
    creation,
    authorizer,
    readiness: () => ({
      redis: redis === null ? { status: 'not-configured' } : { status: redis.health(), usedBy: redisUsers(config) },
      idempotency: { store: idempotencyStore.kind },
    }),
    async close() {
      await live.close();
      await Promise.all([...clients.values()].map(async (client) => client?.close()));
      await idempotencyStore.close();
      await tracing?.shutdown();
      await redis?.close();
    },
  };
}

/** What shares the one Redis connection, for /ready. */
function redisUsers(config: AppConfig): string[] {
  const budgets = PROVIDERS.some((definition) => config.providers[definition.name].maxRequestsPerSecond !== null);
  return [...(config.cache.enabled ? ['cache'] : []), 'idempotency', ...(budgets ? ['budgets'] : [])];
}

/** Every registered provider's client (null without credentials), under its budget and tracing hooks. */
function createProviderClients(
  config: AppConfig,
  logger: Logger,
  metrics: Metrics,
  redis: RedisConnection | null,
  tracing: Tracing | null,
): ProviderClients {
  const perSecond = new Map<RefundProviderName, number>();
  for (const definition of PROVIDERS) {
    const settings = config.providers[definition.name];
    if (settings.configured && settings.maxRequestsPerSecond !== null) {
      perSecond.set(definition.name, settings.maxRequestsPerSecond);
    }
  }
  const budgets = createProviderBudgets({
    perSecond,
    redis: redis?.client ?? null,
    onWait: (provider) => metrics.budgetWait(provider),
  });
  const attemptHooks: ProviderAttemptHooks | undefined = combineAttemptHooks(budgets.hooks, tracing?.attemptHooks);
  const clients: ProviderClients = new Map(
    PROVIDERS.map((definition) => {
      const settings = config.providers[definition.name];
      const client = settings.configured
        ? definition.createClient(
            settings,
            { http: config.http, breaker: config.breaker },
            {
              logger,
              observe: (record) => metrics.observeProviderCall(record),
              onBreakerStateChange: (provider, state) => metrics.setBreakerState(provider, state),
              concurrency: { max: settings.maxConcurrency, requestsPerSecond: settings.maxRequestsPerSecond },
              onConcurrencyLimitChange: (provider, limit) => metrics.setConcurrencyLimit(provider, limit),
              ...(attemptHooks ? { attemptHooks } : {}),
            },
          )
        : null;
      return [definition.name, client];
    }),
  );
  for (const [provider, client] of clients) {
    metrics.setBreakerState(provider, client ? client.breakerState() : 'not-configured');
    if (client) budgets.setAccount(provider, client.account);
  }
  return clients;
}

/** The refund cache a deployment asked for (off, in process, or shared through Redis) over the provider reader. */
function createReader(
  config: AppConfig,
  clients: ProviderClients,
  parts: {
    logger: Logger;
    metrics: Metrics;
    redis: RedisConnection | null;
    redisWarning: ThrottledWarning;
    tracing: Tracing | null;
  },
): RefundReader {
  const source = new ProviderRefundReader({ clients, freshness: config.cache });
  if (!config.cache.enabled) return source;
  const { logger, metrics, redis, tracing } = parts;
  const store: KeyValueStore = redis
    ? new RedisStore({ client: redis.client, timeoutMs: config.redis.timeoutMs })
    : new MemoryStore({ maxEntries: config.cache.maxEntries, onEvict: () => metrics.cache.evicted() });
  const cache = createRefundCache({
    source,
    store,
    staleIfErrorMs: config.cache.staleIfErrorMs,
    logger,
    // One warning for Redis trouble, whether the connection or a cache call saw it first.
    storeWarning: parts.redisWarning,
    instrumentation: metrics.cache,
    ...(tracing ? { span: tracing.span } : {}),
  });
  metrics.watchCacheState(() => cache.state().status);
  return cache;
}
