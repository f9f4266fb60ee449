/**
 * The simulators' request log, bounded so a long-lived sandbox keeps a flat heap: the last
 * `capacity` records in a ring (about 630 bytes each, headers included) and exact counters since
 * the last reset (in total, per status, per refund id) for tests that count provider calls.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestRecord {
  method: string;
  /** The request target as received (path and query string). */
  path: string;
  /**
   * The key faults and counts use: the provider refund id named by the path (decoded), or for a
   * route that creates refunds the payment it refunds; null for other routes.
   */
  refundId: string | null;
  /** The parsed JSON request body, when there was one. */
  body?: unknown;
  /** The status sent, or null while pending and for reset/hang. */
  status: number | null;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  headers: Record<string, string | string[] | undefined>;
}

/** Records kept for `SimulatorHandle.requests`. */
export const REQUEST_LOG_CAPACITY = 1_000;
/** Distinct refund ids counted per reset before per-refund counts give up (see `count`). */
export const COUNTED_REFUND_IDS = 10_000;

export interface RequestLogOptions {
  capacity?: number;
  countedRefundIds?: number;
}

export class RequestLog {
  readonly #capacity: number;
  readonly #countedRefundIds: number;
  /** The ring: `#next` is where the next record goes, overwriting the oldest once full. */
  #ring: RequestRecord[] = [];
  #next = 0;
  #total = 0;
  readonly #byRefundId = new Map<string, number>();
  /** Set when a refund id arrived while `#byRefundId` was full: per-refund counts are then unknown. */
  #refundCountsOverflowed = false;
  readonly #byStatus = new Map<number, number>();
  readonly #byMethod = new Map<string, number>();

  constructor({ capacity = REQUEST_LOG_CAPACITY, countedRefundIds = COUNTED_REFUND_IDS }: RequestLogOptions = {}) {
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError(`Request log capacity must be a positive integer, received ${String(capacity)}`);
    }
    if (!(Number.isInteger(countedRefundIds) && countedRefundIds > 0)) {
      throw new RangeError(
        `Request log countedRefundIds must be a positive integer, received ${String(countedRefundIds)}`,
      );
    }
    this.#capacity = capacity;
    this.#countedRefundIds = countedRefundIds;
  }

  record(
    method: string,
    path: string,
    refundId: string | null,
    headers: IncomingHttpHeaders,
    body?: unknown,
  ): RequestRecord {
    const entry: RequestRecord = {
      method,
      path,
      refundId,
      status: null,
      at: Date.now(),
      headers: { ...headers },
      ...(body === undefined ? {} : { body }),
    };
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#total += 1;
    this.#byMethod.set(method, (this.#byMethod.get(method) ?? 0) + 1);
    if (refundId !== null) {
      this.#countRefund(refundId);
      if (method !== 'GET') this.#countRefund(`${method} ${refundId}`);
    }
    return entry;
  }

  /** Sets the status a record was answered with and counts it. */
  answered(entry: RequestRecord, status: number): void {
    entry.status = status;
    this.#byStatus.set(status, (this.#byStatus.get(status) ?? 0) + 1);
  }

  /** The kept records, oldest first, as a new array. */
  get records(): RequestRecord[] {
    if (this.#ring.length < this.#capacity) return [...this.#ring];
    return [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }

  /**
   * Requests since the last reset, in total or naming one refund id. Per-refund counts are kept
   * for up to `countedRefundIds` distinct ids per reset; past that, asking for one throws rather
   * than answer a wrong number (tests reset between cases and never get near it).
   */
  count(refundId?: string, method?: string): number {
    if (refundId === undefined) return method === undefined ? this.#total : (this.#byMethod.get(method) ?? 0);
    if (method !== undefined && method !== 'GET') return this.count(`${method} ${refundId}`);
    if (method === 'GET') return this.count(refundId) - this.#nonGetCount(refundId);
    if (this.#refundCountsOverflowed) {
      throw new RangeError(
        `Per-refund request counts are unknown: more than ${this.#countedRefundIds} distinct refund ids ` +
          `arrived since the last resetRequests(); received a count request for '${refundId}'`,
      );
    }
    return this.#byRefundId.get(refundId) ?? 0;
  }

  /** Requests naming `refundId` with another method than GET (counted under `<METHOD> <id>`). */
  #nonGetCount(refundId: string): number {
    let total = 0;
    for (const method of this.#byMethod.keys()) {
      if (method !== 'GET') total += this.#byRefundId.get(`${method} ${refundId}`) ?? 0;
    }
    return total;
  }

  countByStatus(status: number): number {
    return this.#byStatus.get(status) ?? 0;
  }

  reset(): void {
    this.#ring = [];
    this.#next = 0;
    this.#total = 0;
    this.#byRefundId.clear();
    this.#refundCountsOverflowed = false;
    this.#byStatus.clear();
    this.#byMethod.clear();
  }

  #countRefund(refundId: string): void {
    const current = this.#byRefundId.get(refundId);
    if (current !== undefined) {
      this.#byRefundId.set(refundId, current + 1);
    } else if (this.#byRefundId.size < this.#countedRefundIds) {
      this.#byRefundId.set(refundId, 1);
    } else {
      this.#refundCountsOverflowed = true;
    }
  }
}
