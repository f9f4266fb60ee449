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
 * - but not while this process is saturated (its event loop busy for `SATURATED_UTILIZATION` of the
 *   last window): then this process's CPU, not the provider, bounds the throughput, and more requests
 *   in flight would only hold more memory while their answers wait to be read. Saturation also ends
 *   the growth by 1 per answer, as an overload signal does;
 * - an overload signal (HTTP 429 or 503, or no answer in time) sets it to `DECREASE_FACTOR` times the
 *   limit the refused attempt was sent under (or the current limit, if lower), once per round trip:
 *   answers to attempts sent before the last decrease do not decrease it again. The limit in force
 *   when the attempt was sent, not the one the answer finds: while the answer travelled, the limit
 *   went on growing past the level the provider refused;
 * - after a decrease it grows back to no more than `CEILING_MARGIN` of that same limit the provider
 *   pushed back at, and stays there for `HOLD_ROUND_TRIPS` round trips before it probes higher again,
 *   so it settles just under the provider's room instead of running into it every few round trips;
 * - it stays between 1 and `max`, which is `<PROVIDER>_MAX_CONCURRENCY` and, with a request budget,
 *   at most `<PROVIDER>_MAX_REQUESTS_PER_S` (more requests in flight than the budget sends in a
 *   second would only wait in the budget).
 *
 * Fixed (`PROVIDER_CONCURRENCY` set): the limit is that number and never moves.
 */

import { performance } from 'node:perf_hooks';
import type { AbortLike } from './call-signals.js';

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
  acquire(signal: AbortLike): ConcurrencySlot | Promise<ConcurrencySlot>;
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

/** The share of a window this process's event loop was busy above which it counts as saturated. */
export const SATURATED_UTILIZATION = 0.9;
/** How long a window of event-loop utilisation is, for `eventLoopSaturated`. */
const SATURATION_WINDOW_MS = 100;

let lastUtilization = performance.eventLoopUtilization();
let lastUtilizationAt = performance.now();
let saturatedNow = false;

/**
 * True while this process's event loop was busy for at least SATURATED_UTILIZATION of its last
 * window (measured again, when asked, once a window has passed). One event loop, so one answer for
 * every provider's limiter.
 */
export function eventLoopSaturated(): boolean {
  const now = performance.now();
  if (now - lastUtilizationAt >= SATURATION_WINDOW_MS) {
    const current = performance.eventLoopUtilization();
    saturatedNow = performance.eventLoopUtilization(current, lastUtilization).utilization >= SATURATED_UTILIZATION;
    lastUtilization = current;
    lastUtilizationAt = now;
  }
  return saturatedNow;
}

/** The limit as a number of slots (the adaptive limit moves in fractions between whole slots). */
const slots = (limit: number) => Math.max(1, Math.floor(limit));

interface Waiter {
  readonly resolve: (slot: ConcurrencySlot) => void;
  readonly signal: AbortLike;
  readonly onAbort: () => void;
}

/**
 * The limit's arithmetic, apart from slots and waiters: AIMD with slow start, the ceiling held
 * after a decrease, and the moving minimum latency. Fixed settings make it a constant.
 * `onLimitChange` is told the whole-number limit at construction and each time it changes.
 */
class LimitState {
  /** The limit, in fractions of a slot, between 1 and `max`. */
  private value: number;
  private decreases = 0;
  private readonly adaptive: boolean;
  private readonly max: number;
  private reported: number;
  private slowStart = true;
  /** Where growth stops until `holdAnswers` more answers came back (after an overload signal). */
  private ceiling: number;
  private holdAnswers = 0;
  private minLatency = Number.POSITIVE_INFINITY;
  private windowMin = Number.POSITIVE_INFINITY;
  private windowAnswers = 0;

  constructor(
    settings: ConcurrencySettings,
    private readonly onLimitChange: ((limit: number) => void) | undefined,
    private readonly saturated: () => boolean,
  ) {
    this.adaptive = settings.kind === 'adaptive';
    this.max = settings.kind === 'adaptive' ? Math.max(1, settings.max) : settings.limit;
    this.value = settings.kind === 'adaptive' ? Math.min(Math.max(1, settings.initial), this.max) : settings.limit;
    this.reported = slots(this.value);
    this.ceiling = this.max;
    onLimitChange?.(this.reported);
  }

