/**
 * Picks the store for a deployment: Redis (shared by every replica) when a URL is given, the
 * bounded in-process LRU otherwise.
 */
import type { KeyValueStore, StoreHealth } from './key-value-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';

export interface StoreOptions {
  /** REDIS_URL, or null for the in-process store. */
  readonly redisUrl: string | null;
  /** Bound of the in-process store. */
  readonly maxEntries: number;
  /** Time box of each Redis call (default 50 ms). */
  readonly timeoutMs?: number;
  /** In-process store only: an entry was pushed out to make room. */
  readonly onEvict?: () => void;
  /** Redis only: a connection error (the client reconnects by itself). */
  readonly onConnectionError?: (error: Error) => void;
  /** Redis only: the connection came up or went down. */
  readonly onHealthChange?: (health: StoreHealth) => void;
}

export function createKeyValueStore(options: StoreOptions): KeyValueStore {
  if (options.redisUrl === null) {
    return new MemoryStore({
      maxEntries: options.maxEntries,
      ...(options.onEvict ? { onEvict: options.onEvict } : {}),
    });
  }
  return new RedisStore({
    url: options.redisUrl,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
    ...(options.onHealthChange ? { onHealthChange: options.onHealthChange } : {}),
  });
}
