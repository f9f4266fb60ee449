/**
 * At most once across replicas: two subgraph processes' worth of servers (each with its own
 * provider clients and its own store client) in front of the same simulators. Over one real
 * redis-server, concurrent identical calls spread over both make exactly one provider POST. Without
 * Redis each replica has its own records, and the provider-level key still makes a repeat on the
 * other replica land on the same refund. When the store cannot answer, nothing is refunded.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app/start-app.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { wooshPayRefundsOf } from '../helpers/wooshpay-ledger.js';

const WOOSHPAY_PAYMENT = 'pi_1787730900000000002'; // EUR 80.00
const EFUNDPAY_TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a61'; // EUR 80.00
const WEBHOOK = { EFUNDPAY_REFUND_WEBHOOK_URL: 'https://shop.example.com/webhooks/efundpay' };

interface Result {
  payload: { __typename: string; replayed?: boolean; refund?: { id: string } } | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function createRefund(baseUrl: string, input: Record<string, unknown>): Promise<Result> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: CREATE_REFUND, variables: { input } }),
  });
  const body = (await response.json()) as { data?: { createRefund: Result['payload'] }; errors?: Result['errors'] };
  return { payload: body.data?.createRefund ?? null, ...(body.errors ? { errors: body.errors } : {}) };
}

async function secondReplica(stack: Stack): Promise<{ server: RunningApp; url: string }> {
  const server = await startApp(stack.config, { logger: createLogger({ ...stack.config, logLevel: 'silent' }) });
  return { server, url: `http://127.0.0.1:${server.port}` };
}

const inputs = () => [
  {
    provider: 'WOOSHPAY',
    paymentId: WOOSHPAY_PAYMENT,
    amount: { minorUnits: 100, currencyCode: 'EUR' },
    reason: 'DUPLICATE',
    idempotencyKey: `replica-${randomUUID()}`,
  },
  {
    provider: 'EFUNDPAY',
    paymentId: EFUNDPAY_TRANSACTION,
    amount: { minorUnits: 100, currencyCode: 'EUR' },
    reason: 'DUPLICATE',
    idempotencyKey: `replica-${randomUUID()}`,
  },
];

describe('two replicas over one redis-server', () => {
  let redis: RedisServer;
  let stack: Stack;
  let other: { server: RunningApp; url: string };
  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startStack({ env: { ...WEBHOOK, REDIS_URL: redis.url } });
    other = await secondReplica(stack);
  });
  afterAll(async () => {
    await other?.server.stop();
    await stack?.stop();
    await redis?.stop();
  });

  it.each([0, 1])(
    'concurrent identical calls on both replicas make exactly one provider POST (input %i)',
    async (which) => {
      const input = inputs()[which]!;
      const simulator = which === 0 ? stack.simulators.wooshpay : stack.simulators.efundpay;
      const key = which === 0 ? WOOSHPAY_PAYMENT : EFUNDPAY_TRANSACTION;
      simulator.injectFault(key, { kind: 'latency', ms: 300, method: 'POST', times: 1 });
      const before = simulator.requestCount(key, 'POST');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, index) => createRefund(index % 2 === 0 ? stack.url : other.url, input)),
      );
      expect(simulator.requestCount(key, 'POST') - before).toBe(1);
      expect(results.every((result) => result.payload?.__typename === 'RefundCreated')).toBe(true);
      expect(new Set(results.map((result) => result.payload?.refund?.id)).size).toBe(1);
      expect(results.filter((result) => result.payload?.replayed === false)).toHaveLength(1);
    },
  );

  it('a store that cannot answer is never "no record": IDEMPOTENCY_STORE_UNAVAILABLE and no provider call', async () => {
    redis.pause();
    try {
      stack.resetCounters();
      const result = await createRefund(stack.url, inputs()[0]!);
      expect(result.payload).toBeNull();
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'IDEMPOTENCY_STORE_UNAVAILABLE' });
      expect(stack.providerCalls()).toBe(0);
    } finally {
      redis.resume();
    }
  });
});

describe('two replicas without Redis (each with its own records)', () => {
  let stack: Stack;
  let other: { server: RunningApp; url: string };
  beforeAll(async () => {
    stack = await startStack({ env: WEBHOOK });
    other = await secondReplica(stack);
  });
  afterAll(async () => {
    await other?.server.stop();
    await stack?.stop();
  });

  it('a repeat on the other replica lands on the same WooshPay refund (same Idempotency-Key)', async () => {
    const input = inputs()[0]!;
    const first = await createRefund(stack.url, input);
    const second = await createRefund(other.url, input);
    for (const result of [first, second]) {
      expect(result.errors).toBeUndefined();
      expect(result.payload?.__typename).toBe('RefundCreated');
    }
    const id = first.payload?.refund?.id;
    expect(id).toMatch(/^wooshpay:re_/);
    expect(second.payload?.refund?.id).toBe(id);
    // WooshPay holds that one refund for the payment: the repeat was answered, not made again.
    const held = await wooshPayRefundsOf(stack.simulators.wooshpay, stack.env.WOOSHPAY_SECRET_KEY!, WOOSHPAY_PAYMENT);
    expect(held.map((refund) => `wooshpay:${refund.id}`)).toEqual([id]);
  });

  it('a repeat on the other replica resolves efundpay duplicate_record to the same refund, marked replayed', async () => {
    const input = inputs()[1]!;
    const first = await createRefund(stack.url, input);
    const before = stack.simulators.efundpay.responseCount(409);
    const second = await createRefund(other.url, input);
    expect(stack.simulators.efundpay.responseCount(409) - before).toBe(1);
    expect(second.payload).toEqual({ ...first.payload, replayed: true });
  });
});
