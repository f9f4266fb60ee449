/** The refund cache's settings (AppConfig's `cache`), named as the CACHE_* variables are; lifetimes in milliseconds. */
import type { FreshnessPolicy } from '../freshness.js';

export interface CacheSettings extends FreshnessPolicy {
  /** False: no cache, no single flight; every read goes to its provider. */
  readonly enabled: boolean;
  /** How old a copy may be and still be served (stale: true) when its provider fails (CACHE_STALE_IF_ERROR_S). */
  readonly staleIfErrorMs: number;
  /** Bound of the in-process store, used when REDIS_URL is unset (CACHE_MAX_ENTRIES). */
  readonly maxEntries: number;
}