  /** Bumped by each decrease: a slot taken before it cannot decrease the limit again. */
  get epoch(): number {
    return this.decreases;
  }

  /** The limit in whole slots. */
  slots(): number {
    return slots(this.value);
  }

  /**
   * Learns from how an attempt that held a slot ended; the slot was taken in `slot.epoch` under a
   * limit of `slot.limit` slots. `inUse` says whether the limit is in use (calls wait, or every
   * slot was taken until this one came back); it is asked only of an answer.
   */
  learn(outcome: SlotOutcome, slot: { readonly epoch: number; readonly limit: number }, inUse: () => boolean): void {
    if (!this.adaptive || outcome.kind === 'ignore') return;
    if (outcome.kind === 'overload') {
      if (slot.epoch !== this.decreases) return;
      const pushedBackAt = Math.min(this.value, slot.limit);
      this.decreases += 1;
      this.slowStart = false;
      this.ceiling = Math.max(1, Math.floor(pushedBackAt * CEILING_MARGIN));
      this.holdAnswers = HOLD_ROUND_TRIPS * slots(pushedBackAt);
      this.set(pushedBackAt * DECREASE_FACTOR);
      return;
    }
    if (this.holdAnswers > 0 && (this.holdAnswers -= 1) === 0) this.ceiling = this.max;
    const { latencyMs } = outcome;
    this.windowMin = Math.min(this.windowMin, latencyMs);
    this.windowAnswers += 1;
    const windowSize = Math.max(MIN_LATENCY_ANSWERS, MIN_LATENCY_ROUND_TRIPS * slots(this.value));
    if (this.windowAnswers >= windowSize || this.minLatency === Number.POSITIVE_INFINITY) {
      this.minLatency = this.windowMin;
      this.windowMin = Number.POSITIVE_INFINITY;
      this.windowAnswers = 0;
    }
    // Only a limit that is in use is raised, and not while this process has no CPU to spare.
    if (!inUse() || latencyMs > LATENCY_TOLERANCE * Math.max(this.minLatency, 1)) return;
    if (this.saturated()) {
      this.slowStart = false;
      return;
    }
    if (this.value < this.ceiling) {
      this.set(Math.min(this.ceiling, this.value + (this.slowStart ? 1 : 1 / this.value)));
    }
  }

  private set(next: number): void {
    this.value = Math.min(this.max, Math.max(1, next));
    const whole = slots(this.value);
    if (whole !== this.reported) {
      this.reported = whole;
      this.onLimitChange?.(whole);
    }
  }
}

/**
 * A limiter for one provider. `onLimitChange` is told the whole-number limit at once and each
 * time it changes (the metric); `saturated` says whether this process is saturated
 * (eventLoopSaturated unless a test gives its own).
 */
export function createConcurrencyLimiter(
  settings: ConcurrencySettings,
  onLimitChange?: (limit: number) => void,
  saturated: () => boolean = eventLoopSaturated,
): ConcurrencyLimiter {
  let inFlight = 0;
  /** Arrival order; a Set so an aborted waiter leaves in O(1). */
  const waiting = new Set<Waiter>();
  const limit = new LimitState(settings, onLimitChange, saturated);

  const take = (): ConcurrencySlot => {
    inFlight += 1;
    const taken = { epoch: limit.epoch, limit: limit.slots() };
    let released = false;
    return {
      release(outcome) {
        if (released) return;
        released = true;
        inFlight -= 1;
        // In use: calls are waiting for a slot, or every slot was taken until this one came back.
        limit.learn(outcome, taken, () => waiting.size > 0 || inFlight + 1 >= limit.slots());
        drain();
      },
    };
  };

  const drain = () => {
    for (const waiter of waiting) {
      if (inFlight >= limit.slots()) return;
      waiting.delete(waiter);
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(take());
    }
  };

  return {
    acquire(signal) {
      if (signal.aborted) return Promise.reject(signal.reason!);
      if (inFlight < limit.slots() && waiting.size === 0) return take();
      return new Promise<ConcurrencySlot>((resolve, reject) => {
        const waiter: Waiter = {
          resolve,
          signal,
          onAbort: () => {
            waiting.delete(waiter);
            reject(signal.reason!);
          },
        };
        waiting.add(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      });
    },
    limit: () => limit.slots(),
    inFlight: () => inFlight,
    queued: () => waiting.size,
  };
}
