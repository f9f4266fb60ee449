/**
 * Adaptive concurrency against a provider with room for 50 requests at a time (the simulator
 * answers 429 to any request beyond that): the subgraph's limit for that provider, read from
 * /metrics while the load runs, settles below 50, and every operation is still answered in full
 * (the 429s it ran into were retried).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wooshPaySeedRefunds } from '../../src/providers/wooshpay/seed.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { parseExposition } from '../ops/prometheus-text.js';

const PROVIDER_ROOM = 50;
/** Operations in flight at once, each asking for every seeded WooshPay refund: well over 50 GETs. */
const CLIENTS = 8;
const ROUNDS = 15;
const IDS = wooshPaySeedRefunds.map((wire) => `wooshpay:${wire.id}`);
const REFUNDS = 'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }';
const LIMIT_SAMPLE = 'refunds_provider_concurrency_limit{provider="WOOSHPAY"}';

describe(`adaptive concurrency against a provider with room for ${PROVIDER_ROOM} requests`, () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      // Long enough that a request spends most of its round trip at the provider even on a busy
      // machine: the provider then sees about as many in flight as the subgraph counts, so the
      // room it enforces is the room the limit learns (at 20 ms, CPU contention on the client side
      // hid part of the concurrency from the provider, and the limit crept up to and past 50).
      latencyMs: 80,
      env: {
        // Unset: the limit adapts, from 32.
        PROVIDER_CONCURRENCY: undefined,
        // Room for a busy test machine: the point is the limit, not the deadline.
        PROVIDER_ATTEMPT_TIMEOUT_MS: '10000',
        // More attempts than the default 3, so a busy test machine, whose round trips are slow to
        // bring the limit down, cannot exhaust a call's retries while the limit is still coming down.
        PROVIDER_MAX_RETRIES: '5',
        PROVIDER_DEADLINE_MS: '30000',
      },
    });
    stack.simulators.wooshpay.injectFault('*', { kind: 'concurrency', max: PROVIDER_ROOM });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const currentLimit = async (): Promise<number> => {
    const response = await fetch(`${stack.url}/metrics`);
    const value = parseExposition(await response.text()).samples.get(LIMIT_SAMPLE);
    if (value === undefined) throw new Error(`Expected ${LIMIT_SAMPLE} in /metrics, found none`);
    return value;
  };

  it('settles below 50 with no failed operation', async () => {
    expect(IDS.length * CLIENTS).toBeGreaterThan(2 * PROVIDER_ROOM);
    expect(await currentLimit()).toBe(32);

    const limits: number[] = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        limits.push(await currentLimit());
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const failures: string[] = [];
    const client = async () => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const { status, body } = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(REFUNDS, { ids: IDS });
        const served = body.data?.refunds.filter((refund) => refund !== null).length ?? 0;
        if (status !== 200 || body.errors !== undefined || served !== IDS.length) {
          failures.push(`status ${status}, ${served} of ${IDS.length} served, errors ${JSON.stringify(body.errors)}`);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: CLIENTS }, client));
    } finally {
      running = false;
      await sampler;
    }

    expect(failures).toEqual([]);
    // The provider did push back: the limit went above its room at some point and learned from it.
    expect(stack.simulators.wooshpay.responseCount(429)).toBeGreaterThan(0);
    // The last third of the run: past the first overshoot and its corrections.
    const settled = limits.slice(Math.floor((limits.length * 2) / 3)).sort((a, b) => a - b);
    expect(settled.length).toBeGreaterThan(10);
    expect(settled[Math.floor(settled.length / 2)]).toBeLessThan(PROVIDER_ROOM);
    // It probes above the room by a slot or two at most before backing off again.
    expect(settled.at(-1)).toBeLessThanOrEqual(PROVIDER_ROOM + 3);
  });
});
