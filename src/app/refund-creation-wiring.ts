/**
 * Builds refund creation for a server: its own key-value store for the idempotency records (Redis
 * when REDIS_URL is set, so every replica shares them; else in memory, one process), the
 * authorizer, the audit trail and the service.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createRefundAudit } from '../refunds/create/refund-audit.js';
import { createRefundAuthorizer, type RefundAuthorizer } from '../auth/refund-authorizer.js';
import type { AppConfig } from './config.js';
import type { RefundModel, RefundProviderName } from '../domain/refund.js';
import { createIdempotencyRecords } from '../refunds/create/idempotency-records.js';
import type { RefundProviderPort } from '../providers/port.js';
import { createKeyValueStore } from '../store/create-store.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import { createRefundCreation, type RefundCreation } from '../refunds/create/refund-creation.js';

/** In-memory idempotency records kept at most (least recently used go first; the provider-level key still protects them). */
const MEMORY_RECORDS = 100_000;

export interface AssembledRefundCreation {
  readonly creation: RefundCreation;
  readonly authorizer: RefundAuthorizer;
  readonly store: KeyValueStore;
  close(): Promise<void>;
}

export function assembleRefundCreation(
  config: AppConfig,
  clients: ReadonlyMap<RefundProviderName, RefundProviderPort | null>,
  logger: Logger,
  registry: Registry,
  onRefundCreated?: (refund: RefundModel) => void | Promise<void>,
): AssembledRefundCreation {
  const store = createKeyValueStore({
    redisUrl: config.redis.url,
    maxEntries: MEMORY_RECORDS,
    // A record is read on every mutation: allow Redis a little longer than a cache read.
    timeoutMs: 500,
    onConnectionError: (error) => logger.warn({ err: error }, 'idempotency store: Redis connection error'),
  });
  const authorizer = createRefundAuthorizer(config.auth, config.isProduction);
  const records = createIdempotencyRecords({
    store,
    waitMs: config.idempotency.waitMs,
    // Longer than any creation can take (a POST, a lookup and one more POST, each within the deadline).
    leaseMs: Math.max(60_000, 4 * config.http.deadlineMs),
    logger,
  });
  const creation = createRefundCreation({
    clients,
    authorizer,
    records,
    audit: createRefundAudit(logger, registry),
    ...(onRefundCreated ? { onRefundCreated } : {}),
  });
  return { creation, authorizer, store, close: () => store.close() };
}
