/**
 * Batching, as the providers see it (the simulators' own request logs): in one operation every
 * distinct refund costs exactly one GET, whatever id form or key shape asks for it; the GETs of a
 * batch start together, at most PROVIDER_CONCURRENCY at a time per provider across the whole
 * process; and sequential requests reuse keep-alive connections.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wooshPaySeedRefunds } from '../../src/providers/wooshpay/seed.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';
import { startStack, startTestSimulators, type Stack, type TestSimulators } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_GBP_FAILED,
  EFUNDPAY_JPY_DECLINED,
  EFUNDPAY_KWD_VOIDED,
  EFUNDPAY_UNKNOWN_STATUS,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_USD_DOCS_EXAMPLE,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

/** Request start times (ms), sorted. */
const startTimes = (sim: SimulatorHandle) => sim.requests.map((request) => request.at).sort((a, b) => a - b);

/**
 * The smallest gap between a request's start and the start `cap` requests later. With at most
 * `cap` requests in flight and every answer taking `latencyMs`, no `cap + 1` requests can start
 * within `latencyMs` of each other; load on the machine only widens the gaps.
 */
function minGapAcrossCap(times: number[], cap: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let index = 0; index + cap < times.length; index += 1) min = Math.min(min, times[index + cap]! - times[index]!);
  return min;
}

describe('one GET per distinct refund per operation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach(() => stack.resetCounters());

  it('dedupes global ids, bare ids, upper-case UUIDs, aliases, repeats in refunds and both entity key shapes', async () => {
    const upper = EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId.toUpperCase();
    const query = /* GraphQL */ `
      query ($representations: [_Any!]!) {
        a: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id }
        b: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}") { id status }
        c: refund(id: "${upper}") { id amount { decimal } }
        d: refund(id: "efundpay:${upper}") { id }
        e: refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.id}") { id }
        f: refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}") { providerStatus }
        g: refund(id: "${WOOSHPAY_NOT_SEEDED.providerRefundId}") { id }
        many: refunds(ids: [
          "${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}", "${upper}", "efundpay:${upper}",
          "${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}", "${WOOSHPAY_USD_DOCS_EXAMPLE.id}", "${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}",
          "${WOOSHPAY_NOT_SEEDED.providerRefundId}", "${WOOSHPAY_NOT_SEEDED.id}"
        ]) { id }
        _entities(representations: $representations) { ... on Refund { id } }
      }
    `;
    const representations = [
      { __typename: 'Refund', id: `efundpay:${upper}` },
      { __typename: 'Refund', provider: 'EFUNDPAY', providerRefundId: upper },
      { __typename: 'Refund', provider: 'WOOSHPAY', providerRefundId: WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId },
      { __typename: 'Refund', id: WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId },
    ];
    const { body } = await stack.graphql<Record<string, unknown>>(query, { representations });
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      a: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
      b: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id, status: 'SUCCEEDED' },
      c: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id, amount: { decimal: '12.99' } },
      d: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
      e: { id: WOOSHPAY_USD_DOCS_EXAMPLE.id },
      f: { providerStatus: 'succeeded' },
      g: null,
      _entities: [
        { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
        { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
        { id: WOOSHPAY_USD_DOCS_EXAMPLE.id },
        { id: WOOSHPAY_USD_DOCS_EXAMPLE.id },
      ],
    });
    expect((body.data as { many: unknown[] }).many).toHaveLength(8);

    expect(stack.simulators.efundpay.requests.map((request) => request.refundId)).toEqual([
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
    ]);
    expect(stack.simulators.wooshpay.requests.map((request) => request.refundId).sort()).toEqual(
      [WOOSHPAY_NOT_SEEDED.providerRefundId, WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId].sort(),
    );
  });

  it('costs one GET per distinct refund for a long refunds list with repeats', async () => {
    const distinct = wooshPaySeedRefunds.slice(0, 10).map((wire) => wire.id);
    const ids = [...distinct, ...distinct.map((id) => `wooshpay:${id}`), ...distinct.reverse()];
    const { body } = await stack.graphql<{ refunds: Array<{ id: string }> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      {
        ids,
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds).toHaveLength(30);
    expect(stack.simulators.wooshpay.requestCount()).toBe(10);
    for (const id of distinct) expect(stack.simulators.wooshpay.requestCount(id)).toBe(1);
  });

  it('does not cache across operations: each operation reads the provider afresh', async () => {
    const query = `{ refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { id } }`;
    await stack.graphql(query);
    await stack.graphql(query);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(2);
  });

  it('starts every GET of a batch together when under the cap (default 16)', async () => {
    const latencyMs = 400;
    stack.simulators.wooshpay.setLatency(latencyMs);
    try {
      const ids = wooshPaySeedRefunds.slice(0, 9).map((wire) => wire.id);
      const { body } = await stack.graphql<{ refunds: unknown[] }>(
        'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
        { ids },
      );
      expect(body.errors).toBeUndefined();
      const times = startTimes(stack.simulators.wooshpay);
      expect(times).toHaveLength(9);
      // All nine reached the provider before the first could have been answered.
      expect(times[8]! - times[0]!).toBeLessThan(latencyMs);
    } finally {
      stack.simulators.wooshpay.setLatency(0);
    }
  });
});

