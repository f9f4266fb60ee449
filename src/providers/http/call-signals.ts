/**
 * The signals of one provider call: its own deadline (PROVIDER_DEADLINE_MS, counted from the
 * moment the call is asked for, so queueing for a connection slot is inside it) and the client's
 * request (gone = cancelled).
 */
import { ProviderCallCancelledError } from './translate-error.js';
import type { ProviderIdentity } from '../../domain/refund.js';

export interface CallSignals {
  /** Aborted when the deadline passes or the client goes away. */
  readonly any: AbortSignal;
  readonly client: AbortSignal | undefined;
  readonly deadlinePassed: () => boolean;
  /** Epoch milliseconds when the deadline passes. */
  readonly deadlineAt: number;
  /** Clears the deadline timer and the client listener; call it once the call has settled. */
  release(): void;
}

/**
 * One AbortController per call, aborted by the deadline timer or by the client going away. Both
 * are released as soon as the call settles (unlike AbortSignal.timeout/any, whose timer keeps
 * every call's signals alive for the whole deadline), so memory follows the calls in flight.
 */
export function startCallSignals(client: AbortSignal | undefined, deadlineMs: number): CallSignals {
  const controller = new AbortController();
  const deadlineAt = Date.now() + deadlineMs;
  let deadlinePassed = false;
  const timer = setTimeout(() => {
    deadlinePassed = true;
    controller.abort(new DOMException(`The ${deadlineMs} ms deadline passed`, 'TimeoutError'));
  }, deadlineMs);
  const onClientAbort = () => controller.abort(client?.reason);
  if (client?.aborted) onClientAbort();
  else client?.addEventListener('abort', onClientAbort, { once: true });
  return {
    any: controller.signal,
    client,
    deadlinePassed: () => deadlinePassed,
    deadlineAt,
    release() {
      clearTimeout(timer);
      client?.removeEventListener('abort', onClientAbort);
    },
  };
}

/** A client that went away cancelled the call (null otherwise); the deadline firing is a timeout. */
export function cancellationOf(provider: ProviderIdentity, signals: CallSignals): ProviderCallCancelledError | null {
  return signals.client?.aborted && !signals.deadlinePassed()
    ? new ProviderCallCancelledError(provider, 'the client went away; the call was cancelled', {
        cause: signals.client.reason,
      })
    : null;
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts. The promise
 * is left to finish on its own (a queued call sees the aborted signal and makes no request).
 */
export function rejectOnAbort<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
