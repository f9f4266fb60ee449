/**
 * The refund cache shared through Debian's real redis-server: two subgraph replicas over one
 * Redis, deployments with other credentials kept apart, and Redis stopped and restarted under a
 * running replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startReplica, type Replica } from '../helpers/replica.js';
import { useStack } from '../helpers/stack.js';
import { parseExposition } from '../ops/prometheus-text.js';

const WOOSHPAY_IDS = ['re_3KQu4U2eZvKYlo2C02Ndp8xy', 're_1787731200000000001', 're_1787731200000000004'];
const EFUNDPAY_IDS = ['6a1d4e46-14ed-4fe1-a45f-eff4e025d211'];
const ALL_IDS = [...WOOSHPAY_IDS.map((id) => `wooshpay:${id}`), ...EFUNDPAY_IDS.map((id) => `efundpay:${id}`)];
const REFUNDS = `query ($ids: [ID!]!) { refunds(ids: $ids) { id status retrievedAt stale } }`;

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

async function readyCache(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/ready`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { cache: Record<string, unknown> }).cache;
}

describe('two replicas over one Redis', () => {
  const stack = useStack({
    env: {
      CACHE_ENABLED: 'true',
      get REDIS_URL() {
        return redis.url;
      },
      // Generous: a busy test machine must not turn Redis answers into misses here.
      REDIS_TIMEOUT_MS: '1000',
    },
  });
  let replicaB: Replica;
  beforeAll(async () => {
    replicaB = await startReplica(stack, { CACHE_ENABLED: 'true', REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await replicaB?.stop();
  });

  it('a refund read through replica A costs replica B no provider call', async () => {
    await expect
      .poll(() => readyCache(stack.url), { timeout: 5000 })
      .toEqual({ enabled: true, store: 'redis', status: 'ok' });
    await expect
      .poll(() => readyCache(replicaB.url), { timeout: 5000 })
      .toEqual({ enabled: true, store: 'redis', status: 'ok' });
    const fromA = await stack.graphql(REFUNDS, { ids: ALL_IDS });
    expect(fromA.body.errors).toBeUndefined();
    expect(stack.providerCalls()).toBe(ALL_IDS.length);
    stack.resetCounters();

    const fromB = await replicaB.graphql(REFUNDS, { ids: ALL_IDS });
    expect(fromB.body).toEqual(fromA.body);
    expect(stack.providerCalls()).toBe(0);
  });

  it('keeps deployments with other credentials apart: their reads never see these entries', async () => {
    // Same store, same refund ids, another WooshPay key the simulator does not accept: if the cache
    // answered from A's entries this would succeed without asking WooshPay.
    const other = await startReplica(stack, {
      CACHE_ENABLED: 'true',
      REDIS_URL: redis.url,
      WOOSHPAY_SECRET_KEY: 'sk_test_someoneelse0123456789',
    });
    try {
      await expect.poll(() => readyCache(other.url), { timeout: 5000 }).toMatchObject({ status: 'ok' });
      const result = await other.graphql(REFUNDS, { ids: [`wooshpay:${WOOSHPAY_IDS[0]}`] });
      expect(result.body.data).toEqual({ refunds: [null] });
      expect(result.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_AUTH_FAILED');
      expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_IDS[0])).toBe(1);
    } finally {
      await other.stop();
    }
  });

  it('falls back to the providers while Redis is down (no errors, /ready stays 200), and uses Redis again once it is back', async () => {
    const id = 're_1787731200000000005';
    await redis.stop();
    try {
      await expect
        .poll(() => readyCache(stack.url), { timeout: 5000 })
        .toEqual({
          enabled: true,
          store: 'redis',
          status: 'unavailable',
        });
      for (let round = 0; round < 3; round += 1) {
        const result = await stack.graphql<{ refunds: Array<{ id: string }> }>(REFUNDS, { ids: [`wooshpay:${id}`] });
        expect(result.body.errors).toBeUndefined();
        expect(result.body.data!.refunds[0]!.id).toBe(`wooshpay:${id}`);
      }
      expect(stack.simulators.wooshpay.requestCount(id)).toBe(3);
      const warnings = stack.logs.filter((line) => line.event === 'cache.store_unavailable');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn', store: 'redis' });
      expect(JSON.stringify(stack.logs)).not.toContain(redis.url);
      const metrics = parseExposition(await (await fetch(`${stack.url}/metrics`)).text()).samples;
      expect(metrics.get('refunds_cache_store_errors_total{operation="read"}')).toBeGreaterThanOrEqual(3);
      expect(metrics.get('refunds_cache_store_up')).toBe(0);
    } finally {
      await redis.restart();
    }
    for (const url of [stack.url, replicaB.url]) {
      await expect
        .poll(() => readyCache(url), { timeout: 10_000 })
        .toEqual({ enabled: true, store: 'redis', status: 'ok' });
    }
    stack.resetCounters();
    await stack.graphql(REFUNDS, { ids: [`wooshpay:${id}`] });
    await replicaB.graphql(REFUNDS, { ids: [`wooshpay:${id}`] });
    await stack.graphql(REFUNDS, { ids: [`wooshpay:${id}`] });
    expect(stack.simulators.wooshpay.requestCount(id)).toBe(1);
  });
});
