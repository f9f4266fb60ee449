/**
 * The shared key-value store: Redis through node-redis, so every replica sees the same entries.
 *
 * Contract (see key-value-store.ts): every call is time-boxed (`timeoutMs`, REDIS_TIMEOUT_MS for the
 * refund cache; the idempotency records use a longer box on their own view of the same connection)
 * and rejects with StoreUnavailableError when Redis is disconnected, refuses, errs or does not
 * answer in time. Commands are never queued while disconnected (they fail at once). `health()`
 * follows the connection.
 */
import { StoreUnavailableError, type KeyValueStore, type StoreHealth } from './key-value-store.js';
import { checkTtl } from './memory-store.js';
import { closeRedisClient, openRedisClient, type RedisClient } from './redis-connection.js';

export const DEFAULT_REDIS_TIMEOUT_MS = 50;

export type RedisStoreOptions = SharedConnectionOptions | OwnConnectionOptions;

interface SharedConnectionOptions {
  /** The process's shared connection (src/store/redis-connection.ts); the store never closes it. */
  readonly client: RedisClient;
  /** The time box of every call, in milliseconds. */
  readonly timeoutMs?: number;
}

interface OwnConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Never logged. A store of its own opens and closes its client. */
  readonly url: string;
  readonly timeoutMs?: number;
  /** Told about every connection error; the client keeps reconnecting on its own. */
  readonly onConnectionError?: (error: Error) => void;
  /** Told when the connection comes up (`ok`) or goes down (`unavailable`). */
  readonly onHealthChange?: (health: StoreHealth) => void;
}

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis' as const;
  readonly timeoutMs: number;
  readonly #client: RedisClient;
  /** Whether close() ends the client: only when the store opened it itself. */
  readonly #ownsClient: boolean;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(`timeoutMs must be a positive whole number of milliseconds, received ${timeoutMs}`);
    }
    this.timeoutMs = timeoutMs;
    if ('client' in options) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      this.#client = openRedisClient({
        url: options.url,
        connectTimeoutMs: timeoutMs,
        onError: (error) => options.onConnectionError?.(error),
        ...(options.onHealthChange ? { onHealthChange: options.onHealthChange } : {}),
        isClosed: () => this.#closed,
      });
      this.#ownsClient = true;
    }
  }

  get(key: string): Promise<string | null> {
    return this.#timeBoxed('GET', () => this.#client.get(key));
  }

  getMany(keys: readonly string[]): Promise<Array<string | null>> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#timeBoxed('MGET', () => this.#client.mGet([...keys]));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const ttl = checkTtl(ttlMs);
    await this.#timeBoxed('SET', () => this.#client.set(key, value, { expiration: { type: 'PX', value: ttl } }));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    const reply = await this.#timeBoxed('SET NX', () =>
      this.#client.set(key, value, { condition: 'NX', expiration: { type: 'PX', value: ttl } }),
    );
    return reply === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.#timeBoxed('DEL', () => this.#client.del(key));
  }

  health(): StoreHealth {
    return this.#client.isReady ? 'ok' : 'unavailable';
  }

  /** A store over the shared connection leaves it open; a store with its own client disconnects it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) await closeRedisClient(this.#client);
  }

  async #timeBoxed<T>(command: string, run: () => Promise<T>): Promise<T> {
    if (!this.#client.isReady) {
      throw new StoreUnavailableError(`Redis is not connected; ${command} was not sent`);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`Redis did not answer ${command} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    const call = Promise.resolve()
      .then(run)
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StoreUnavailableError(`Redis refused ${command}: ${reason}`, { cause: error });
      });
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
