/**
 * The process's one Redis connection, against Debian's real redis-server: the refund cache, the
 * idempotency records and the provider budgets all go through it (CLIENT LIST shows one command
 * client, beside the one pub/sub connection live status needs),
 * /ready reports it once, and a two-minute outage writes at most two warn lines.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { useStack } from '../helpers/stack.js';

const REFUNDS = `query ($ids: [ID!]!) { refunds(ids: $ids) { id status } }`;
const IDS = ['wooshpay:re_1787731200000000001', 'efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211'];

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

/** The clients connected to the server, less the one asking, split into command and pub/sub connections. */
async function otherClients(url: string): Promise<{ commands: string[]; pubsub: string[] }> {
  const inspector = createClient({ url });
  await inspector.connect();
  try {
    const own = await inspector.clientId();
    const others = (await inspector.clientList()).filter((client) => Number(client.id) !== own);
    const subscribed = (client: (typeof others)[number]) => Number(client.sub) > 0 || Number(client.psub) > 0;
    return {
      commands: others.filter((client) => !subscribed(client)).map((client) => client.addr),
      pubsub: others.filter(subscribed).map((client) => client.addr),
    };
  } finally {
    await inspector.close();
  }
}

describe('one Redis connection per process', () => {
  const stack = useStack({
    env: {
      CACHE_ENABLED: 'true',
      get REDIS_URL() {
        return redis.url;
      },
      REDIS_TIMEOUT_MS: '1000',
      // A budget, so the provider budgets use Redis too.
      WOOSHPAY_MAX_REQUESTS_PER_S: '100',
    },
  });

  it('serves the cache, the idempotency records and the budgets over one client', async () => {
    await vi.waitFor(async () => {
      const ready = (await (await fetch(`${stack.url}/ready`)).json()) as { redis: { status: string } };
      expect(ready.redis.status).toBe('ok');
    });
    const read = await stack.graphql(REFUNDS, { ids: IDS });
    expect(read.body.errors).toBeUndefined();
    const created = await stack.graphql<{ createRefund: { __typename: string } }>(CREATE_REFUND, {
      input: {
        provider: 'WOOSHPAY',
        paymentId: 'pi_1787730900000000001',
        amount: { minorUnits: 100, currencyCode: 'USD' },
        reason: 'REQUESTED_BY_CUSTOMER',
        idempotencyKey: 'one-connection-1',
      },
    });
    expect(created.body.data?.createRefund.__typename).toBe('RefundCreated');
    // Each use left its keys behind: the cache entries, the idempotency record, the budget counter.
    const inspector = createClient({ url: redis.url });
    await inspector.connect();
    const keys = await inspector.keys('*');
    await inspector.close();
    expect(keys.some((key) => key.startsWith('refunds:v'))).toBe(true);
    expect(keys.some((key) => key.includes('idem'))).toBe(true);
    expect(keys.some((key) => key.startsWith('refunds:budget'))).toBe(true);
    // One connection for every command, and the one dedicated pub/sub connection of live status.
    const clients = await otherClients(redis.url);
    expect(clients.commands).toHaveLength(1);
    expect(clients.pubsub).toHaveLength(1);
  });

  it('/ready reports Redis once, with what uses it', async () => {
    const ready = (await (await fetch(`${stack.url}/ready`)).json()) as Record<string, unknown>;
    expect(ready.redis).toEqual({ status: 'ok', usedBy: ['cache', 'idempotency', 'budgets', 'live'] });
    expect(ready.idempotency).toEqual({ store: 'redis' });
  });

  it('writes at most 2 warn lines over a two-minute outage, whoever meets it, and one info line when Redis is back', async () => {
    const before = stack.logs.length;
    await redis.stop();
    // Only Date moves: node-redis keeps reconnecting on real timers while two minutes pass.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // Two minutes from the first failure: the clock ends just short of 120 s after it.
      for (let second = 5; second < 120; second += 5) {
        vi.setSystemTime(Date.now() + 5000);
        await stack.graphql(REFUNDS, { ids: IDS });
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    } finally {
      vi.useRealTimers();
    }
    const lines = stack.logs.slice(before);
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(2);
    expect(warnings.every((line) => line.event === 'cache.store_unavailable')).toBe(true);
    await redis.restart();
    await vi.waitFor(() => expect(stack.logs.some((line) => line.event === 'redis.connected')).toBe(true), {
      timeout: 10_000,
    });
  });
});
