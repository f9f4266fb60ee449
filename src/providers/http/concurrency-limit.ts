/**
 * How many requests one provider may have in flight from this process, and the queue of those
 * waiting for a slot. A slot is held for one attempt (the request and its answer), not for the
 * backoff between attempts.
 *
 * Adaptive (the default), AIMD:
 * - the limit starts at `initial` (32);
 * - each answered attempt that is not an overload signal, while the limit is in use (calls are
 *   waiting for a slot, or every slot was taken) and answered within `LATENCY_TOLERANCE` times the recent
 *   minimum latency, raises the limit: by 1 until the first overload signal (so a fresh process finds its
 *   level within a few round trips), by 1/limit afterwards (about 1 per round trip at full use);
 * - an overload signal (HTTP 429 or 503, or no answer in time) multiplies it by `DECREASE_FACTOR`,
 *   once per round trip: answers to attempts sent before the last decrease do not decrease it again;
 * - after a decrease it grows back to no more than `CEILING_MARGIN` of the limit the provider pushed
 *   back at, and stays there for `HOLD_ROUND_TRIPS` round trips before it probes higher again, so it
 *   settles just under the provider's room instead of running into it every few round trips;
 * - it stays between 1 and `max`, which is `<PROVIDER>_MAX_CONCURRENCY` and, with a request budget,
 *   at most `<PROVIDER>_MAX_REQUESTS_PER_S` (more requests in flight than the budget sends in a
 *   second would only wait in the budget).
 *
 * Fixed (`PROVIDER_CONCURRENCY` set): the limit is that number and never moves.
 */

/** How an attempt that held a slot ended, for the limit. */
export type SlotOutcome =
  /** An answer that says nothing about overload (2xx, 404, …), after `latencyMs`. */
  | { readonly kind: 'answered'; readonly latencyMs: number }
  /** HTTP 429 or 503, or no answer within the attempt's time (timeout or deadline). */
  | { readonly kind: 'overload' }
  /** Nothing to learn (cancelled by the client, refused before sending, a network error). */
  | { readonly kind: 'ignore' };

export interface ConcurrencySlot {
  /** Frees the slot; only the first call counts. */
  release(outcome: SlotOutcome): void;
}

export interface ConcurrencyLimiter {
  /**
   * A slot, at once when one is free (no promise), else once one frees up in arrival order.
   * Rejects with `signal.reason` when the signal aborts first; an aborted signal gets no slot.
   */
  acquire(signal: AbortSignal): ConcurrencySlot | Promise<ConcurrencySlot>;
  /** The current limit (a whole number). */
  limit(): number;
  inFlight(): number;
  queued(): number;
}

export type ConcurrencySettings =
  | { readonly kind: 'fixed'; readonly limit: number }
  | { readonly kind: 'adaptive'; readonly initial: number; readonly max: number };

/** Growth stops while an answer takes longer than this many times the recent minimum latency. */
export const LATENCY_TOLERANCE = 2;
/** The limit after an overload signal, as a share of the limit before it. */
export const DECREASE_FACTOR = 0.75;
/** How close to the limit the provider pushed back at the limit grows again, for a while. */
export const CEILING_MARGIN = 0.95;
/** How long (in round trips' worth of answers) that ceiling holds. */
export const HOLD_ROUND_TRIPS = 30;
/**
 * The minimum latency is measured afresh every `MIN_LATENCY_ROUND_TRIPS` round trips' worth of
 * answers (at least MIN_LATENCY_ANSWERS), so a provider that became slower for good is not held
 * to its old pace forever, while a passing slowdown does not become the new normal.
 */
const MIN_LATENCY_ROUND_TRIPS = 20;
const MIN_LATENCY_ANSWERS = 250;

/** The limit as a number of slots (the adaptive limit moves in fractions between whole slots). */
const slots = (limit: number) => Math.max(1, Math.floor(limit));

