/**
 * The simulators' refund creation contracts over real HTTP: WooshPay's Idempotency-Key replay and
 * reuse error, efundpay's duplicate_record, the per-transaction list with page cursors, the write
 * scope, settling after settleMs, and the lose-response fault (the request takes effect, the answer
 * is lost).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEfundpaySimulator } from '../../src/providers/efundpay/simulator.js';
import { startWooshPaySimulator } from '../../src/providers/wooshpay/simulator.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';

const SECRET_KEY = 'sk_test_refundsim0000abcd';
const API_KEY = 'efundpay_refundsim_key';
const PAYMENT = 'pi_1787730900000000001';
const TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60';

/** The fields these tests read from either simulator's JSON answers. */
interface Answer {
  id?: string;
  amount?: number;
  status?: string;
  error?: { type?: string; code?: string };
  details?: Array<Record<string, unknown>>;
  items?: Array<{ external_identifier: string }>;
  [field: string]: unknown;
}

const running: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function wooshPay(settleMs = 3000) {
  const sim = await startWooshPaySimulator({ secretKey: SECRET_KEY, settleMs });
  running.push(sim);
  const post = async (body: unknown, key?: string) => {
    const response = await fetch(`${sim.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      replayed: response.headers.get('idempotent-replayed'),
      body: (await response.json()) as Answer,
    };
  };
  return { sim, post };
}

async function efundpay(settleMs = 3000) {
  const sim = await startEfundpaySimulator({ merchantAccountId: 'default', apiKey: API_KEY, settleMs });
  running.push(sim);
  const headers = { authorization: `Bearer ${API_KEY}`, 'x-merchant-account-id': 'default' };
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(`${sim.url}/transactions/${TRANSACTION}/refunds`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };
  const list = async (query = '') => {
    const response = await fetch(`${sim.url}/transactions/${TRANSACTION}/refunds${query}`, { headers });
    return { status: response.status, body: (await response.json()) as Answer };
  };
  return { sim, post, list };
}

const refundBody = (external: string, amount = 100) => ({
  amount,
  currency: 'USD',
  reason: 'Customer request',
  external_identifier: external,
  webhooks_url: 'https://shop.example.com/hook',
});

describe('WooshPay simulator: POST /v1/refunds', () => {
  it('replays the first answer for a repeated Idempotency-Key, and refuses the key with other parameters', async () => {
    const { post } = await wooshPay();
    const first = await post({ payment_intent: PAYMENT, amount: '700' }, 'key-1');
    expect(first).toMatchObject({
      status: 200,
      replayed: null,
      body: { object: 'refund', amount: 700, status: 'pending' },
    });
    const again = await post({ payment_intent: PAYMENT, amount: '700' }, 'key-1');
    expect(again).toMatchObject({ status: 200, replayed: 'true', body: { id: first.body.id } });
    const other = await post({ payment_intent: PAYMENT, amount: '701' }, 'key-1');
    expect(other.status).toBe(400);
    expect(other.body.error?.type).toBe('idempotency_error');
  });

  it('refunds what remains without an amount, then refuses with charge_already_refunded; a refund settles after settleMs', async () => {
    const { sim, post } = await wooshPay(50);
    const all = await post({ payment_intent: PAYMENT });
    expect(all.body.amount).toBe(10000);
    const more = await post({ payment_intent: PAYMENT, amount: 1 });
    expect(more.body.error).toMatchObject({ type: 'invalid_request_error', code: 'charge_already_refunded' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const read = await fetch(`${sim.url}/v1/refunds/${all.body.id}`, {
      headers: { authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}` },
    });
    expect(((await read.json()) as { status: string }).status).toBe('succeeded');
  });

  it('lose-response: the refund is made, the socket is reset, and counts are keyed by the payment intent', async () => {
    const { sim, post } = await wooshPay();
    sim.injectFault(PAYMENT, { kind: 'lose-response', after: 'reset', method: 'POST', times: 1 });
    await expect(post({ payment_intent: PAYMENT, amount: 300 }, 'key-2')).rejects.toThrow();
    const replay = await post({ payment_intent: PAYMENT, amount: 300 }, 'key-2');
    expect(replay).toMatchObject({ status: 200, replayed: 'true', body: { amount: 300 } });
    expect(sim.requestCount(PAYMENT, 'POST')).toBe(2);
  });
});

describe('efundpay simulator: /v4/transactions/{id}/refunds', () => {
  it('creates a processing refund (201), answers a reused external_identifier with 409 duplicate_record and resource_id', async () => {
    const { post } = await efundpay();
    const created = await post(refundBody('ext-1'));
    expect(created).toMatchObject({
      status: 201,
      body: { type: 'refund', status: 'processing', external_identifier: 'ext-1' },
    });
    const duplicate = await post(refundBody('ext-1'));
    expect(duplicate).toMatchObject({
      status: 409,
      body: { type: 'error', code: 'duplicate_record', resource_id: created.body.id },
    });
  });

  it('refuses a body without webhooks_url, an over-refund and another currency in its own error shape', async () => {
    const { post } = await efundpay();
    const noWebhook: Record<string, unknown> = refundBody('ext-2');
    delete noWebhook.webhooks_url;
    expect((await post(noWebhook)).body.details?.[0]).toMatchObject({ pointer: '/webhooks_url' });
    expect((await post(refundBody('ext-3', 10_001))).body.details?.[0]).toMatchObject({
      pointer: '/amount',
      type: 'value_error.amount_exceeds_remaining',
    });
    expect((await post({ ...refundBody('ext-4'), currency: 'EUR' })).body.details?.[0]).toMatchObject({
      pointer: '/currency',
      type: 'value_error.currency_mismatch',
    });
  });

  it('lists a transaction refunds with page-number cursors', async () => {
    const { post, list } = await efundpay();
    for (const external of ['a', 'b', 'c']) await post(refundBody(`ext-${external}`));
    const first = await list('?limit=2');
    expect(first.body).toMatchObject({ limit: 2, next_cursor: '1', previous_cursor: null });
    expect(first.body.items?.map((item) => item.external_identifier)).toEqual(['ext-a', 'ext-b']);
    const second = await list('?limit=2&cursor=1');
    expect(second.body).toMatchObject({ next_cursor: null, previous_cursor: '0' });
    expect(second.body.items).toHaveLength(1);
  });

  it('refuses a page size outside 1 to 100 and a cursor that is not a page number (400)', async () => {
    const { list } = await efundpay();
    for (const query of ['?limit=0', '?limit=101', '?limit=two', '?cursor=-1', '?cursor=next']) {
      const answer = await list(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.details?.[0], query).toMatchObject({ location: 'query' });
    }
    expect((await list('?limit=100')).status).toBe(200);
  });

  it('needs transactions.write to create: a read-only JWT gets 403', async () => {
    const { exportSPKI, generateKeyPair, SignJWT } = await import('jose');
    const { publicKey, privateKey } = await generateKeyPair('RS512');
    const sim = await startEfundpaySimulator({
      merchantAccountId: 'default',
      jwt: { keyId: 'kid-1', publicKey: await exportSPKI(publicKey) },
    });
    running.push(sim);
    const token = await new SignJWT({ scopes: ['transactions.read'], merchantId: 'default' })
      .setProtectedHeader({ alg: 'RS512', kid: 'kid-1' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await fetch(`${sim.url}/transactions/${TRANSACTION}/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-merchant-account-id': 'default',
        'content-type': 'application/json',
      },
      body: JSON.stringify(refundBody('ext-5')),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('forbidden');
  });
});