describe('the per-provider concurrency cap (PROVIDER_CONCURRENCY=3, 150 ms per answer)', () => {
  const CAP = 3;
  const LATENCY_MS = 150;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PROVIDER_CONCURRENCY: String(CAP) }, latencyMs: LATENCY_MS });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach(() => stack.resetCounters());

  it('sends 9 distinct refunds in at least 3 waves, never more than 3 starting within 100 ms', async () => {
    const ids = wooshPaySeedRefunds.slice(0, 9).map((wire) => wire.id);
    const { body } = await stack.graphql<{ refunds: Array<{ id: string }> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      {
        ids,
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds.map((refund) => refund.id)).toEqual(ids.map((id) => `wooshpay:${id}`));

    const times = startTimes(stack.simulators.wooshpay);
    expect(times).toHaveLength(9);
    expect(minGapAcrossCap(times, CAP)).toBeGreaterThanOrEqual(100);
    // Three waves: the 7th request cannot start before two answers have come back in turn.
    expect(times[6]! - times[0]!).toBeGreaterThanOrEqual(2 * 100);
  });

  it('shares the cap between concurrent operations in the process', async () => {
    const seeds = wooshPaySeedRefunds.map((wire) => wire.id);
    const first = seeds.slice(0, 6);
    const second = seeds.slice(6, 12);
    const query = 'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }';
    const [a, b] = await Promise.all([stack.graphql(query, { ids: first }), stack.graphql(query, { ids: second })]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();

    const times = startTimes(stack.simulators.wooshpay);
    expect(times).toHaveLength(12);
    expect(minGapAcrossCap(times, CAP)).toBeGreaterThanOrEqual(100);
  });

  it('caps each provider separately: both still get their own 3 at a time', async () => {
    const wooshpayIds = wooshPaySeedRefunds.slice(0, 6).map((wire) => wire.id);
    const efundpayIds = [
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      EFUNDPAY_USD_PROCESSING.providerRefundId,
      EFUNDPAY_GBP_FAILED.providerRefundId,
      EFUNDPAY_JPY_DECLINED.providerRefundId,
      EFUNDPAY_KWD_VOIDED.providerRefundId,
      EFUNDPAY_UNKNOWN_STATUS.providerRefundId,
    ];
    const { body } = await stack.graphql('query ($ids: [ID!]!) { refunds(ids: $ids) { id } }', {
      ids: [...wooshpayIds, ...efundpayIds],
    });
    expect(body.errors).toBeUndefined();
    for (const sim of [stack.simulators.wooshpay, stack.simulators.efundpay]) {
      const times = startTimes(sim);
      expect(times).toHaveLength(6);
      expect(minGapAcrossCap(times, CAP)).toBeGreaterThanOrEqual(100);
    }
    // The first wave of each provider starts together: one provider does not wait for the other's slots.
    const firstWave = [
      ...startTimes(stack.simulators.wooshpay).slice(0, CAP),
      ...startTimes(stack.simulators.efundpay).slice(0, CAP),
    ].sort((x, y) => x - y);
    expect(firstWave[firstWave.length - 1]! - firstWave[0]!).toBeLessThan(LATENCY_MS);
  });
});

/** A TCP pass-through in front of a simulator that counts the connections made through it. */
async function startConnectionCounter(
  target: URL,
): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('keep-alive', () => {
  let simulators: TestSimulators;
  let simulator: SimulatorHandle;
  let counter: Awaited<ReturnType<typeof startConnectionCounter>>;
  let stack: Stack;
  beforeAll(async () => {
    simulators = await startTestSimulators();
    simulator = simulators.simulators.wooshpay;
    counter = await startConnectionCounter(new URL(simulator.origin));
    stack = await startStack({ simulators, env: { WOOSHPAY_BASE_URL: counter.url } });
  });
  afterAll(async () => {
    await stack?.stop();
    await counter?.close();
    await simulators?.close();
  });

  it('reuses one provider connection for many sequential requests', async () => {
    const requests = 20;
    for (let index = 0; index < requests; index += 1) {
      const { body } = await stack.graphql<{ refund: { id: string } }>(
        `{ refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { id } }`,
      );
      expect(body.data?.refund.id).toBe(WOOSHPAY_USD_SPEC_EXAMPLE.id);
    }
    expect(simulator.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(requests);
    // A fresh connection per request would be 20; allow one reconnect for an idle timeout on a slow machine.
    expect(counter.connections()).toBeLessThanOrEqual(2);
  });
});