interface Waiter {
  readonly resolve: (slot: ConcurrencySlot) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

/**
 * A limiter for one provider. `onLimitChange` is told the whole-number limit at once and each
 * time it changes (the metric).
 */
export function createConcurrencyLimiter(
  settings: ConcurrencySettings,
  onLimitChange?: (limit: number) => void,
): ConcurrencyLimiter {
  const adaptive = settings.kind === 'adaptive';
  const max = adaptive ? Math.max(1, settings.max) : settings.limit;
  let limit = adaptive ? Math.min(Math.max(1, settings.initial), max) : settings.limit;
  let reported = slots(limit);
  let inFlight = 0;
  /** Arrival order; a Set so an aborted waiter leaves in O(1). */
  const waiting = new Set<Waiter>();
  /** Bumped by each decrease: a slot taken before it cannot decrease the limit again. */
  let epoch = 0;
  let slowStart = true;
  /** Where growth stops until `holdAnswers` more answers came back (after an overload signal). */
  let ceiling = max;
  let holdAnswers = 0;
  let minLatency = Number.POSITIVE_INFINITY;
  let windowMin = Number.POSITIVE_INFINITY;
  let windowAnswers = 0;

  onLimitChange?.(reported);

  const setLimit = (next: number) => {
    limit = Math.min(max, Math.max(1, next));
    const whole = slots(limit);
    if (whole !== reported) {
      reported = whole;
      onLimitChange?.(whole);
    }
  };

  const learn = (outcome: SlotOutcome, slotEpoch: number) => {
    if (!adaptive || outcome.kind === 'ignore') return;
    if (outcome.kind === 'overload') {
      if (slotEpoch !== epoch) return;
      epoch += 1;
      slowStart = false;
      ceiling = Math.max(1, Math.floor(limit * CEILING_MARGIN));
      holdAnswers = HOLD_ROUND_TRIPS * slots(limit);
      setLimit(limit * DECREASE_FACTOR);
      return;
    }
    if (holdAnswers > 0 && (holdAnswers -= 1) === 0) ceiling = max;
    const { latencyMs } = outcome;
    windowMin = Math.min(windowMin, latencyMs);
    windowAnswers += 1;
    const windowSize = Math.max(MIN_LATENCY_ANSWERS, MIN_LATENCY_ROUND_TRIPS * slots(limit));
    if (windowAnswers >= windowSize || minLatency === Number.POSITIVE_INFINITY) {
      minLatency = windowMin;
      windowMin = Number.POSITIVE_INFINITY;
      windowAnswers = 0;
    }
    // Only a limit that is in use is raised: calls are waiting for a slot, or every slot was
    // taken until this one came back.
    const inUse = waiting.size > 0 || inFlight + 1 >= slots(limit);
    if (!inUse || latencyMs > LATENCY_TOLERANCE * Math.max(minLatency, 1)) return;
    if (limit < ceiling) setLimit(Math.min(ceiling, limit + (slowStart ? 1 : 1 / limit)));
  };

  const take = (): ConcurrencySlot => {
    inFlight += 1;
    const slotEpoch = epoch;
    let released = false;
    return {
      release(outcome) {
        if (released) return;
        released = true;
        inFlight -= 1;
        learn(outcome, slotEpoch);
        drain();
      },
    };
  };

  const drain = () => {
    for (const waiter of waiting) {
      if (inFlight >= slots(limit)) return;
      waiting.delete(waiter);
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(take());
    }
  };

  return {
    acquire(signal) {
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      if (inFlight < slots(limit) && waiting.size === 0) return take();
      return new Promise<ConcurrencySlot>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          signal,
          onAbort: () => {
            waiting.delete(waiter);
            reject(signal.reason as Error);
          },
        };
        waiting.add(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      });
    },
    limit: () => slots(limit),
    inFlight: () => inFlight,
    queued: () => waiting.size,
  };
}
