/**
 * The signals of one provider call: its own deadline (PROVIDER_DEADLINE_MS, counted from the
 * moment the call is asked for, so queueing for a connection slot is inside it) and the client's
 * request (gone = cancelled).
 */
import { ProviderCallCancelledError } from './translate-error.js';
import type { ProviderIdentity } from '../../domain/refund.js';

/**
 * What the HTTP core needs of a signal: an AbortSignal is one, and so is CallSignals (without an
 * EventTarget behind it).
 */
export interface AbortLike {
  readonly aborted: boolean;
  /** Why it aborted (undefined until then). */
  readonly reason: Error | undefined;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface CallSignals extends AbortLike {
  /** An AbortSignal that follows the call, made on first use (attempt hooks and their waits). */
  readonly any: AbortSignal;
  readonly client: AbortSignal | undefined;
  deadlinePassed(): boolean;
  /** Epoch milliseconds when the deadline passes. */
  readonly deadlineAt: number;
  /** Clears the deadline timer and the client listener; call it once the call has settled. */
  release(): void;
}

/**
 * The calls following each client signal. One listener per client signal (a GraphQL request),
 * however many provider calls it makes: 100 listeners on one EventTarget would each be found by a
 * linear search when removed.
 */
const followers = new WeakMap<AbortSignal, Set<CallAbort>>();

function follow(client: AbortSignal, call: CallAbort): void {
  (followers.get(client) ?? startFollowing(client)).add(call);
}

/** The set of calls following `client`, with the one listener that aborts them all. */
function startFollowing(client: AbortSignal): Set<CallAbort> {
  const calls = new Set<CallAbort>();
  followers.set(client, calls);
  client.addEventListener(
    'abort',
    () => {
      for (const call of calls) call.abort(client.reason as Error);
      calls.clear();
    },
    { once: true },
  );
  return calls;
}

function passDeadline(call: CallAbort, deadlineMs: number): void {
  call.deadlineHasPassed = true;
  call.abort(new DOMException(`The ${deadlineMs} ms deadline passed`, 'TimeoutError'));
}

/**
 * One call's abort state: aborted by its deadline timer or by its client going away. Listeners are
 * kept in a plain array (a call has one or two at a time), and an AbortController is made only
 * when something asks for a real AbortSignal (`any`). Everything is released as soon as the call
 * settles (unlike AbortSignal.timeout/any, whose timer keeps every call's signals alive for the
 * whole deadline), so memory follows the calls in flight.
 */
class CallAbort implements CallSignals {
  aborted = false;
  reason: Error | undefined = undefined;
  deadlineHasPassed = false;
  readonly deadlineAt: number;
  readonly client: AbortSignal | undefined;
  readonly #timer: NodeJS.Timeout;
  #listeners: Array<() => void> | null = null;
  #controller: AbortController | null = null;

  constructor(client: AbortSignal | undefined, deadlineMs: number) {
    this.client = client;
    this.deadlineAt = Date.now() + deadlineMs;
    this.#timer = setTimeout(passDeadline, deadlineMs, this, deadlineMs);
    if (client?.aborted) this.abort(client.reason as Error);
    else if (client) follow(client, this);
  }

  deadlinePassed(): boolean {
    return this.deadlineHasPassed;
  }

  get any(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  abort(reason: Error | undefined): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = null;
    if (listeners) for (const listener of listeners) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    // Every listener here is a once-listener: the call aborts at most once.
    if (!this.aborted) (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    const index = listeners ? listeners.indexOf(listener) : -1;
    if (index >= 0) listeners!.splice(index, 1);
  }

  release(): void {
    clearTimeout(this.#timer);
    if (this.client) followers.get(this.client)?.delete(this);
  }
}

/** The signals of one call: its deadline starts now, and it follows the client's `signal`. */
export function startCallSignals(client: AbortSignal | undefined, deadlineMs: number): CallSignals {
  return new CallAbort(client, deadlineMs);
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
export function rejectOnAbort<T>(signal: AbortLike, promise: Promise<T>): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason!);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason!);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
