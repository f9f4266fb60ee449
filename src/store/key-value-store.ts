/**
 * The key-value store shared by the refund cache and the idempotency records: in memory by default
 * (one process), Redis when REDIS_URL is set (every replica). Values are strings (JSON); every entry
 * has a time to live. Implementations time-box each call and reject with StoreUnavailableError when
 * the store cannot answer: the cache treats that as a miss, the idempotency records as a failure
 * (never as "no record", which could pay twice).
 */

export interface KeyValueStore {
  /** `memory` or `redis`, for logs, metrics and /ready. */
  readonly kind: 'memory' | 'redis';
  /** The value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Several values at once, in key order (one round trip where the store allows it). */
  getMany(keys: readonly string[]): Promise<Array<string | null>>;
  /** Stores `value` for `ttlMs` milliseconds, replacing any previous value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores `value` only when `key` is absent; true when this call stored it (an atomic claim). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** `ok`, or `unavailable` while the store cannot be reached (for /ready and metrics; never fails readiness). */
  health(): StoreHealth;
  close(): Promise<void>;
}

export type StoreHealth = 'ok' | 'unavailable';

/** The store did not answer in time, refused, or is disconnected. `cause` is for the log only. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
