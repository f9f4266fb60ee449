/**
 * The attempts of one provider call: how many went out, the final status, whether any may have
 * reached the provider, the concurrency slot each attempt holds, and the attempt hooks around
 * each of them. The first attempt's slot is taken before ky is called (`takeSlot`); ky awaits
 * `beforeAttempt` from its beforeRequest hook (the wait for a later attempt's slot, and the hooks,
 * inside the call's deadline); ky calls `fetch` once per attempt, which holds the slot until
 * the attempt's answer (or failure) and tells the limiter how it went.
 */
import { TimeoutError } from 'ky';
import type { RefundProviderName } from '../../domain/refund.js';
import type { HttpMethod } from '../port.js';
import type { ProviderAttempt, ProviderAttemptEnd, ProviderAttemptHooks } from './types.js';
import type { CallSignals } from './call-signals.js';
import type { ConcurrencyLimiter, ConcurrencySlot, SlotOutcome } from './concurrency-limit.js';
import { provablyNotSent } from './delivery.js';
import type { SendAttempt } from './send-attempt.js';
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
  /** True once the call has answered its caller; a late failure of its attempts is not logged. */
  settled: boolean;
  readonly requestId: string;
  readonly signals: CallSignals;
  /** The call's extra request headers, if any. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** The JSON request body, serialised once for every attempt. */
  readonly body: string | undefined;
  /**
   * Takes the first attempt's concurrency slot before ky builds anything for the call, so a call
   * waiting for a slot holds no request objects (nothing to wait for when it has one already).
   */
  takeSlot(): void | Promise<void>;
  /** Waits for a concurrency slot (unless one was taken ahead), then runs the before-attempt hooks. */
  beforeAttempt(): void | Promise<void>;
  /** ky's `fetch` for this call: one attempt on the wire, with the slot and hooks around it. */
  readonly fetch: typeof fetch;
  /** Frees a slot taken for an attempt that never went out (e.g. its credentials failed). */
  releaseUnused(): void;
}

export interface CallAttemptsInit {
  readonly provider: RefundProviderName;
  readonly method: HttpMethod;
  /** The provider's origin (`http://host:port`). */
  readonly origin: string;
  /** The URL's path and query, as sent. */
  readonly path: string;
  readonly requestId: string;
  readonly signals: CallSignals;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly body: unknown;
  readonly attemptTimeoutMs: number;
  readonly send: SendAttempt;
  readonly limiter: ConcurrencyLimiter;
  readonly hooks: ProviderAttemptHooks | undefined;
}

const IGNORE: SlotOutcome = { kind: 'ignore' };
const OVERLOAD: SlotOutcome = { kind: 'overload' };

/** What the attempt hooks are told about attempt number `attempt` of a call. */
function describeAttempt(init: CallAttemptsInit, attempt: number): ProviderAttempt {
  return {
    provider: init.provider,
    method: init.method,
    path: init.path,
    attempt,
    requestId: init.requestId,
    deadlineAt: init.signals.deadlineAt,
  };
}

/** A request's headers as a plain record (lower-case names). */
function headersOf(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/**
 * Sends one attempt on the wire and tells its slot (if any) how it went: 429 and 503 are overload
 * signals, any other answer a latency; no answer is an overload signal when it timed out (or the
 * deadline passed), else nothing to learn. A failure that provably sent nothing restores `reached`
 * to `reachedBefore`. Tells the attempt's span end, then answers or rethrows.
 */
async function sendAttempt(
  init: CallAttemptsInit,
  call: CallAttempts,
  request: Request,
  held: ConcurrencySlot | null,
  reachedBefore: boolean,
  end: ((end: ProviderAttemptEnd) => void) | undefined,
): Promise<Response> {
  const { signals } = init;
  const headers = headersOf(request);
  const started = performance.now();
  try {
    const response = await init.send({
      request,
      origin: init.origin,
      path: init.path,
      method: init.method,
      headers,
      body: call.body,
      signal: signals,
      timeoutMs: init.attemptTimeoutMs,
    });
    const { status } = response;
    held?.release(
      status === 429 || status === 503 ? OVERLOAD : { kind: 'answered', latencyMs: performance.now() - started },
    );
    end?.(response.ok ? { status } : { status, errorType: String(status) });
    return response;
  } catch (error) {
    held?.release(error instanceof TimeoutError || signals.deadlinePassed() ? OVERLOAD : IGNORE);
    if (provablyNotSent(error)) call.reached = reachedBefore;
    end?.({ status: null, errorType: errorTypeOf(error, signals) });
    throw error;
  }
}

export function startCallAttempts(init: CallAttemptsInit): CallAttempts {
  const { hooks, signals, limiter } = init;
  let slot: ConcurrencySlot | null = null;
  const runHooks = (): void | Promise<void> => {
    const before = hooks?.beforeAttempt;
    if (!before) return;
    try {
      const wait = before(describeAttempt(init, call.attempts + 1), signals.any);
      return wait?.catch((error: unknown) => {
        call.releaseUnused();
        throw error;
      });
    } catch (error) {
      call.releaseUnused();
      throw error;
    }
  };
  const call: CallAttempts = {
    attempts: 0,
    status: null,
    reached: false,
    logged: false,
    settled: false,
    requestId: init.requestId,
    signals,
    headers: init.headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    takeSlot() {
      if (slot) return;
      const taken = limiter.acquire(signals);
      if (!(taken instanceof Promise)) {
        slot = taken;
        return;
      }
      return taken.then((granted) => {
        slot = granted;
      });
    },
    beforeAttempt() {
      // A slot still held here was taken ahead for this attempt, or by an attempt that never went
      // out (its hooks or credentials failed): either way this attempt uses it.
      const wait = call.takeSlot();
      return wait ? wait.then(runHooks) : runHooks();
    },
    releaseUnused() {
      slot?.release(IGNORE);
      slot = null;
    },
    async fetch(input, requestInit) {
      const request = input instanceof Request ? input : new Request(input, requestInit);
      const held = slot;
      slot = null;
      call.attempts += 1;
      // Reached until proven otherwise: the call may settle (deadline) while this attempt is in flight.
      const reachedBefore = call.reached;
      call.reached = true;
      const end = hooks?.startAttempt?.(describeAttempt(init, call.attempts), request.headers);
      return sendAttempt(init, call, request, held, reachedBefore, end);
    },
  };
  return call;
}

/** A short, low-cardinality name for why an attempt got no response (for spans). */
function errorTypeOf(error: unknown, signals: CallSignals): string {
  if (signals.client?.aborted && !signals.deadlinePassed()) return 'cancelled';
  // The attempt's own timeout and the call's deadline.
  if (error instanceof TimeoutError || isDeadlineAbort(error)) return 'timeout';
  if (isRedirectRefusal(error)) return 'redirect';
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : cause instanceof Error ? cause.name : 'unknown';
}
