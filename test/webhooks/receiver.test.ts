/**
 * The webhook receiver over real HTTP: signed events from the real simulators, the real provider
 * clients re-reading refunds, and the real ledger on node:sqlite. Good events are recorded, answered
 * and processed; bad ones are refused with nothing recorded; replays and old events change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wooshPaySignature } from '../../src/providers/wooshpay/webhook.js';
import { startWebhookStack, type WebhookStack } from './webhook-stack.js';

const SEEDED_SUCCEEDED = 're_1787731200000000001';
const EFUNDPAY_DASHBOARD_REFUND = '6a1d4e46-14ed-4fe1-a45f-eff4e025d211';

/** Polls until `check` passes or the time is up (then its last failure is thrown). */
async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The events still unprocessed that name this refund (in the events of this file's ledger). */
async function unprocessedEvents(stack: WebhookStack, providerRefundId: string) {
  const events = await stack.ledger.claimPendingEvents(1000, new Date(Date.now() + 60_000));
  return events.filter((event) => event.providerRefundId === providerRefundId);
}

describe('webhooks over HTTP', () => {
  let stack: WebhookStack;
  beforeAll(async () => {
    stack = await startWebhookStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('records a signed WooshPay event, answers 2xx, then re-reads the refund and records it', async () => {
    stack.simulators.wooshpay.resetRequests();
    expect(await stack.webhooks('wooshpay').send(SEEDED_SUCCEEDED)).toBe(true);
    await stack.receiver.idle();
    const [row] = await stack.ledger.getMany([{ provider: 'WOOSHPAY', providerRefundId: SEEDED_SUCCEEDED }]);
    expect(row).toMatchObject({ status: 'SUCCEEDED', learntFrom: 'webhook', paymentId: 'pi_1787730829493927936' });
    // The state came from a re-read, not from the body.
    expect(stack.simulators.wooshpay.requestCount(SEEDED_SUCCEEDED, 'GET')).toBe(1);
    expect(await unprocessedEvents(stack, SEEDED_SUCCEEDED)).toEqual([]);
    expect(stack.refreshes.at(-1)?.refund.providerRefundId).toBe(SEEDED_SUCCEEDED);
    expect(stack.logs.some((line) => line.msg === 'Webhook event processed' && line.provider === 'WOOSHPAY')).toBe(
      true,
    );
  });

  it('a created refund is told by the simulator when it settles, and the ledger follows', async () => {
    const secretKey = stack.env.WOOSHPAY_SECRET_KEY!;
    const response = await fetch(`${stack.simulators.wooshpay.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ payment_intent: 'pi_1787730900000000001', amount: '700' }),
    });
    const created = (await response.json()) as { id: string; status: string };
    expect(created.status).toBe('pending');
    await eventually(async () => {
      const [row] = await stack.ledger.getMany([{ provider: 'WOOSHPAY', providerRefundId: created.id }]);
      expect(row).toMatchObject({ status: 'SUCCEEDED', learntFrom: 'webhook', amountMinor: 700 });
    });
    expect(stack.webhooks('wooshpay').deliveries.filter((delivery) => delivery.refundId === created.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: 200, accepted: true }),
    ]);
  });

  it('efundpay: a dashboard refund the subgraph never saw is found through the transaction and recorded', async () => {
    expect(await stack.webhooks('efundpay').send(EFUNDPAY_DASHBOARD_REFUND)).toBe(true);
    await stack.receiver.idle();
    const [row] = await stack.ledger.getMany([{ provider: 'EFUNDPAY', providerRefundId: EFUNDPAY_DASHBOARD_REFUND }]);
    expect(row).toMatchObject({ status: 'SUCCEEDED', learntFrom: 'webhook', amountMinor: 1299, currencyCode: 'EUR' });
  });

  it('efundpay answers exactly {"code":"200","message":"SUCCESS"}, and a created refund settles through its notification', async () => {
    const transactionId = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60';
    const response = await fetch(`${stack.simulators.efundpay.url}/transactions/${transactionId}/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.env.EFUNDPAY_API_KEY!}`,
        'x-merchant-account-id': 'default',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        amount: 500,
        currency: 'USD',
        reason: 'Requested by the customer',
        external_identifier: 'webhook-test-1',
        webhooks_url: 'https://shop.example.com/webhooks/efundpay',
      }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string };
    await eventually(async () => {
      const [row] = await stack.ledger.getMany([{ provider: 'EFUNDPAY', providerRefundId: created.id }]);
      expect(row).toMatchObject({ status: 'SUCCEEDED', learntFrom: 'webhook' });
    });
    // The simulator retries anything but the exact answer, so one accepted attempt proves it.
    expect(stack.webhooks('efundpay').deliveries.filter((delivery) => delivery.refundId === created.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: 200, accepted: true }),
    ]);
  });

  it('refuses a bad signature with 400 and records nothing, in one warn line without the body', async () => {
    const body = JSON.stringify({
      id: 'evt_forged',
      type: 'charge.refund.updated',
      data: { object: { id: 're_1787731200000000002', status: 'succeeded', note: 'FORGED-BODY-MARKER' } },
    });
    const t = Math.floor(Date.now() / 1000);
    const logged = stack.rawLogs.length;
    const response = await stack.post('wooshpay', body, {
      'content-type': 'application/json',
      'wooshpay-signature': `t=${t},v1=${wooshPaySignature('whsec_not_the_secret', t, body)}`,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'bad_signature', message: 'The signature does not verify' });
    await stack.receiver.idle();
    expect(await stack.ledger.getMany([{ provider: 'WOOSHPAY', providerRefundId: 're_1787731200000000002' }])).toEqual([
      null,
    ]);
    expect(await unprocessedEvents(stack, 're_1787731200000000002')).toEqual([]);
    const lines = stack.rawLogs.slice(logged);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', provider: 'WOOSHPAY', reason: 'bad_signature' });
    expect(lines.join('\n')).not.toContain('FORGED-BODY-MARKER');
    expect(lines.join('\n')).not.toContain(stack.env.WOOSHPAY_WEBHOOK_SECRET!);
  });

  it('refuses unsigned and late deliveries from the simulator, recording nothing', async () => {
    const unsigned = await stack.webhooks('wooshpay').send('re_1787731200000000003', { signed: false, maxAttempts: 1 });
    const late = await stack.webhooks('efundpay').send(EFUNDPAY_DASHBOARD_REFUND, {
      timestampOffsetS: -(stack.config.webhooks.toleranceS + 5),
      maxAttempts: 1,
    });
    expect([unsigned, late]).toEqual([false, false]);
    expect(stack.webhooks('wooshpay').deliveries.at(-1)).toMatchObject({ status: 400, accepted: false });
    expect(stack.webhooks('efundpay').deliveries.at(-1)).toMatchObject({ status: 400, accepted: false });
    expect(stack.observations.slice(-2)).toEqual([
      { provider: 'WOOSHPAY', outcome: 'rejected', reason: 'missing_signature' },
      { provider: 'EFUNDPAY', outcome: 'rejected', reason: 'stale_timestamp' },
    ]);
    expect(await stack.ledger.getMany([{ provider: 'WOOSHPAY', providerRefundId: 're_1787731200000000003' }])).toEqual([
      null,
    ]);
  });

  it('a replayed event answers 2xx and does nothing new', async () => {
    const refundId = 're_1787731200000000004';
    stack.simulators.wooshpay.resetRequests();
    const before = stack.observations.length;
    expect(await stack.webhooks('wooshpay').send(refundId, { times: 3 })).toBe(true);
    await stack.receiver.idle();
    expect(
      stack
        .webhooks('wooshpay')
        .deliveries.slice(-3)
        .map((delivery) => delivery.status),
    ).toEqual([200, 200, 200]);
    expect(stack.observations.slice(before).map((observation) => observation.outcome)).toEqual([
      'recorded',
      'duplicate',
      'processed',
      'duplicate',
    ]);
    // One re-read, one refresh: the replays did nothing.
    expect(stack.simulators.wooshpay.requestCount(refundId, 'GET')).toBe(1);
    expect(stack.refreshes.filter((refresh) => refresh.refund.providerRefundId === refundId)).toHaveLength(1);
  });

  it('an older event arriving after a newer one cannot move the refund backwards: the re-read decides', async () => {
    const refundId = 're_1787731200000000001';
    await stack.webhooks('wooshpay').send(refundId);
    await stack.receiver.idle();
    const [settled] = await stack.ledger.getMany([{ provider: 'WOOSHPAY', providerRefundId: refundId }]);
    // An old event, whose body still says pending, delivered last.
    expect(await stack.webhooks('wooshpay').send(refundId, { claimedStatus: 'pending' })).toBe(true);
    await stack.receiver.idle();
    const [after] = await stack.ledger.getMany([{ provider: 'WOOSHPAY', providerRefundId: refundId }]);
    expect(after).toMatchObject({ status: 'SUCCEEDED', providerStatus: 'succeeded' });
    expect(after?.lastChangedAt).toEqual(settled?.lastChangedAt);
    expect(stack.refreshes.at(-1)?.recorded.outcome).toBe('unchanged');
  });

  it('a failed re-read leaves the event unprocessed, and retrying it later processes it', async () => {
    const refundId = 're_1787731200000000005';
    stack.simulators.wooshpay.injectFault(refundId, { kind: 'status', status: 503 });
    expect(await stack.webhooks('wooshpay').send(refundId)).toBe(true);
    await stack.receiver.idle();
    stack.simulators.wooshpay.clearFaults();
    expect(stack.observations.at(-1)).toEqual({ provider: 'WOOSHPAY', outcome: 'failed' });
    const pending = await unprocessedEvents(stack, refundId);
    expect(pending).toEqual([expect.objectContaining({ provider: 'WOOSHPAY', providerRefundId: refundId })]);
    await stack.receiver.retryEvent(pending[0]!);
    expect(await unprocessedEvents(stack, refundId)).toEqual([]);
    const [row] = await stack.ledger.getMany([{ provider: 'WOOSHPAY', providerRefundId: refundId }]);
    expect(row).toMatchObject({ status: 'FAILED', learntFrom: 'webhook' });
  });

  it('refuses a body over 64 KB and a content type other than JSON with 400', async () => {
    const big = await stack.post('wooshpay', JSON.stringify({ padding: 'x'.repeat(70 * 1024) }));
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ error: 'body_too_large' });
    const form = await stack.post('wooshpay', 'id=evt_1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ error: 'unsupported_media_type' });
    const none = await stack.post('efundpay', '{}', {});
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('answers 404 for a provider it does not know', async () => {
    const response = await stack.post('stripe', '{}');
    expect(response.status).toBe(404);
  });
});

describe('webhook endpoint limits and switches', () => {
  it('rate-limits each source address (429)', async () => {
    const stack = await startWebhookStack({ rateLimit: { points: 3, durationS: 60 } });
    try {
      const statuses: number[] = [];
      for (let request = 0; request < 4; request += 1) statuses.push((await stack.post('wooshpay', '{}')).status);
      expect(statuses).toEqual([400, 400, 400, 429]);
    } finally {
      await stack.close();
    }
  });

  it('in production without the webhook secret or key, the endpoints answer 404', async () => {
    const stack = await startWebhookStack({
      env: {
        NODE_ENV: 'production',
        ALLOW_WITHOUT_ROUTER_SECRET: 'true',
        WOOSHPAY_WEBHOOK_SECRET: undefined,
        EFUNDPAY_WEBHOOK_PUBLIC_KEY: undefined,
      },
    });
    try {
      expect(stack.config.isProduction).toBe(true);
      expect((await stack.post('wooshpay', '{}')).status).toBe(404);
      expect((await stack.post('efundpay', '{}')).status).toBe(404);
      // The simulator's correctly signed event changes nothing: the endpoint is off.
      expect(await stack.webhooks('wooshpay').send(SEEDED_SUCCEEDED, { maxAttempts: 1 })).toBe(false);
      expect(stack.webhooks('wooshpay').deliveries.at(-1)?.status).toBe(404);
    } finally {
      await stack.close();
    }
  });
});
