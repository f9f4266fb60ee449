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
import { createPaymentRefunds, type PaymentRefunds } from '../refunds/payments/payment-refunds.js';
import { createRefundListCache, type RefundListCache } from '../refunds/payments/refund-list-cache.js';
import { createRefundCache } from '../refunds/read/cache/refund-cache.js';
import { createOperationCache, refundTag, type OperationCache } from '../server/http/operation-cache.js';
import type { RefundRef } from '../providers/ids.js';
import { createRefundSearch, type RefundSearch } from '../refunds/search/refund-search.js';
import { createLedgerQueries, type LedgerQueries } from '../refunds/search/ledger-queries.js';
import { recordReads } from '../refunds/ledger/recording-reader.js';
import { createLedgerMetrics, type LedgerMetrics } from '../observability/ledger-metrics.js';
import { createLedgerParts, type LedgerParts } from './ledger-parts.js';
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
  /** The refunds of payments: provider lists (cached like refunds) and the ledger's record. */
  readonly paymentRefunds: PaymentRefunds;
  /** refundSearch and refundSummary, over the ledger only. */
  readonly refundSearch: RefundSearch;
  /** The ledger and what keeps it current: webhooks, the reconciler, the background recorder of reads. */
  readonly ledger: LedgerParts;
  /** Identical reads answered whole from memory (server/http/operation-cache.ts); null when off. */
  readonly operationCache: OperationCache | null;
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
  const { operationCache, refundChanged } = createOperationCacheOf(config);
  const { source, reader: cachedReader } = createReader(config, clients, {
    logger,
    metrics,
    redis,
    redisWarning,
    tracing,
    // Whatever the refund cache takes in, answers built from what it held before are out of date.
    onWrite: refundChanged,
  });
  const listStore = createListStore(config, redis);
  const listCache = listStore ? createRefundListCache(listStore, logger, redis ? redisWarning : undefined) : null;
  // Built after the ledger it reads; the ledger's feeders reach it through this late binding.
  let paymentRefunds: PaymentRefunds | null = null;
  const ledgerMetrics = createLedgerMetrics(metrics.registry);
  const ledgerParts = await createLedgerParts(config, {
    logger,
    metrics: ledgerMetrics,
    clients,
    source,
    reader: cachedReader,
    // A refund re-read for a webhook or the reconciler may be new to its payment's cached list.
    onRefreshed: async (refund) => paymentRefunds?.forget(refund),
  });
  // Reads feed the ledger in the background from here on.
  const reader = recordReads(cachedReader, ledgerParts.recorder);
  const queries = createLedgerQueries(ledgerParts.database);
  paymentRefunds = createPayments(config, { clients, reader, ledgerParts, queries, listCache, logger });
  const authorizer = createRefundAuthorizer(config.auth, config.isProduction);
  const refundSearch = createRefundSearch({ queries, authorizer });
  const creation = createCreation(config, {
    clients,
    authorizer,
    logger,
    metrics,
    redis,
    reader,
    ledgerParts,
    paymentRefunds,
    ledgerMetrics,
    redisWarning,
  });
  const liveMetrics = createLiveMetrics(metrics.registry);
  const live = createLiveStatus({ reader, redis, settings: config.live, logger, counters: liveMetrics });
  // Every change the ledger records reaches live subscribers, on every replica.
  ledgerParts.changes.listen(({ model }) => live.refundChanged(model));
  // … and no answer kept from before a change is given again (lastChangedAt moved, or the refund did).
  if (refundChanged) ledgerParts.changes.listen(({ refund }) => refundChanged(refund));
  const stores = { idempotency: creation.store, lists: listStore };
  return {
    ...{ config, logger, metrics, redis, tracing, clients, reader, authorizer, live, liveMetrics, refundSearch },
    operationCache,
    creation: creation.creation,
    ledger: ledgerParts,
    paymentRefunds,
    readiness: () => ({
      redis: redis === null ? { status: 'not-configured' } : { status: redis.health(), usedBy: redisUsers(config) },
      idempotency: { store: stores.idempotency.kind },
      ledger: ledgerParts.state(),
    }),
    close: () => closeApp({ live, ledgerParts, paymentRefunds, clients, stores, tracing, redis }),
  };
}

/** The refunds of payments: provider lists (cached like refunds) and the ledger's record. */
function createPayments(
  config: AppConfig,
  parts: {
    clients: ProviderClients;
    reader: RefundReader;
    ledgerParts: LedgerParts;
    queries: LedgerQueries;
    listCache: RefundListCache | null;
    logger: Logger;
  },
): PaymentRefunds {
  const { ledgerParts, ...shared } = parts;
  return createPaymentRefunds({
    ...shared,
    ledger: ledgerParts.ledger,
    freshness: config.cache,
    // A change a payment's listing brings goes on like any other (live subscribers, the router, the operation cache).
    onRecorded: (recorded, refunds) => ledgerParts.changes.recorded(recorded, refunds, 'listed'),
  });
}

