/**
 * The in-process key-value store: a bounded LRU (lru-cache) with a time to live per entry. The
 * embedded default when REDIS_URL is unset; it never fails, so it is always healthy. It can keep a
 * value's decoded form beside it (`getManyDecoded`), so a hot entry is not parsed on every read.
 */
import { LRUCache } from 'lru-cache';
import type { KeyValueStore, StoreHealth } from './key-value-store.js';

export interface MemoryStoreOptions {
  /** The most entries held; the least recently used goes first. */
  readonly maxEntries: number;
  /** Told each time an entry is pushed out to make room (metrics); not for expiry or replacement. */
  readonly onEvict?: () => void;
}

/** A stored value and, once read through `getManyDecoded`, what it decoded to and by which function. */
interface Entry {
  readonly text: string;
  decodedBy?: (text: string) => unknown;
  decoded?: unknown;
}

export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  readonly #entries: LRUCache<string, Entry>;

  constructor(options: MemoryStoreOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive whole number, received ${options.maxEntries}`);
    }
    const onEvict = options.onEvict;
    this.#entries = new LRUCache<string, Entry>({
      max: options.maxEntries,
      ...(onEvict ? { disposeAfter: (_value, _key, reason) => reason === 'evict' && onEvict() } : {}),
    });
  }

  get(key: string): Promise<string | null> {
    return settle(() => this.#entries.get(key)?.text ?? null);
  }

  getMany(keys: readonly string[]): Promise<Array<string | null>> {
    return settle(() => keys.map((key) => this.#entries.get(key)?.text ?? null));
  }

  /**
   * Like `getMany`, each value passed through `decode`; a stored value is decoded once per decoder
   * and every later read gets that same object until the value is replaced, so callers must treat
   * it as immutable. A value `decode` answers null for stays null.
   */
  getManyDecoded<T>(keys: readonly string[], decode: (text: string) => T | null): Promise<Array<T | null>> {
    return settle(() =>
      keys.map((key) => {
        const entry = this.#entries.get(key);
        if (entry === undefined) return null;
        if (entry.decodedBy !== decode) {
          entry.decoded = decode(entry.text);
          entry.decodedBy = decode;
        }
        return entry.decoded as T | null;
      }),
    );
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return settle(() => void this.#entries.set(key, { text: value }, { ttl: checkTtl(ttlMs) }));
  }

  /** Atomic: the check and the write run without yielding to other callers. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return settle(() => {
      const ttl = checkTtl(ttlMs);
      if (this.#entries.has(key)) return false;
      this.#entries.set(key, { text: value }, { ttl });
      return true;
    });
  }

  delete(key: string): Promise<void> {
    return settle(() => void this.#entries.delete(key));
  }

  /** Entries held now (expired ones may count until they are next touched). */
  get size(): number {
    return this.#entries.size;
  }

  health(): StoreHealth {
    return 'ok';
  }

  close(): Promise<void> {
    return settle(() => this.#entries.clear());
  }
}

/** Runs `work` now; a throw becomes a rejection, like a store failure would be. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export function checkTtl(ttlMs: number): number {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) {
    throw new RangeError(`ttlMs must be a positive whole number of milliseconds, received ${ttlMs}`);
  }
  return ttlMs;
}
