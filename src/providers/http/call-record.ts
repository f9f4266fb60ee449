/**
 * The ProviderCallRecord of one call, for metrics (the process-wide observer) and the debug view
 * (the request's own observer): provider, method, path (never the host), final status, attempts,
 * duration and outcome. No headers, no bodies.
 */
import type { RefundProviderName } from '../../domain/refund.js';
import type { HttpMethod, ProviderCallObserver, ProviderCallRecord } from '../port.js';

export type FinishCallRecord = (
  outcome: ProviderCallRecord['outcome'],
  status: number | null,
  attempts: number,
  errorCode?: string,
) => void;

/** Starts the clock of one call; the returned function reports it once it settled. */
export function startCallRecord(
  provider: RefundProviderName,
  method: HttpMethod,
  path: string,
  observers: readonly [ProviderCallObserver, ProviderCallObserver | undefined],
): FinishCallRecord {
  const started = performance.now();
  return (outcome, status, attempts, errorCode) => {
    const entry: ProviderCallRecord = {
      provider,
      method,
      path,
      status,
      attempts,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      outcome,
      ...(errorCode ? { errorCode } : {}),
    };
    observers[0](entry);
    observers[1]?.(entry);
  };
}
