/**
 * Two replicas over a real Redis (Debian's redis-server): a change published on A reaches a
 * subscriber on B, once, even when both replicas see it; and after pub/sub was down, B re-reads
 * what it watches, so a change it missed meanwhile is still delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { RefundModel } from '../../src/domain/refund.js';
import { parseRefundId } from '../../src/providers/ids.js';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startReplica, type Replica } from '../helpers/replica.js';
import type { Stack } from '../helpers/stack.js';
import { REFUND_UPDATED, graphqlWsClient, nextOf, startLiveStack, subscribe } from './live-helpers.js';

const SETTLED = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy';

interface Watched {
  refundUpdated: { id: string; status: string; amount: { minorUnits: number } };
}

let redis: RedisServer;
let a: Stack;
let b: Replica;
let client: Client;

beforeAll(async () => {
  redis = await startRedisServer();
  // No poll during the test: only pub/sub (and the resync after it was down) can deliver.
  a = await startLiveStack(1500, { env: { REDIS_URL: redis.url, LIVE_POLL_INTERVAL_S: '3600' } });
  b = await startReplica(a, { REDIS_URL: redis.url });
  client = graphqlWsClient(b.url);
  await untilPubSub('ok');
});

afterAll(async () => {
  await client?.dispose();
  await b?.stop();
  await a?.stop();
  await redis?.stop();
});

/** Waits (bounded) until both replicas' pub/sub connections report `state`. */
async function untilPubSub(state: 'ok' | 'unavailable'): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (a.server.live.state().pubsub === state && b.server.live.state().pubsub === state) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Expected both replicas' pub/sub to be ${state}`);
}

async function read(id: string): Promise<RefundModel> {
  const [refund] = await a.server.refundCache.readMany([parseRefundId(id)], { requestId: 'test' });
  if (!refund || refund instanceof Error) throw new Error(`Expected refund ${id}, received ${String(refund)}`);
  return refund;
}

describe('two replicas over Redis', () => {
  it('delivers a change published on A to a subscriber on B once, even when B sees it too', async () => {
    const results = subscribe<Watched>(client, REFUND_UPDATED, { id: SETTLED });
    expect((await nextOf(results, 'the current state')).data?.refundUpdated.id).toBe(SETTLED);
    const refund = await read(SETTLED);
    const changed = { ...refund, amount: { ...refund.amount, minorUnits: 1999 } };
    a.server.live.refundChanged(changed);
    b.server.live.refundChanged(changed);
    a.server.live.refundChanged(changed);
    const next = await nextOf(results, 'the change from A');
    expect(next.data?.refundUpdated.amount.minorUnits).toBe(1999);
    // A later change from A is the very next event: the change above came once.
    a.server.live.refundChanged({ ...refund, amount: { ...refund.amount, minorUnits: 1998 } });
    expect((await nextOf(results, 'the marker')).data?.refundUpdated.amount.minorUnits).toBe(1998);
    await results.return?.();
  });

  it('re-reads every watched refund when pub/sub is back, delivering a change missed while it was down', async () => {
    const created = await a.graphql<{ createRefund: { refund: { id: string; status: string } } }>(CREATE_REFUND, {
      input: {
        provider: 'WOOSHPAY',
        paymentId: 'pi_1787730900000000001',
        amount: { minorUnits: 100, currencyCode: 'USD' },
        reason: 'REQUESTED_BY_CUSTOMER',
        idempotencyKey: 'live-replicas-resync-1',
      },
    });
    const id = created.body.data!.createRefund.refund.id;
    const results = subscribe<Watched>(client, REFUND_UPDATED, { id });
    expect((await nextOf(results, 'the current state')).data?.refundUpdated.status).toBe('PENDING');

    await redis.stop();
    await untilPubSub('unavailable');
    // The refund settles at the provider while pub/sub is down (the read does not publish here).
    for (let attempt = 0; attempt < 200 && (await read(id)).status !== 'SUCCEEDED'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await read(id)).status).toBe('SUCCEEDED');
    await redis.restart();

    const next = await nextOf(results, 'the settled state after the resync');
    expect(next.data?.refundUpdated).toMatchObject({ id, status: 'SUCCEEDED' });
    expect(b.logs.some((line) => line.event === 'live.pubsub_resync')).toBe(true);
    await results.return?.();
  });
});
