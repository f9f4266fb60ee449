/**
 * How long a refund read from its provider counts as fresh. Settled refunds rarely change; pending
 * ones move on within seconds; "no such refund" may become one as soon as it is created.
 */
import type { RefundModel, RefundStatus } from '../../../domain/refund.js';

export interface FreshnessPolicy {
  /** SUCCEEDED, FAILED, CANCELED (CACHE_TTL_SETTLED_S). */
  readonly settledMs: number;
  /** PENDING, REQUIRES_ACTION, UNKNOWN (CACHE_TTL_PENDING_S). */
  readonly pendingMs: number;
  /** The provider said there is no such refund (CACHE_TTL_NOT_FOUND_S). */
  readonly notFoundMs: number;
}

const SETTLED: ReadonlySet<RefundStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);

/** Milliseconds a read is fresh: by the refund's status, or the not-found policy for null. */
export function freshnessMs(policy: FreshnessPolicy, refund: RefundModel | null): number {
  if (refund === null) return policy.notFoundMs;
  return SETTLED.has(refund.status) ? policy.settledMs : policy.pendingMs;
}
