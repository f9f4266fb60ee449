/**
 * Prometheus metrics (prom-client), one registry per server instance. Names are part of the
 * operators' contract; the README lists them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RefundProviderName } from '../domain/refund.js';
import type { BreakerState, ProviderCallRecord } from '../providers/provider.js';

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2, 'not-configured': -1 };

export interface Metrics {
  readonly registry: Registry;
  observeProviderCall(record: ProviderCallRecord): void;
  observeBatch(size: number): void;
  observeOperation(operationType: string, outcome: 'success' | 'partial' | 'error', durationMs: number): void;
  observeError(code: string): void;
  setBreakerState(provider: RefundProviderName, state: BreakerState): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  const breaker = new Gauge({
    name: 'refunds_provider_breaker_state',
    help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open, -1 not configured',
    labelNames: ['provider'] as const,
    registers: [registry],
  });

  return {
    registry,
    observeProviderCall(record) {
      const statusClass = record.status === null ? 'none' : `${Math.floor(record.status / 100)}xx`;
      providerCalls.inc({ provider: record.provider, outcome: record.outcome, status_class: statusClass });
      providerLatency.observe({ provider: record.provider, outcome: record.outcome }, record.durationMs / 1000);
    },
    observeBatch: (size) => batchSize.observe(size),
    observeOperation(operationType, outcome, durationMs) {
      operations.inc({ operation_type: operationType, outcome });
      operationLatency.observe({ operation_type: operationType }, durationMs / 1000);
    },
    observeError: (code) => errors.inc({ code }),
    setBreakerState: (provider, state) => breaker.set({ provider }, BREAKER_VALUES[state]),
  };
}
