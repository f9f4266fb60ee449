/**
 * `<PROVIDER>_MAX_REQUESTS_PER_S`: calls over budget wait for a slot within their deadline, else
 * PROVIDER_RATE_LIMITED; with REDIS_URL the budget holds across replicas (Debian's redis-server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startReplica, type Replica } from '../helpers/replica.js';
import { useStack } from '../helpers/stack.js';
import { parseExposition } from '../ops/prometheus-text.js';

const IDS = [1, 2, 3, 4, 5, 6].map((n) => `wooshpay:re_178773120000000000${n}`);
const EFUNDPAY_IDS = ['efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211', 'efundpay:996cf7e1-00b1-4bf0-b91a-e307c08f1996'];
const REFUNDS = `query ($ids: [ID!]!) { refunds(ids: $ids) { id } }`;
/**
 * The simulator stamps a request when it arrives, a little after the budget let it start (later
 * still when that call opens a connection). Each window is shortened by this much to allow for it.
 */
const ARRIVAL_JITTER_MS = 100;

/** The most starts (sorted epoch ms) that fall within any window of `windowMs`, over every window. */
function busiestWindow(sortedTimes: readonly number[], windowMs: number): number {
  let busiest = 0;
  let first = 0;
  for (let last = 0; last < sortedTimes.length; last += 1) {
    while (sortedTimes[last]! - sortedTimes[first]! >= windowMs) first += 1;
    busiest = Math.max(busiest, last - first + 1);
  }
  return busiest;
}

describe('WOOSHPAY_MAX_REQUESTS_PER_S=2, in process', () => {
  const stack = useStack({ env: { WOOSHPAY_MAX_REQUESTS_PER_S: '2', PROVIDER_DEADLINE_MS: '5000' } });

  it('spreads the calls over the budget: all answered, never more than 2 started per second', async () => {
    // A read from the provider without a budget first, so the HTTP path is warm and the simulator
    // stamps the budgeted calls close to the moment the budget let them start.
    expect((await stack.graphql(REFUNDS, { ids: [EFUNDPAY_IDS[0]] })).body.errors).toBeUndefined();
    stack.resetCounters();
    const result = await stack.graphql<{ refunds: Array<{ id: string }> }>(REFUNDS, { ids: IDS });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.refunds.map((refund) => refund.id)).toEqual(IDS);
    const times = stack.simulators.wooshpay.requests.map((request) => request.at).sort((a, b) => a - b);
    expect(times).toHaveLength(6);
    // Every one-second window holds at most 2 starts: any 3 consecutive starts span a second or more.
    expect(busiestWindow(times, 1000 - ARRIVAL_JITTER_MS)).toBeLessThanOrEqual(2);
    const metrics = parseExposition(await (await fetch(`${stack.url}/metrics`)).text()).samples;
    expect(metrics.get('refunds_provider_budget_waits_total{provider="WOOSHPAY"}')).toBeGreaterThanOrEqual(4);
  });

  it('leaves the other provider alone (no budget set for efundpay)', async () => {
    const result = await stack.graphql(REFUNDS, { ids: EFUNDPAY_IDS });
    expect(result.body.errors).toBeUndefined();
    const metrics = parseExposition(await (await fetch(`${stack.url}/metrics`)).text()).samples;
    expect(metrics.get('refunds_provider_budget_waits_total{provider="EFUNDPAY"}') ?? 0).toBe(0);
  });
});

describe('over budget past the deadline', () => {
  const stack = useStack({
    env: { WOOSHPAY_MAX_REQUESTS_PER_S: '1', PROVIDER_DEADLINE_MS: '400', PROVIDER_ATTEMPT_TIMEOUT_MS: '400' },
  });

  it('fails the refunds that find no slot before their deadline with PROVIDER_RATE_LIMITED, without calling WooshPay for them', async () => {
    const result = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(REFUNDS, { ids: IDS.slice(0, 3) });
    expect(result.body.data!.refunds.filter((refund) => refund !== null)).toHaveLength(1);
    expect(result.body.errors).toHaveLength(2);
    for (const error of result.body.errors!) {
      expect(error.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', provider: 'WOOSHPAY' });
      expect(error.message).toMatch(/^WooshPay: over this subgraph's request budget \(WOOSHPAY_MAX_REQUESTS_PER_S=1\)/);
    }
    expect(stack.simulators.wooshpay.requestCount()).toBe(1);
  });
});

describe('a budget shared by two replicas over one Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const env = () => ({
    REDIS_URL: redis.url,
    WOOSHPAY_MAX_REQUESTS_PER_S: '2',
    PROVIDER_DEADLINE_MS: '500',
    PROVIDER_ATTEMPT_TIMEOUT_MS: '500',
  });
  const stack = useStack({
    env: {
      get REDIS_URL() {
        return redis.url;
      },
      WOOSHPAY_MAX_REQUESTS_PER_S: '2',
      PROVIDER_DEADLINE_MS: '500',
      PROVIDER_ATTEMPT_TIMEOUT_MS: '500',
      CACHE_ENABLED: 'true',
    },
  });
  let replicaB: Replica;
  beforeAll(async () => {
    replicaB = await startReplica(stack, { ...env(), CACHE_ENABLED: 'true' });
  });
  afterAll(async () => {
    await replicaB?.stop();
  });

  it('lets both replicas together make no more than the budget', async () => {
    // Until its Redis connection is up a replica counts its budget in process: wait until both
    // report that connection (the one the budgets count on) up on /ready.
    for (const url of [stack.url, replicaB.url]) {
      await expect
        .poll(
          async () => ((await (await fetch(`${url}/ready`)).json()) as { redis?: { status?: string } }).redis?.status,
          { timeout: 5000 },
        )
        .toBe('ok');
    }
    const [a, b] = await Promise.all([
      stack.graphql(REFUNDS, { ids: IDS.slice(0, 3) }),
      replicaB.graphql(REFUNDS, { ids: IDS.slice(3, 6) }),
    ]);
    const errors = [...(a.body.errors ?? []), ...(b.body.errors ?? [])];
    expect(errors.map((error) => error.extensions?.code)).toEqual(Array(4).fill('PROVIDER_RATE_LIMITED'));
    expect(stack.simulators.wooshpay.requestCount()).toBe(2);
  });
});
