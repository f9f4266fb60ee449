/**
 * The process's one Redis connection (REDIS_URL), shared by everything that uses Redis: the refund
 * cache and the idempotency records (each a RedisStore view with its own time box), the provider
 * budgets, and later the live-status pub/sub (which needs a dedicated connection: `duplicate()`).
 *
 * The client never queues commands while disconnected (they fail at once), reconnects for as long as
 * the process runs, and never lets an 'error' event reach the process. While Redis is unreachable it
 * writes one warn line a minute at most, whoever uses it and however often it retries; and one info
 * line when it is back.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type * as Redis from 'redis';
import { createThrottledWarning, type ThrottledWarning } from '../observability/throttled-warning.js';
import type { StoreHealth } from './key-value-store.js';

export type RedisClient = ReturnType<typeof Redis.createClient>;

/** The settings this needs (AppConfig's `redis`). */
export interface RedisSettings {
  /** redis:// or rediss:// with credentials: a secret, never logged. */
  readonly url: string | null;
  /** Time box of each Redis call the refund cache makes. */
  readonly timeoutMs: number;
}

/**
 * How long one connect attempt may take. Generous: the process's start does synchronous work (schema,
 * migrations) right after the first attempt begins, and an attempt cut short only delays readiness.
 * Commands never wait for it: while not connected they fail at once.
 */
const CONNECT_TIMEOUT_FLOOR_MS = 5000;

/** The warn interval while Redis is down: one line a minute. */
const REDIS_WARNING_INTERVAL_MS = 60_000;

export interface RedisConnection {
  readonly client: RedisClient;
  health(): StoreHealth;
  /** A second connection with the same settings and logging, for what needs its own (pub/sub); closed with this one. */
  duplicate(): RedisClient;
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  readonly url: string;
  readonly logger: Logger;
  /** The socket connect timeout floor (a connect takes at least 1 s to give up). */
  readonly connectTimeoutMs?: number;
  /** Where connection trouble is reported; defaults to one warn line a minute on `logger`. */
  readonly warning?: ThrottledWarning;
}

/**
 * node-redis, loaded when the first connection is made: a deployment without REDIS_URL never loads
 * it (about 6 MB of resident memory).
 */
function redisModule(): typeof Redis {
  return createRequire(import.meta.url)('redis') as typeof Redis;
}

/** Waits between reconnect attempts: 50 ms doubling to 2 s, with jitter so replicas do not stampede. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 6), 2000) + Math.floor(Math.random() * 50);
}

export interface RedisClientOptions {
  readonly url: string;
  /** The socket connect timeout, raised to CONNECT_TIMEOUT_FLOOR_MS when lower. */
  readonly connectTimeoutMs?: number;
  /** Told about every connection error; the client keeps reconnecting on its own. */
  readonly onError: (error: Error) => void;
  /** Told when the connection comes up (`ok`) or goes down (`unavailable`). */
  readonly onHealthChange?: (health: StoreHealth) => void;
  /** True once the owner closed it: a late connect failure is then not an error. */
  readonly isClosed?: () => boolean;
}

/**
 * A node-redis client that never queues while disconnected, reconnects for as long as the process
 * runs, reports errors instead of crashing, and starts connecting without being awaited (the
 * subgraph starts, and serves from the providers, while Redis is unreachable).
 */
export function openRedisClient(options: RedisClientOptions): RedisClient {
  const client = redisModule().createClient({
    url: options.url,
    disableOfflineQueue: true,
    // Bounds what piles up while Redis hangs (written commands wait for a reply we no longer want).
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: Math.max(CONNECT_TIMEOUT_FLOOR_MS, options.connectTimeoutMs ?? 0),
      reconnectStrategy: reconnectDelay,
    },
  });
  // Without a listener, an 'error' event would crash the process.
  client.on('error', (error: Error) => options.onError(error));
  client.on('ready', () => options.onHealthChange?.('ok'));
  client.on('end', () => options.onHealthChange?.('unavailable'));
  client.on('reconnecting', () => options.onHealthChange?.('unavailable'));
  client.connect().catch((error: unknown) => {
    if (!options.isClosed?.()) options.onError(error instanceof Error ? error : new Error(String(error)));
  });
  return client;
}

export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const warn = options.warning ?? createRedisWarning(options.logger);
  let closed = false;
  const duplicates: RedisClient[] = [];
  const open = (role: string): RedisClient => {
    let down = false;
    return openRedisClient({
      url: options.url,
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      isClosed: () => closed,
      onError: (error) => {
        if (!closed) warn({ connection: role, reason: error.message });
      },
      onHealthChange: (health) => {
        if (health === 'unavailable') down = !closed;
        else if (down) {
          down = false;
          options.logger.info({ event: 'redis.connected', connection: role }, 'Redis reachable again');
        }
      },
    });
  };
  const client = open('main');
  return {
    client,
    health: () => (client.isReady ? 'ok' : 'unavailable'),
    duplicate() {
      const second = open(`dedicated-${duplicates.length + 1}`);
      duplicates.push(second);
      return second;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([client, ...duplicates].map(closeRedisClient));
    },
  };
}

/**
 * The one warning for Redis trouble, shared by the connection and by every store call that fails on
 * it: at most one line a minute. Its event keeps the name operators' alerts already use.
 */
export function createRedisWarning(logger: Logger): ThrottledWarning {
  const warn = createThrottledWarning(
    logger,
    'Redis unavailable: the refund cache reads from the providers, refund creation is refused, provider budgets count per replica, until it is back',
    REDIS_WARNING_INTERVAL_MS,
    // Read through Date each time, so a test can move the clock.
    () => Date.now(),
  );
  return (fields) => warn({ event: 'cache.store_unavailable', store: 'redis', ...fields });
}

/** Sends what is pending (within a second) and disconnects; stops reconnecting. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.isReady) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.close().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
  }
  if (client.isOpen) client.destroy();
}
