/** OPERATION_CACHE_TTL_MS: its default, its range, off whenever the refund cache is, and off with REDIS_URL unless set. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { problemsOf } from '../helpers/config-problems.js';

describe('OPERATION_CACHE_TTL_MS', () => {
  it('defaults to 1000 ms', () => {
    expect(loadConfig({}).operationCache).toEqual({ ttlMs: 1000 });
    expect(loadConfig({ OPERATION_CACHE_TTL_MS: ' ' }).operationCache).toEqual({ ttlMs: 1000 });
  });

  it('is off with REDIS_URL (replicas share the refund cache) unless set', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig(redis).operationCache).toEqual({ ttlMs: 0 });
    expect(loadConfig({ ...redis, OPERATION_CACHE_TTL_MS: ' ' }).operationCache).toEqual({ ttlMs: 0 });
    expect(loadConfig({ ...redis, OPERATION_CACHE_TTL_MS: '500' }).operationCache).toEqual({ ttlMs: 500 });
    expect(loadConfig({ ...redis, OPERATION_CACHE_TTL_MS: '500', CACHE_ENABLED: 'false' }).operationCache).toEqual({
      ttlMs: 0,
    });
  });

  it('reads the value set, from 0 (off) to 60000', () => {
    expect(loadConfig({ OPERATION_CACHE_TTL_MS: '250' }).operationCache.ttlMs).toBe(250);
    expect(loadConfig({ OPERATION_CACHE_TTL_MS: '0' }).operationCache.ttlMs).toBe(0);
    expect(loadConfig({ OPERATION_CACHE_TTL_MS: '60000' }).operationCache.ttlMs).toBe(60_000);
  });

  it.each(['60001', '-1', '1.5', '1s'])('refuses %j, saying the range and the default', (value) => {
    expect(problemsOf({ OPERATION_CACHE_TTL_MS: value })).toEqual([
      `OPERATION_CACHE_TTL_MS must be a whole number from 0 to 60000, received ${JSON.stringify(value)}; unset it for the default 1000`,
    ]);
  });

  it('is 0 (off) when CACHE_ENABLED=false, whatever it is set to', () => {
    expect(loadConfig({ CACHE_ENABLED: 'false' }).operationCache.ttlMs).toBe(0);
    expect(loadConfig({ CACHE_ENABLED: 'false', OPERATION_CACHE_TTL_MS: '5000' }).operationCache.ttlMs).toBe(0);
    expect(loadConfig({ CACHE_ENABLED: 'true', OPERATION_CACHE_TTL_MS: '5000' }).operationCache.ttlMs).toBe(5000);
  });

  it('is frozen with the rest of the configuration', () => {
    expect(Object.isFrozen(loadConfig({}).operationCache)).toBe(true);
  });
});
