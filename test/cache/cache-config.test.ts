/** The cache settings: defaults, validation, and a Redis URL that never shows up in a message. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config.js';

describe('cache settings', () => {
  it('defaults to an in-process cache: 300 s settled, 5 s pending and not found, 1 h stale-if-error, 10000 entries', () => {
    const config = loadConfig({});
    expect(config.cache).toEqual({
      enabled: true,
      ttlSettledMs: 300_000,
      ttlPendingMs: 5000,
      ttlNotFoundMs: 5000,
      staleIfErrorMs: 3_600_000,
      maxEntries: 10_000,
    });
    expect(config.redis).toEqual({ url: null, timeoutMs: 50 });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      CACHE_ENABLED: 'false',
      CACHE_TTL_SETTLED_S: '60',
      CACHE_TTL_PENDING_S: '2',
      CACHE_TTL_NOT_FOUND_S: '1',
      CACHE_STALE_IF_ERROR_S: '0',
      CACHE_MAX_ENTRIES: '500',
      REDIS_URL: 'rediss://user:pw@redis.internal:6380/2',
      REDIS_TIMEOUT_MS: '80',
    });
    expect(config.cache).toEqual({
      enabled: false,
      ttlSettledMs: 60_000,
      ttlPendingMs: 2000,
      ttlNotFoundMs: 1000,
      staleIfErrorMs: 0,
      maxEntries: 500,
    });
    expect(config.redis).toEqual({ url: 'rediss://user:pw@redis.internal:6380/2', timeoutMs: 80 });
  });

  it('refuses a REDIS_URL that is not redis:// or rediss:// without quoting it', () => {
    let failure: unknown;
    try {
      loadConfig({ REDIS_URL: 'http://:hunter2secret@cache:6379' });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toEqual([
      'REDIS_URL must be redis://[user:password@]host:port[/db] or rediss://… for TLS; the value set is not one (not shown: it may hold a password)',
    ]);
    expect((failure as Error).message).not.toContain('hunter2secret');
  });

  it('refuses out-of-range numbers with a fix-it message', () => {
    expect(() => loadConfig({ CACHE_MAX_ENTRIES: '0' })).toThrow(
      'CACHE_MAX_ENTRIES must be a whole number from 1 to 1000000, received "0"; unset it for the default 10000',
    );
    expect(() => loadConfig({ CACHE_ENABLED: 'maybe' })).toThrow(
      'CACHE_ENABLED must be true or false, received "maybe"',
    );
  });
});
