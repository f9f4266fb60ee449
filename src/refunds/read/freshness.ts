/**
 * How long a refund read from its provider counts as fresh. Settled refunds rarely change; pending
 * ones move on within seconds; "no such refund" may become one as soon as it is created. The same
 * policy gives the cache its lifetimes and every answer its Cache-Control, with the cache on or off.
 */
import type { RefundModel, RefundStatus } from '../../domain/refund.js';

/** The names are the settings' own (AppConfig's `cache`), from CACHE_TTL_SETTLED_S and friends. */
export interface FreshnessPolicy {
  /** SUCCEEDED, FAILED, CANCELED (CACHE_TTL_SETTLED_S). */
  readonly ttlSettledMs: number;
  /** PENDING, REQUIRES_ACTION, UNKNOWN (CACHE_TTL_PENDING_S). */
  readonly ttlPendingMs: number;
  /** The provider said there is no such refund (CACHE_TTL_NOT_FOUND_S). */
  readonly ttlNotFoundMs: number;
}

const SETTLED: ReadonlySet<RefundStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

/** True for a status that will not change again. */
export function isSettled(status: RefundStatus): boolean {
  return SETTLED.has(status);
}

/** Milliseconds a read is fresh: by the refund's status, or the not-found policy for null. */
export function freshnessMs(policy: FreshnessPolicy, refund: RefundModel | null): number {
  if (refund === null) return policy.ttlNotFoundMs;
  return SETTLED.has(refund.status) ? policy.ttlSettledMs : policy.ttlPendingMs;
}
