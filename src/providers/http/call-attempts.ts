/**
 * The attempts of one provider call: how many went out, the final status, whether any may have
 * reached the provider, and the attempt hooks around each of them. The transport awaits
 * `beforeAttempt` from ky's beforeRequest hook (outside the attempt's timeout, inside the call's
 * deadline); ky calls `fetch` once per attempt, inside the attempt's timeout.
 */
import type { RefundProviderName } from '../../domain/refund.js';
import type { HttpMethod } from '../port.js';
import type { ProviderAttempt, ProviderAttemptHooks } from './types.js';
import type { CallSignals } from './call-signals.js';
import { provablyNotSent } from './delivery.js';
import { isDeadlineAbort, isRedirectRefusal } from './translate-error.js';

export interface CallAttempts {
  /** Requests sent so far (0 while still queued or waiting before the first attempt). */
  attempts: number;
  /** The final HTTP status, or null when no response arrived. */
  status: number | null;
  /** False until an attempt may have reached the provider (see delivery.ts). */
  reached: boolean;
  /** True once the failure was logged, so it is logged once. */
  logged: boolean;
  readonly requestId: string;
  readonly signals: CallSignals;
  /** The call's extra request headers, if any. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  beforeAttempt(): void | Promise<void>;
  /** ky's `fetch` for this call: the transport with the attempt bookkeeping and hooks around it. */
  readonly fetch: typeof fetch;
}

export interface CallAttemptsInit {
  readonly provider: RefundProviderName;
  readonly method: HttpMethod;
  readonly path: string;
  readonly requestId: string;
  readonly signals: CallSignals;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly transport: typeof fetch;
  readonly hooks: ProviderAttemptHooks | undefined;
}

export function startCallAttempts(init: CallAttemptsInit): CallAttempts {
  const { hooks, signals, transport } = init;
  const describe = (attempt: number): ProviderAttempt => ({
    provider: init.provider,
    method: init.method,
    path: init.path,
    attempt,
    requestId: init.requestId,
    deadlineAt: signals.deadlineAt,
  });
  const call: CallAttempts = {
    attempts: 0,
    status: null,
    reached: false,
    logged: false,
    requestId: init.requestId,
    signals,
    headers: init.headers,
    beforeAttempt: () => hooks?.beforeAttempt?.(describe(call.attempts + 1), signals.any),
    async fetch(input, requestInit) {
      const request = input instanceof Request ? input : new Request(input, requestInit);
      call.attempts += 1;
      // Reached until proven otherwise: the call may settle (deadline) while this attempt is in flight.
      const reachedBefore = call.reached;
      call.reached = true;
      const end = hooks?.startAttempt?.(describe(call.attempts), request.headers);
      try {
        const response = await transport(request, requestInit);
        end?.(
          response.ok ? { status: response.status } : { status: response.status, errorType: String(response.status) },
        );
        return response;
      } catch (error) {
        if (provablyNotSent(error)) call.reached = reachedBefore;
        end?.({ status: null, errorType: errorTypeOf(error, signals) });
        throw error;
      }
    },
  };
  return call;
}

/** A short, low-cardinality name for why an attempt got no response (for spans). */
function errorTypeOf(error: unknown, signals: CallSignals): string {
  if (signals.client?.aborted && !signals.deadlinePassed()) return 'cancelled';
  // ky's attempt timeout and the call's deadline both abort the request's signal.
  if (isDeadlineAbort(error)) return 'timeout';
  if (isRedirectRefusal(error)) return 'redirect';
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : cause instanceof Error ? cause.name : 'unknown';
}
