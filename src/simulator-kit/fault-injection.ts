/**
 * Fault injection shared by the provider simulators, and the handle a started simulator offers.
 * Tests use them to prove how the real clients behave when a provider misbehaves.
 */
import type { RequestRecord } from './request-log.js';
import type { SimulatorWebhooks } from './webhook-sender.js';

/**
 * What a simulator does instead of (or before) answering a request normally. Any fault may name a
 * `method`: it then applies only to requests with that method (e.g. only the POST that creates a
 * refund, not the GET that looks it up).
 */
export type Fault =
  /** Reply with this status and the provider's own error body (plus `Retry-After` if given). */
  (
    | { kind: 'status'; status: number; times?: number; retryAfter?: string }
    /** Wait `ms`, then answer normally. */
    | { kind: 'latency'; ms: number; times?: number }
    /** Never answer: the socket stays open until the client gives up or the simulator closes. */
    | { kind: 'hang'; times?: number }
    /** Reset the connection without any response (ECONNRESET on the client). */
    | { kind: 'reset'; times?: number }
    /** Arbitrary body: HTML, truncated JSON, wrong-typed JSON (status default 200). */
    | { kind: 'raw'; status?: number; contentType: string; body: string; times?: number }
    /** A 3xx (default 302) with this `Location`. */
    | { kind: 'redirect'; location: string; status?: number; times?: number }
    /** Each request fails with `status` (default 503) with probability `rate`, forever. */
    | { kind: 'random'; rate: number; status?: number }
    /**
     * A provider with room for `max` requests at a time: a request that arrives while `max` others
     * are in flight is answered `status` (default 429, with the provider's error body) after the
     * usual latency; the others are answered normally.
     */
    | { kind: 'concurrency'; max: number; status?: number; times?: number }
    /**
     * The request takes effect (a POST creates its refund), and then the answer is lost: the socket
     * hangs, is reset, or gets this 5xx status with the provider's error body instead. This is how
     * a test proves that a timeout after the provider acted never pays twice.
     */
    | { kind: 'lose-response'; after: 'hang' | 'reset' | number; times?: number }
  ) & { method?: string };

export interface SimulatorHandle {
  /** The base URL a client is configured with: the origin, plus the base path the simulator was given. */
  readonly url: string;
  /** `http://host:port`. */
  readonly origin: string;
  /**
   * The most recent requests (at most `REQUEST_LOG_CAPACITY`), oldest first, recorded before auth
   * and faults apply. A fresh array on each read; the records' `status` fills in when answered.
   */
  readonly requests: readonly RequestRecord[];
  /**
   * Requests received since the last reset: all of them, or those naming one provider refund id (or
   * the payment a creation refunds), optionally of one method ('POST').
   * Exact however many arrived; see `RequestLog.count` for the one case that throws.
   */
  requestCount(refundId?: string, method?: string): number;
  /** Requests answered with this status since the last reset (exact, unlike `requests`). */
  responseCount(status: number): number;
  /** Forgets the records and zeroes every count. */
  resetRequests(): void;
  /** Faults are keyed by provider refund id, or '*' for every request; a refund-specific fault wins. */
  injectFault(refundId: string, fault: Fault): void;
  clearFaults(): void;
  /** Base latency added before every response. */
  setLatency(ms: number): void;
  /** Stops listening and destroys every open connection, hung ones included. */
  close(): Promise<void>;
  /** The provider's webhooks, for simulators that send them (target, test controls, deliveries). */
  readonly webhooks?: SimulatorWebhooks;
}

/** The fault to apply to one request, after `times` and `random` are resolved. */
export type AppliedFault = Exclude<Fault, { kind: 'random' }>;

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

/**
 * Faults per key, applied in injection order: the first fault still in force for the request's
 * refund id applies; '*' faults apply only when the refund id has none.
 */
export class FaultRegistry {
  readonly #byKey = new Map<string, ActiveFault[]>();

  inject(key: string, fault: Fault): void {
    validateFault(fault);
    const remaining = 'times' in fault && fault.times !== undefined ? fault.times : Number.POSITIVE_INFINITY;
    const list = this.#byKey.get(key) ?? [];
    list.push({ fault, remaining });
    this.#byKey.set(key, list);
  }

  clear(): void {
    this.#byKey.clear();
  }

  /** Consumes one use of the fault that applies to this request, if any. */
  take(refundId: string | null, random: () => number = Math.random, method?: string): AppliedFault | undefined {
    const applies = (entry: ActiveFault) => entry.fault.method === undefined || entry.fault.method === method;
    const specific = refundId === null ? undefined : this.#byKey.get(refundId)?.filter(applies);
    const list =
      specific !== undefined && specific.length > 0 ? specific : (this.#byKey.get('*')?.filter(applies) ?? []);
    const active = list[0];
    if (active === undefined) return undefined;

    active.remaining -= 1;
    if (active.remaining <= 0) {
      for (const entries of this.#byKey.values()) {
        const index = entries.indexOf(active);
        if (index >= 0) entries.splice(index, 1);
      }
    }

    const { fault } = active;
    if (fault.kind !== 'random') return fault;
    return random() < fault.rate ? { kind: 'status', status: fault.status ?? 503 } : undefined;
  }
}

function validateFault(fault: Fault): void {
  if ('times' in fault && fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
    throw new RangeError(`Fault 'times' must be a positive integer or omitted, received ${String(fault.times)}`);
  }
  if (fault.kind === 'random' && !(fault.rate >= 0 && fault.rate <= 1)) {
    throw new RangeError(`Fault 'rate' must be between 0 and 1, received ${String(fault.rate)}`);
  }
  if (fault.kind === 'lose-response' && typeof fault.after === 'number' && !(fault.after >= 500 && fault.after < 600)) {
    throw new RangeError(`Fault 'after' must be 'hang', 'reset' or a 5xx status, received ${String(fault.after)}`);
  }
  if (fault.kind === 'concurrency' && !(Number.isInteger(fault.max) && fault.max >= 0)) {
    throw new RangeError(`Fault 'max' must be a non-negative integer, received ${String(fault.max)}`);
  }
  if (fault.kind === 'latency' && !(fault.ms >= 0)) {
    throw new RangeError(`Fault 'ms' must be a non-negative number, received ${String(fault.ms)}`);
  }
}
