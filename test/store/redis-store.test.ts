/** The Redis store against Debian's real redis-server on a loopback port. */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../../src/store/key-value-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
const stores: RedisStore[] = [];

function openStore(options: { url?: string; timeoutMs?: number; errors?: Error[] } = {}): RedisStore {
  const store = new RedisStore({
    url: options.url ?? redis.url,
    // A generous box unless a test is about the box: the machine running the tests may be busy.
    timeoutMs: options.timeoutMs ?? 2000,
    onConnectionError: (error) => options.errors?.push(error),
  });
  stores.push(store);
  return store;
}

async function ready(store: RedisStore): Promise<void> {
  await vi.waitFor(() => expect(store.health()).toBe('ok'), { timeout: 5000, interval: 20 });
}

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await redis.stop();
});

describe('RedisStore', () => {
  it('stores, reads, reads many in key order and deletes', async () => {
    const store = openStore();
    await ready(store);
    await store.set('rt:a', '{"a":1}', 60_000);
    await store.set('rt:b', 'two', 60_000);
    expect(await store.get('rt:a')).toBe('{"a":1}');
    expect(await store.getMany(['rt:b', 'rt:missing', 'rt:a'])).toEqual(['two', null, '{"a":1}']);
    expect(await store.getMany([])).toEqual([]);
    await store.set('rt:a', 'replaced', 60_000);
    expect(await store.get('rt:a')).toBe('replaced');
    await store.delete('rt:a');
    expect(await store.get('rt:a')).toBeNull();
  });

  it('gives every entry its time to live in milliseconds, and the entry goes when it ends', async () => {
    const store = openStore();
    await ready(store);
    await store.set('ttl:long', 'v', 90_000);
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      const pttl = await raw.pTTL('ttl:long');
      expect(pttl).toBeGreaterThan(80_000);
      expect(pttl).toBeLessThanOrEqual(90_000);
    } finally {
      raw.destroy();
    }
    await store.set('ttl:short', 'v', 30);
    await vi.waitFor(async () => expect(await store.get('ttl:short')).toBeNull(), { timeout: 5000, interval: 20 });
    await expect(store.set('ttl:zero', 'v', 0)).rejects.toThrow(/ttlMs must be a positive whole number/);
  });

  it('lets exactly one of many concurrent claims across two connections win (SET NX PX)', async () => {
    const first = openStore();
    const second = openStore();
    await Promise.all([ready(first), ready(second)]);
    const claims = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? first : second).setIfAbsent('nx:claim', `owner-${index}`, 60_000),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = claims.indexOf(true);
    expect(await first.get('nx:claim')).toBe(`owner-${winner}`);
    expect(await second.setIfAbsent('nx:claim', 'late', 60_000)).toBe(false);
  });

  it('rejects with StoreUnavailableError when Redis refuses a command', async () => {
    const store = openStore();
    await ready(store);
    const raw = createClient({ url: redis.url });
    await raw.connect();
    await raw.lPush('wrongtype', 'x');
    raw.destroy();
    const failure = await store.get('wrongtype').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toMatch(/Redis refused GET: WRONGTYPE/);
  });

  it('time-boxes every call: a frozen Redis rejects within the box, a longer box waits it out', async () => {
    const quick = openStore({ timeoutMs: 50 });
    const patient = openStore({ timeoutMs: 10_000 });
    await Promise.all([ready(quick), ready(patient)]);
    await patient.set('box:k', 'v', 60_000);
    redis.pause();
    try {
      const failure = await quick.get('box:k').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect((failure as Error).message).toBe('Redis did not answer GET within 50 ms');
      await expect(quick.setIfAbsent('box:n', 'v', 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
      const waiting = patient.get('box:k');
      setTimeout(() => redis.resume(), 200);
      expect(await waiting).toBe('v');
    } finally {
      redis.resume();
    }
  });

  it('fails fast while Redis is down, never crashes the process, and is used again once Redis is back', async () => {
    const errors: Error[] = [];
    const store = openStore({ errors });
    await ready(store);
    await store.set('restart:k', 'before', 60_000);
    await redis.stop();
    await vi.waitFor(() => expect(store.health()).toBe('unavailable'), { timeout: 5000, interval: 20 });
    const failure = await store.get('restart:k').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect((failure as Error).message).toBe('Redis is not connected; GET was not sent');
    await expect(store.set('restart:k', 'x', 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5000, interval: 20 });

    await redis.restart();
    await ready(store);
    // The restarted server is empty (no persistence); the same store object works again.
    expect(await store.get('restart:k')).toBeNull();
    await store.set('restart:k', 'after', 60_000);
    expect(await store.get('restart:k')).toBe('after');
  });
});

describe('RedisStore with authentication', () => {
  let secured: RedisServer;
  beforeAll(async () => {
    secured = await startRedisServer({ args: ['--requirepass', 'correct-horse-battery'] });
  });
  afterAll(async () => {
    await secured.stop();
  });

  it('connects with the password in the URL', async () => {
    const store = openStore({ url: `redis://:correct-horse-battery@127.0.0.1:${secured.port}` });
    await ready(store);
    await store.set('auth:k', 'v', 60_000);
    expect(await store.get('auth:k')).toBe('v');
  });

  it('stays unavailable with a wrong password, rejecting calls, and reports the error without its URL', async () => {
    const errors: Error[] = [];
    const store = openStore({ url: `redis://:wrong-password@127.0.0.1:${secured.port}`, errors });
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5000, interval: 20 });
    expect(store.health()).toBe('unavailable');
    await expect(store.get('auth:k')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(errors.map((error) => error.message).join('\n')).not.toContain('wrong-password');
  });
});