/** The operation cache (null when off) and what tells it that a refund changed (undefined when off). */
function createOperationCacheOf(config: AppConfig): {
  operationCache: OperationCache | null;
  refundChanged: ((ref: RefundRef) => void) | undefined;
} {
  if (config.operationCache.ttlMs <= 0) return { operationCache: null, refundChanged: undefined };
  const operationCache = createOperationCache({ ttlMs: config.operationCache.ttlMs });
  return { operationCache, refundChanged: (ref) => operationCache.invalidate(refundTag(ref)) };
}

/** Closes every part in the reverse order createApp built it: what serves first, the connections last. */
async function closeApp(parts: {
  live: LiveStatus;
  ledgerParts: LedgerParts;
  paymentRefunds: PaymentRefunds;
  clients: ProviderClients;
  stores: { idempotency: KeyValueStore; lists: KeyValueStore | null };
  tracing: Tracing | null;
  redis: RedisConnection | null;
}): Promise<void> {
  await parts.live.close();
  await parts.ledgerParts.close();
  await parts.paymentRefunds.idle();
  await Promise.all([...parts.clients.values()].map(async (client) => client?.close()));
  await parts.stores.idempotency.close();
  await parts.stores.lists?.close();
  await parts.tracing?.shutdown();
  await parts.redis?.close();
}

/** Where payments' provider refund lists are cached: beside the refund cache, off with it. */
function createListStore(config: AppConfig, redis: RedisConnection | null): KeyValueStore | null {
  if (!config.cache.enabled) return null;
  return redis
    ? new RedisStore({ client: redis.client, timeoutMs: config.redis.timeoutMs })
    : new MemoryStore({ maxEntries: config.cache.maxEntries });
}

/**
 * Refund creation: its idempotency records (on the shared Redis connection, or in memory), and what
 * follows a created refund before the answer goes back — the cache, its payment's list, the ledger.
 */
function createCreation(
  config: AppConfig,
  parts: {
    clients: ProviderClients;
    authorizer: RefundAuthorizer;
    logger: Logger;
    metrics: Metrics;
    redis: RedisConnection | null;
    reader: RefundReader;
    ledgerParts: LedgerParts;
    paymentRefunds: PaymentRefunds;
    ledgerMetrics: LedgerMetrics;
    redisWarning: ThrottledWarning;
  },
): { creation: RefundCreation; store: KeyValueStore } {
  const { logger, metrics, redis, reader, ledgerParts, paymentRefunds } = parts;
  /** Each step on its own: one failing never skips the next, nor fails the created refund's answer. */
  const step = async (what: string, run: () => Promise<unknown>, onFailure?: () => void) => {
    try {
      await run();
    } catch (error) {
      onFailure?.();
      logger.warn(
        { event: 'refund.created_follow_up_failed', step: what, err: error },
        `A created refund: ${what} failed`,
      );
    }
  };
  const store: KeyValueStore = redis
    ? new RedisStore({ client: redis.client, timeoutMs: config.idempotency.storeTimeoutMs })
    : new MemoryStore({ maxEntries: MEMORY_IDEMPOTENCY_RECORDS });
  const creation = createRefundCreation({
    clients: parts.clients,
    authorizer: parts.authorizer,
    records: createIdempotencyRecords({
      store,
      waitMs: config.idempotency.waitMs,
      // Longer than any creation can take (a POST, a lookup and one more POST, each within the deadline).
      leaseMs: Math.max(60_000, 4 * config.http.deadlineMs),
      logger,
      ...(redis ? { storeWarning: parts.redisWarning } : {}),
    }),
    audit: createRefundAudit(logger, metrics.registry),
    onRefundCreated: async (refund, facts) => {
      await step('entering the refund cache', () => reader.remember(refund));
      await step("dropping its payment's cached list", () => paymentRefunds.forget(refund));
      // Before the answer: the ledger knows who made it. On failure its next read records it.
      await step(
        'recording it in the ledger',
        async () =>
          ledgerParts.changes.recorded(
            await ledgerParts.ledger.record([refund], 'created', facts),
            [refund],
            'created',
          ),
        () => parts.ledgerMetrics.writeFailed(),
      );
    },
  });
  return { creation, store };
}

/** What shares the one Redis connection, for /ready. */
function redisUsers(config: AppConfig): string[] {
  const budgets = PROVIDERS.some((definition) => config.providers[definition.name].maxRequestsPerSecond !== null);
  return [...(config.cache.enabled ? ['cache'] : []), 'idempotency', ...(budgets ? ['budgets'] : []), 'live'];
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
    onWrite: ((ref: RefundRef) => void) | undefined;
  },
): { source: ProviderRefundReader; reader: RefundReader } {
  const source = new ProviderRefundReader({ clients, freshness: config.cache });
  if (!config.cache.enabled) return { source, reader: source };
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
    ...(parts.onWrite ? { onWrite: parts.onWrite } : {}),
  });
  metrics.watchCacheState(() => cache.state().status);
  return { source, reader: cache };
}
