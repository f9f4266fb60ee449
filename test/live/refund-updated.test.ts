/**
 * refundUpdated and paymentRefundsUpdated over a real WebSocket, with the graphql-ws client, against
 * the sandbox simulators: a created refund is watched from PENDING to SUCCEEDED (driven by the live
 * poller: webhooks are not configured here), one change is delivered once, and bad ids fail only
 * their own subscription.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { RefundModel } from '../../src/domain/refund.js';
import { parseRefundId } from '../../src/providers/ids.js';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import type { Stack } from '../helpers/stack.js';
import {
  PAYMENT_REFUNDS_UPDATED,
  REFUND_UPDATED,
  graphqlWsClient,
  nextOf,
  startLiveStack,
  subscribe,
} from './live-helpers.js';

const PAYMENT = 'pi_1787730900000000001'; // USD 100.00, nothing refunded
const SETTLED = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy'; // succeeded, 2000 USD

interface Watched {
  refundUpdated: { id: string; status: string; providerStatus: string; amount: { minorUnits: number } };
}

let stack: Stack;
let client: Client;

beforeAll(async () => {
  // Long enough to subscribe while the refund is still pending; the poll re-reads every second.
  stack = await startLiveStack(3000, { env: { LIVE_POLL_INTERVAL_S: '1' } });
  client = graphqlWsClient(stack.url);
});

afterAll(async () => {
  await client?.dispose();
  await stack?.stop();
});

async function createRefund(key: string): Promise<string> {
  const response = await stack.graphql<{ createRefund: { refund: { id: string; status: string } } }>(CREATE_REFUND, {
    input: {
      provider: 'WOOSHPAY',
      paymentId: PAYMENT,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'REQUESTED_BY_CUSTOMER',
      idempotencyKey: key,
    },
  });
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data?.createRefund.refund.status).toBe('PENDING');
  return response.body.data!.createRefund.refund.id;
}

async function read(id: string): Promise<RefundModel> {
  const [refund] = await stack.server.refundCache.readMany([parseRefundId(id)], { requestId: 'test' });
  if (!refund || refund instanceof Error) throw new Error(`Expected refund ${id}, received ${String(refund)}`);
  return refund;
}

describe('refundUpdated', () => {
  it('starts with the current state of a created refund and delivers SUCCEEDED when the poll sees it settle', async () => {
    const id = await createRefund('live-poll-settle-1');
    const results = subscribe<Watched>(client, REFUND_UPDATED, { id });

    const first = await nextOf(results, 'the current state');
    expect(first.errors).toBeUndefined();
    expect(first.data?.refundUpdated).toMatchObject({ id, status: 'PENDING', providerStatus: 'pending' });

    const second = await nextOf(results, 'the settled state');
    expect(second.data?.refundUpdated).toMatchObject({ id, status: 'SUCCEEDED', providerStatus: 'succeeded' });
    await results.return?.();
  });

  it('delivers one change once, however often it is seen, and a later change after it', async () => {
    const results = subscribe<Watched>(client, REFUND_UPDATED, { id: SETTLED });
    const first = await nextOf(results, 'the current state');
    expect(first.data?.refundUpdated).toMatchObject({ id: SETTLED, status: 'SUCCEEDED' });

    const refund = await read(SETTLED);
    // The same state again, from every source: a poll round, the change callback twice.
    await stack.server.live.poll();
    stack.server.live.refundChanged(refund);
    stack.server.live.refundChanged({ ...refund });
    // Then a real change (the amount): it must be the very next event.
    const changed = { ...refund, amount: { ...refund.amount, minorUnits: refund.amount.minorUnits - 1 } };
    stack.server.live.refundChanged(changed);
    stack.server.live.refundChanged(changed);

    const next = await nextOf(results, 'the changed amount');
    expect(next.data?.refundUpdated.amount.minorUnits).toBe(refund.amount.minorUnits - 1);
    // And back: a change again, delivered; the repeats above were not.
    stack.server.live.refundChanged(refund);
    const back = await nextOf(results, 'the amount changed back');
    expect(back.data?.refundUpdated.amount.minorUnits).toBe(refund.amount.minorUnits);
    await results.return?.();
  });

  it('fails a bad id with BAD_USER_INPUT on that subscription alone; the connection keeps serving', async () => {
    const bad = subscribe(client, REFUND_UPDATED, { id: 'nope:1' });
    const failed = await nextOf(bad, 'the error');
    expect(failed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(failed.errors?.[0]?.message).toContain('Invalid refund id');

    const good = subscribe<Watched>(client, REFUND_UPDATED, { id: SETTLED });
    expect((await nextOf(good, 'the current state')).data?.refundUpdated.id).toBe(SETTLED);
    await good.return?.();
  });

  it('fails an unknown refund with BAD_USER_INPUT', async () => {
    const results = subscribe(client, REFUND_UPDATED, { id: 'wooshpay:re_doesnotexist000' });
    const failed = await nextOf(results, 'the error');
    expect(failed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(failed.errors?.[0]?.message).toContain('has none with this id');
  });
});

describe('paymentRefundsUpdated', () => {
  it('starts with nothing and delivers each refund of the payment as it changes, by global or bare payment id', async () => {
    const global = subscribe<{ paymentRefundsUpdated: { id: string; status: string } }>(
      client,
      PAYMENT_REFUNDS_UPDATED,
      { paymentId: `wooshpay:${PAYMENT}` },
    );
    const bare = subscribe<{ paymentRefundsUpdated: { id: string; status: string } }>(client, PAYMENT_REFUNDS_UPDATED, {
      paymentId: PAYMENT,
    });
    const other = subscribe(client, PAYMENT_REFUNDS_UPDATED, { paymentId: 'pi_1787730900000000007' });
    const id = await createRefund('live-payment-watch-1');
    // The composition root's change callback, as createRefund's ledger write will call it.
    const created = await read(id);
    // Until the first event arrives the subscriptions may still be starting: offer it until one lands.
    const firstGlobal = global.next();
    const firstBare = bare.next();
    for (let attempt = 0; attempt < 50; attempt += 1) {
      stack.server.live.refundChanged({ ...created, amount: { ...created.amount, minorUnits: 100 + attempt } });
      const landed = await Promise.race([
        firstGlobal.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
      ]);
      if (landed) break;
    }
    const fromGlobal = await firstGlobal;
    const fromBare = await firstBare;
    expect(fromGlobal.value).toMatchObject({ data: { paymentRefundsUpdated: { id } } });
    expect(fromBare.value).toMatchObject({ data: { paymentRefundsUpdated: { id } } });

    // The refund is pending: the payment watch polls it, and its settling is delivered.
    let settled = false;
    for (let event = 0; event < 60 && !settled; event += 1) {
      const next = await nextOf(global, 'the refund settling');
      settled = next.data?.paymentRefundsUpdated.status === 'SUCCEEDED';
    }
    expect(settled).toBe(true);
    await Promise.all([global.return?.(), bare.return?.(), other.return?.()]);
  });

  it('fails a bad payment id with BAD_USER_INPUT on that subscription alone', async () => {
    const bad = subscribe(client, PAYMENT_REFUNDS_UPDATED, { paymentId: 'ch_123' });
    const failed = await nextOf(bad, 'the error');
    expect(failed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(failed.errors?.[0]?.message).toContain('Invalid payment id');
    const good = subscribe(client, REFUND_UPDATED, { id: SETTLED });
    expect((await nextOf(good, 'the current state')).errors).toBeUndefined();
    await good.return?.();
  });
});

describe('over HTTP', () => {
  it('refuses a subscription with 400 BAD_REQUEST naming the WebSocket endpoint', async () => {
    const response = await stack.graphql(REFUND_UPDATED, { id: SETTLED });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('served over WebSocket') as unknown,
      extensions: { code: 'BAD_REQUEST' },
    });
  });
});

describe('refundUpdated driven by the simulator’s webhook', () => {
  let own: Stack;
  let ownClient: Client;

  beforeAll(async () => {
    // No poll during the test (one an hour): only the webhook can deliver the settled state.
    own = await startLiveStack(1500, { env: { LIVE_POLL_INTERVAL_S: '3600' } });
    for (const [prefix, handle] of Object.entries(own.simulators)) {
      handle.webhooks?.setTarget(`${own.url}/webhooks/${prefix}`);
    }
    ownClient = graphqlWsClient(own.url);
  });

  afterAll(async () => {
    await ownClient?.dispose();
    await own?.stop();
  });

  it('delivers SUCCEEDED when the simulator’s signed webhook reports the refund settled', async () => {
    const response = await own.graphql<{ createRefund: { refund: { id: string; status: string } } }>(CREATE_REFUND, {
      input: {
        provider: 'WOOSHPAY',
        paymentId: PAYMENT,
        amount: { minorUnits: 100, currencyCode: 'USD' },
        reason: 'REQUESTED_BY_CUSTOMER',
        idempotencyKey: 'live-webhook-settle-1',
      },
    });
    const id = response.body.data!.createRefund.refund.id;
    const results = subscribe<Watched>(ownClient, REFUND_UPDATED, { id });
    expect((await nextOf(results, 'the current state')).data?.refundUpdated.status).toBe('PENDING');
    const settled = await nextOf(results, 'the settled state');
    expect(settled.data?.refundUpdated).toMatchObject({ id, status: 'SUCCEEDED' });
    expect(own.logs.some((line) => typeof line.event === 'string' && line.event.startsWith('webhook'))).toBe(true);
    await results.return?.();
  });
});
