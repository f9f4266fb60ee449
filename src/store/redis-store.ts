/**
 * The shared key-value store: Redis through node-redis, so every replica sees the same entries.
 *
 * Contract (see key-value-store.ts): every call is time-boxed (`timeoutMs`, 50 ms by default; the
 * idempotency records use a longer box on their own instance) and rejects with
 * StoreUnavailableError when Redis is disconnected, refuses, errs or does not answer in time.
 * Commands are never queued while disconnected (they fail at once). The client reconnects by itself
 * for as long as the process runs, and a Redis error event never reaches the process as an
 * unhandled 'error': it goes to `onConnectionError`. `health()` follows the connection.
 */
import { createRequire } from 'node:module';
import type * as Redis from 'redis';
import { StoreUnavailableError, type KeyValueStore, type StoreHealth } from './key-value-store.js';
import { checkTtl } from './memory-store.js';

export const DEFAULT_REDIS_TIMEOUT_MS = 50;

/**
 * node-redis, loaded when the first client is made: a deployment without REDIS_URL never loads it
 * (about 6 MB of resident memory on Node 24).
 */
function redisModule(): typeof Redis {
  return createRequire(import.meta.url)('redis') as typeof Redis;
}

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Never logged. */
  readonly url: string;
  /** The time box of every call, in milliseconds. */
  readonly timeoutMs?: number;
  /** Told about every connection error; the client keeps reconnecting on its own. */
  readonly onConnectionError?: (error: Error) => void;
  /** Told when the connection comes up (`ok`) or goes down (`unavailable`). */
  readonly onHealthChange?: (health: StoreHealth) => void;
}

export type RedisClient = ReturnType<typeof Redis.createClient>;
type Client = RedisClient;

/** Waits between reconnect attempts: 50 ms doubling to 2 s, with jitter so replicas do not stampede. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 6), 2000) + Math.floor(Math.random() * 50);
}

/**
 * A node-redis client that never queues while disconnected, reconnects for as long as the process
 * runs, reports errors instead of crashing, and starts connecting without being awaited (the
 * subgraph starts, and serves from the providers, while Redis is unreachable).
 */
export function createResilientRedisClient(
  options: Pick<RedisStoreOptions, 'url' | 'timeoutMs' | 'onConnectionError' | 'onHealthChange'>,
  isClosed: () => boolean = () => false,
): RedisClient {
  const client = redisModule().createClient({
    url: options.url,
    disableOfflineQueue: true,
    // Bounds what piles up while Redis hangs (written commands wait for a reply we no longer want).
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: Math.max(1000, options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS),
      reconnectStrategy: reconnectDelay,
    },
  });
  // Without a listener, an 'error' event would crash the process.
  client.on('error', (error: Error) => options.onConnectionError?.(error));
  client.on('ready', () => options.onHealthChange?.('ok'));
  client.on('end', () => options.onHealthChange?.('unavailable'));
  client.on('reconnecting', () => options.onHealthChange?.('unavailable'));
  client.connect().catch((error: unknown) => {
    if (!isClosed()) options.onConnectionError?.(error instanceof Error ? error : new Error(String(error)));
  });
  return client;
}

export class RedisStore implements KeyValueStore {
  readonly kind = 'redis' as const;
  readonly timeoutMs: number;
  readonly #client: Client;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(`timeoutMs must be a positive whole number of milliseconds, received ${timeoutMs}`);
    }
    this.timeoutMs = timeoutMs;
    this.#client = createResilientRedisClient(options, () => this.#closed);
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

  /** Sends what is pending (within the time box) and disconnects; stops reconnecting. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.isReady) {
      await this.#timeBoxed('QUIT', () => this.#client.close()).catch(() => undefined);
    }
    if (this.#client.isOpen) this.#client.destroy();
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
