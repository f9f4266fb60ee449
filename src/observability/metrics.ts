/**
 * Prometheus metrics (prom-client), one registry per server instance. Names are part of the
 * operators' contract; the README lists them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RefundProviderName } from '../domain/refund.js';
import type { BreakerState, ProviderCallRecord } from '../providers/port.js';

/** The refund cache's counters, as the cache reports them. */
export interface CacheCounters {
  lookup(provider: RefundProviderName, result: 'hit' | 'miss'): void;
  staleServed(provider: RefundProviderName): void;
  storeError(operation: 'read' | 'write'): void;
  evicted(): void;
}

/** What the cache-store gauge reads on each scrape. */
export type CacheStatus = 'ok' | 'unavailable' | 'disabled';

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2, 'not-configured': -1 };

export interface Metrics {
  readonly registry: Registry;
  observeProviderCall(record: ProviderCallRecord): void;
  observeBatch(size: number): void;
  observeOperation(operationType: string, outcome: 'success' | 'partial' | 'error', durationMs: number): void;
  observeError(code: string): void;
  /** An operation answered from the operation cache without running. */
  operationCacheHit(): void;
  setBreakerState(provider: RefundProviderName, state: BreakerState): void;
  /** The provider's current concurrency limit (requests in flight it may have). */
  setConcurrencyLimit(provider: RefundProviderName, limit: number): void;
  /** The refund cache's counters (hits, misses, stale serves, store errors, evictions). */
  readonly cache: CacheCounters;
  /** A provider call waited for a slot in its provider's request budget. */
  budgetWait(provider: RefundProviderName): void;
  /** Reports the cache store's state as a gauge on each scrape. */
  watchCacheState(status: () => CacheStatus): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    ...providerMetrics(registry),
    ...operationMetrics(registry),
    ...cacheMetrics(registry),
  };
}

function providerMetrics(registry: Registry) {
  const providerCalls = new Counter({
    name: 'refunds_provider_calls_total',
    help: 'Provider calls by provider, outcome (ok, not_found, error, short_circuited) and HTTP status class',
    labelNames: ['provider', 'outcome', 'status_class'] as const,
    registers: [registry],
  });
  const providerLatency = new Histogram({
    name: 'refunds_provider_call_duration_seconds',
    help: 'Provider call duration, retries included, by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'refunds_provider_breaker_state',
    help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open, -1 not configured',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const concurrencyLimit = new Gauge({
    name: 'refunds_provider_concurrency_limit',
    help: 'Requests in flight each provider may have now: adaptive between 1 and <PROVIDER>_MAX_CONCURRENCY, or PROVIDER_CONCURRENCY when set',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const budgetWaits = new Counter({
    name: 'refunds_provider_budget_waits_total',
    help: 'Provider calls that waited for a slot in the provider request budget (<PROVIDER>_MAX_REQUESTS_PER_S), by provider',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  return {
    observeProviderCall(record: ProviderCallRecord) {
      const statusClass = record.status === null ? 'none' : `${Math.floor(record.status / 100)}xx`;
      providerCalls.inc({ provider: record.provider, outcome: record.outcome, status_class: statusClass });
      providerLatency.observe({ provider: record.provider, outcome: record.outcome }, record.durationMs / 1000);
    },
    setBreakerState: (provider: RefundProviderName, state: BreakerState) =>
      breaker.set({ provider }, BREAKER_VALUES[state]),
    setConcurrencyLimit: (provider: RefundProviderName, limit: number) => concurrencyLimit.set({ provider }, limit),
    budgetWait: (provider: RefundProviderName) => budgetWaits.inc({ provider }),
  };
}

function operationMetrics(registry: Registry) {
  const batchSize = new Histogram({
    name: 'refunds_loader_batch_size',
    help: 'Refunds per DataLoader batch',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  const operations = new Counter({
    name: 'refunds_graphql_operations_total',
    help: 'GraphQL operations by type and outcome (success, partial: data with errors, error: no data)',
    labelNames: ['operation_type', 'outcome'] as const,
    registers: [registry],
  });
  const operationLatency = new Histogram({
    name: 'refunds_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by type',
    labelNames: ['operation_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'refunds_graphql_errors_total',
    help: 'GraphQL errors sent to clients, by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const operationCacheHits = new Counter({
    name: 'refunds_operation_cache_hits_total',
    help: 'GraphQL operations answered from the operation cache (an identical read within OPERATION_CACHE_TTL_MS) without running',
    registers: [registry],
  });
  return {
    operationCacheHit: () => operationCacheHits.inc(),
    observeBatch: (size: number) => batchSize.observe(size),
    observeOperation(operationType: string, outcome: 'success' | 'partial' | 'error', durationMs: number) {
      operations.inc({ operation_type: operationType, outcome });
      operationLatency.observe({ operation_type: operationType }, durationMs / 1000);
    },
    observeError: (code: string) => errors.inc({ code }),
  };
}

function cacheMetrics(registry: Registry) {
  const cacheLookups = new Counter({
    name: 'refunds_cache_lookups_total',
    help: 'Refund cache lookups by provider and result (hit: fresh copy served; miss: read from the provider)',
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
  });
  const staleServed = new Counter({
    name: 'refunds_cache_stale_served_total',
    help: 'Refunds served from a stale copy (stale: true) because their provider failed, by provider',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const evictions = new Counter({
    name: 'refunds_cache_evictions_total',
    help: 'Entries the in-process refund cache pushed out to stay within CACHE_MAX_ENTRIES',
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'refunds_cache_store_errors_total',
    help: 'Refund cache store calls that failed or timed out (each one a miss), by operation (read, write)',
    labelNames: ['operation'] as const,
    registers: [registry],
  });
  let cacheStatus: (() => CacheStatus) | null = null;
  new Gauge({
    name: 'refunds_cache_store_up',
    help: 'Refund cache store: 1 reachable, 0 unavailable (reads go to the providers), -1 cache off',
    registers: [registry],
    collect() {
      const status = cacheStatus?.() ?? 'disabled';
      this.set(status === 'ok' ? 1 : status === 'unavailable' ? 0 : -1);
    },
  });
  const cache: CacheCounters = {
    lookup: (provider, result) => cacheLookups.inc({ provider, result }),
    staleServed: (provider) => staleServed.inc({ provider }),
    storeError: (operation) => storeErrors.inc({ operation }),
    evicted: () => evictions.inc(),
  };
  return {
    cache,
    watchCacheState(status: () => CacheStatus) {
      cacheStatus = status;
    },
  };
}
