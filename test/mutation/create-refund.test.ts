/**
 * createRefund over real HTTP against the provider simulators: both providers create refunds that
 * read back through `refund(id:)`; repeats replay without a provider call; other input with the
 * same key is refused; refusals are RefundRejected; bad input never reaches a provider; concurrent
 * identical calls make one provider POST; a lost answer after the provider acted ends in exactly
 * one refund; the audit line and counter; nothing secret in responses or logs.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { useStack, type Stack } from '../helpers/stack.js';
import { createdWooshPayRefunds } from '../helpers/wooshpay-ledger.js';

const WOOSHPAY_PAYMENT = 'pi_1787730900000000001'; // USD 100.00, nothing refunded
const EFUNDPAY_TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60'; // USD 100.00

interface Payload {
  __typename: 'RefundCreated' | 'RefundRejected';
  replayed?: boolean;
  refund?: {
    id: string;
    provider: string;
    status: string;
    amount: { minorUnits: number; currencyCode: string };
    details: Record<string, unknown>;
  };
  code?: string;
  message?: string;
  providerCode?: string | null;
}

const newKey = () => `test-${randomUUID()}`;

/** The global ids of the refunds the WooshPay simulator has created so far, read from the simulator. */
async function wooshPayRefundIds(stack: Stack): Promise<string[]> {
  const refunds = await createdWooshPayRefunds(stack.simulators.wooshpay, stack.env.WOOSHPAY_SECRET_KEY!);
  return refunds.map((refund) => `wooshpay:${refund.id}`);
}

async function createRefund(stack: Stack, input: Record<string, unknown>, headers?: Record<string, string>) {
  const { body, status } = await stack.graphql<{ createRefund: Payload }>(CREATE_REFUND, { input }, headers);
  return { status, payload: body.data?.createRefund ?? null, errors: body.errors };
}

describe('createRefund', () => {
  const stack = useStack({
    env: {
      EFUNDPAY_REFUND_WEBHOOK_URL: 'https://shop.example.com/webhooks/efundpay',
      PROVIDER_ATTEMPT_TIMEOUT_MS: '400',
      PROVIDER_DEADLINE_MS: '3000',
    },
  });

  it('creates a WooshPay refund with an Idempotency-Key, and it reads back through refund(id:)', async () => {
    const key = newKey();
    const { payload, errors } = await createRefund(stack, {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 1200, currencyCode: 'usd' },
      reason: 'REQUESTED_BY_CUSTOMER',
      note: 'Damaged parcel',
      metadata: [
        { key: 'order', value: 'A-77' },
        { key: 'agent', value: 'jdoe' },
      ],
      idempotencyKey: key,
    });
    expect(errors).toBeUndefined();
    expect(payload).toMatchObject({
      __typename: 'RefundCreated',
      replayed: false,
      refund: {
        provider: 'WOOSHPAY',
        status: 'PENDING',
        amount: { minorUnits: 1200, currencyCode: 'USD' },
        details: {
          __typename: 'WooshPayRefundDetails',
          paymentIntentId: WOOSHPAY_PAYMENT,
          reason: 'REQUESTED_BY_CUSTOMER',
          description: 'Damaged parcel',
          metadata: [
            { key: 'agent', value: 'jdoe' },
            { key: 'order', value: 'A-77' },
          ],
        },
      },
    });
    const post = stack.simulators.wooshpay.requests.find((request) => request.method === 'POST');
    expect(post?.headers['idempotency-key']).toMatch(/^rfd-[0-9a-f]{32}$/);
    expect(post?.body).toEqual({
      payment_intent: WOOSHPAY_PAYMENT,
      amount: '1200',
      currency: 'usd',
      reason: 'requested_by_customer',
      description: 'Damaged parcel',
      metadata: { agent: 'jdoe', order: 'A-77' },
    });

    const read = await stack.graphql<{ refund: { id: string; status: string } }>(
      `query ($id: ID!) { refund(id: $id) { id status } }`,
      { id: payload!.refund!.id },
    );
    expect(read.body.data?.refund).toEqual({ id: payload!.refund!.id, status: 'PENDING' });
  });

  it('creates an efundpay refund with external_identifier, idempotency-key and webhooks_url', async () => {
    const { payload, errors } = await createRefund(stack, {
      provider: 'EFUNDPAY',
      paymentId: EFUNDPAY_TRANSACTION.toUpperCase(),
      amount: { minorUnits: 500, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    });
    expect(errors).toBeUndefined();
    expect(payload).toMatchObject({
      __typename: 'RefundCreated',
      replayed: false,
      refund: {
        provider: 'EFUNDPAY',
        status: 'PENDING',
        amount: { minorUnits: 500, currencyCode: 'USD' },
        details: { __typename: 'EfundpayRefundDetails', transactionId: EFUNDPAY_TRANSACTION },
      },
    });
    const post = stack.simulators.efundpay.requests.find((request) => request.method === 'POST');
    expect(post?.path).toBe(`/v4/transactions/${EFUNDPAY_TRANSACTION}/refunds`);
    const body = post?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      amount: 500,
      currency: 'USD',
      reason: 'Duplicate payment',
      webhooks_url: 'https://shop.example.com/webhooks/efundpay',
    });
    expect(String(body.external_identifier)).toMatch(/^rfd-[0-9a-f]{32}$/);
    expect(String(body.external_identifier).length).toBeLessThanOrEqual(50);
    expect(post?.headers['idempotency-key']).toBe(body.external_identifier);
    expect(payload?.refund?.details.externalIdentifier).toBe(body.external_identifier);
  });

  it('answers a repeat with the same key and input from the record: replayed, no provider call', async () => {
    const input = {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    };
    const first = await createRefund(stack, input);
    expect(first.payload?.replayed).toBe(false);
    stack.resetCounters();
    // The same input written another way (lower-case currency) is the same refund.
    const second = await createRefund(stack, { ...input, amount: { minorUnits: 100, currencyCode: 'usd' } });
    expect(second.errors).toBeUndefined();
    expect(second.payload).toEqual({ ...first.payload, replayed: true });
    expect(stack.providerCalls()).toBe(0);
  });

  it('refuses the same key with other input: IDEMPOTENCY_KEY_REUSED, no provider call', async () => {
    const input = {
      provider: 'EFUNDPAY',
      paymentId: EFUNDPAY_TRANSACTION,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'OTHER',
      idempotencyKey: newKey(),
    };
    await createRefund(stack, input);
    stack.resetCounters();
    const { payload, errors } = await createRefund(stack, {
      ...input,
      amount: { minorUnits: 101, currencyCode: 'USD' },
    });
    expect(payload).toBeNull();
    expect(errors?.[0]?.extensions).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(stack.providerCalls()).toBe(0);
  });

  it.each([
    ['WOOSHPAY', 'pi_unknown000', 'PAYMENT_NOT_FOUND', 'resource_missing'],
    ['WOOSHPAY', 'pi_1787730900000000004', 'PAYMENT_NOT_REFUNDABLE', 'charge_already_refunded'],
    ['WOOSHPAY', 'pi_1787730900000000007', 'DECLINED', 'card_declined'],
    ['EFUNDPAY', '00000000-0000-4000-8000-000000000000', 'PAYMENT_NOT_FOUND', 'not_found'],
    [
      'EFUNDPAY',
      '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a64',
      'PAYMENT_NOT_REFUNDABLE',
      'value_error.transaction_not_refundable',
    ],
  ])('%s %s is RefundRejected %s (%s)', async (provider, paymentId, code, providerCode) => {
    const { payload, errors } = await createRefund(stack, {
      provider,
      paymentId,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'OTHER',
      idempotencyKey: newKey(),
    });
    expect(errors).toBeUndefined();
    expect(payload).toMatchObject({ __typename: 'RefundRejected', code, providerCode });
    expect(payload?.message).not.toMatch(/https?:|sk_test|Bearer/);
  });

  it.each([
    ['WOOSHPAY', WOOSHPAY_PAYMENT, 999_999],
    ['EFUNDPAY', EFUNDPAY_TRANSACTION, 999_999],
  ])(
    '%s: more than remains is AMOUNT_TOO_LARGE, another currency CURRENCY_MISMATCH',
    async (provider, paymentId, minorUnits) => {
      const tooMuch = await createRefund(stack, {
        provider,
        paymentId,
        amount: { minorUnits, currencyCode: 'USD' },
        reason: 'OTHER',
        idempotencyKey: newKey(),
      });
      expect(tooMuch.payload).toMatchObject({ __typename: 'RefundRejected', code: 'AMOUNT_TOO_LARGE' });
      const otherCurrency = await createRefund(stack, {
        provider,
        paymentId,
        amount: { minorUnits: 100, currencyCode: 'EUR' },
        reason: 'OTHER',
        idempotencyKey: newKey(),
      });
      expect(otherCurrency.payload).toMatchObject({ __typename: 'RefundRejected', code: 'CURRENCY_MISMATCH' });
    },
  );

  it.each([
    [{ paymentId: 're_notapayment' }, 'input.paymentId'],
    [{ paymentId: 'pi_../../v1/charges' }, 'input.paymentId'],
    [{ idempotencyKey: 'short' }, 'input.idempotencyKey'],
    [{ idempotencyKey: 'has spaces in it' }, 'input.idempotencyKey'],
    [{ amount: { minorUnits: 0, currencyCode: 'USD' } }, 'input.amount.minorUnits'],
    [{ amount: { minorUnits: -5, currencyCode: 'USD' } }, 'input.amount.minorUnits'],
    [{ amount: { minorUnits: 100, currencyCode: 'XYZ' } }, 'input.amount.currencyCode'],
    [{ note: 'x'.repeat(256) }, 'input.note'],
    [{ metadata: Array.from({ length: 51 }, (_, index) => ({ key: `k${index}`, value: 'v' })) }, 'input.metadata'],
    [{ metadata: [{ key: 'k'.repeat(41), value: 'v' }] }, 'input.metadata[0].key'],
    [{ metadata: [{ key: 'k', value: 'v'.repeat(501) }] }, 'input.metadata[0].value'],
    [{ provider: 'EFUNDPAY', paymentId: EFUNDPAY_TRANSACTION, amount: null }, 'input.amount'],
    [{ provider: 'EFUNDPAY', paymentId: 'pi_1787730900000000001' }, 'input.paymentId'],
  ])('bad input %j is BAD_USER_INPUT naming %s, with no provider call', async (change, field) => {
    const { payload, errors } = await createRefund(stack, {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'OTHER',
      idempotencyKey: newKey(),
      ...change,
    });
    expect(payload).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(errors?.[0]?.message).toContain(field);
    expect(stack.providerCalls()).toBe(0);
  });

  it('makes one provider POST for concurrent identical calls; the others get its outcome', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_PAYMENT, { kind: 'latency', ms: 300, method: 'POST', times: 1 });
    const input = {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 50, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => createRefund(stack, input)));
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_PAYMENT, 'POST')).toBe(1);
    const ids = new Set(results.map((result) => result.payload?.refund?.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.payload?.replayed === false)).toHaveLength(1);
    expect(results.filter((result) => result.payload?.replayed === true)).toHaveLength(4);
  });

  it('WooshPay: an answer lost after the refund was made (timeout) ends in exactly one refund', async () => {
    const before = await wooshPayRefundIds(stack);
    stack.simulators.wooshpay.injectFault(WOOSHPAY_PAYMENT, {
      kind: 'lose-response',
      after: 'hang',
      method: 'POST',
      times: 1,
    });
    const { payload, errors } = await createRefund(stack, {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 75, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    });
    expect(errors).toBeUndefined();
    expect(payload?.__typename).toBe('RefundCreated');
    const posted = stack.simulators.wooshpay.requests.filter((request) => request.method === 'POST');
    // The retry carried the same Idempotency-Key, and WooshPay answered it with the first refund.
    expect(posted).toHaveLength(2);
    expect(posted[1]?.headers['idempotency-key']).toBe(posted[0]?.headers['idempotency-key']);
    expect(posted[1]?.status).toBe(200);
    // WooshPay holds one new refund, the one answered.
    const made = (await wooshPayRefundIds(stack)).filter((id) => !before.includes(id));
    expect(made).toEqual([payload?.refund?.id]);
  });

  it('efundpay: an answer lost after the refund was made (reset) is found by lookup: exactly one refund, no second POST', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_TRANSACTION, {
      kind: 'lose-response',
      after: 'reset',
      method: 'POST',
      times: 1,
    });
    const { payload, errors } = await createRefund(stack, {
      provider: 'EFUNDPAY',
      paymentId: EFUNDPAY_TRANSACTION,
      amount: { minorUnits: 60, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    });
    expect(errors).toBeUndefined();
    expect(payload).toMatchObject({ __typename: 'RefundCreated', refund: { amount: { minorUnits: 60 } } });
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_TRANSACTION, 'POST')).toBe(1);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_TRANSACTION, 'GET')).toBeGreaterThanOrEqual(1);
    const list = await fetch(
      `${stack.simulators.efundpay.url}/transactions/${EFUNDPAY_TRANSACTION}/refunds?limit=100`,
      {
        headers: { authorization: `Bearer ${stack.env.EFUNDPAY_API_KEY}`, 'x-merchant-account-id': 'default' },
      },
    );
    const items = ((await list.json()) as { items: Array<{ external_identifier: string }> }).items;
    const external = payload?.refund?.details.externalIdentifier;
    expect(items.filter((item) => item.external_identifier === external)).toHaveLength(1);
  });

  it('efundpay: when the first POST never arrived, the lookup finds nothing and exactly one new POST is made', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_TRANSACTION, { kind: 'reset', method: 'POST', times: 1 });
    const { payload, errors } = await createRefund(stack, {
      provider: 'EFUNDPAY',
      paymentId: EFUNDPAY_TRANSACTION,
      amount: { minorUnits: 61, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    });
    expect(errors).toBeUndefined();
    expect(payload?.__typename).toBe('RefundCreated');
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_TRANSACTION, 'POST')).toBe(2);
  });

  it('WooshPay: when every attempt times out the answer is PROVIDER_OUTCOME_UNKNOWN, and repeating the call makes no second refund', async () => {
    const before = await wooshPayRefundIds(stack);
    stack.simulators.wooshpay.injectFault(WOOSHPAY_PAYMENT, { kind: 'lose-response', after: 'hang', method: 'POST' });
    const input = {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 33, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    };
    const unknown = await createRefund(stack, input);
    expect(unknown.payload).toBeNull();
    expect(unknown.errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_OUTCOME_UNKNOWN', provider: 'WOOSHPAY' });
    expect(unknown.errors?.[0]?.message).toContain('repeating the same call with the same idempotencyKey is safe');
    stack.simulators.wooshpay.clearFaults();
    const repeat = await createRefund(stack, input);
    expect(repeat.errors).toBeUndefined();
    expect(repeat.payload?.__typename).toBe('RefundCreated');
    // Every POST carried the same key; WooshPay made the refund once and replayed it since.
    const keys = new Set(
      stack.simulators.wooshpay.requests
        .filter((request) => request.method === 'POST')
        .map((r) => r.headers['idempotency-key']),
    );
    expect(keys.size).toBe(1);
    const read = await stack.graphql<{ refund: { id: string } }>(`query ($id: ID!) { refund(id: $id) { id } }`, {
      id: repeat.payload!.refund!.id,
    });
    expect(read.body.data?.refund?.id).toBe(repeat.payload?.refund?.id);
    const made = (await wooshPayRefundIds(stack)).filter((id) => !before.includes(id));
    expect(made).toEqual([repeat.payload?.refund?.id]);
  });

  it('efundpay: when the POST and the lookup both fail the answer is PROVIDER_OUTCOME_UNKNOWN, and the repeat resolves duplicate_record to the one refund', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_TRANSACTION, {
      kind: 'lose-response',
      after: 'hang',
      method: 'POST',
      times: 1,
    });
    stack.simulators.efundpay.injectFault(EFUNDPAY_TRANSACTION, { kind: 'status', status: 503, method: 'GET' });
    const input = {
      provider: 'EFUNDPAY',
      paymentId: EFUNDPAY_TRANSACTION,
      amount: { minorUnits: 34, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    };
    const unknown = await createRefund(stack, input);
    expect(unknown.payload).toBeNull();
    expect(unknown.errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_OUTCOME_UNKNOWN', provider: 'EFUNDPAY' });
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_TRANSACTION, 'POST')).toBe(1);
    stack.simulators.efundpay.clearFaults();
    const repeat = await createRefund(stack, input);
    expect(repeat.errors).toBeUndefined();
    expect(repeat.payload).toMatchObject({ __typename: 'RefundCreated', replayed: true });
    expect(stack.simulators.efundpay.responseCount(409)).toBe(1);
    const list = await fetch(
      `${stack.simulators.efundpay.url}/transactions/${EFUNDPAY_TRANSACTION}/refunds?limit=100`,
      {
        headers: { authorization: `Bearer ${stack.env.EFUNDPAY_API_KEY}`, 'x-merchant-account-id': 'default' },
      },
    );
    const items = ((await list.json()) as { items: Array<{ external_identifier: string }> }).items;
    const external = repeat.payload?.refund?.details.externalIdentifier;
    expect(items.filter((item) => item.external_identifier === external)).toHaveLength(1);
  });

  it('writes one refund.create audit line per attempt and counts attempts by provider and outcome', async () => {
    const key = newKey();
    const input = {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 10, currencyCode: 'USD' },
      reason: 'OTHER',
      idempotencyKey: key,
    };
    const before = stack.logs.length;
    const created = await createRefund(stack, input);
    await createRefund(stack, input);
    await createRefund(stack, { ...input, idempotencyKey: 'bad key' });
    const lines = stack.logs.slice(before).filter((line) => line.event === 'refund.create');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: 'info',
      actor: 'anonymous',
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 10, currencyCode: 'USD' },
      outcome: { type: 'created', refundId: created.payload?.refund?.id },
      replayed: false,
    });
    expect(lines[0]?.idempotencyKeyHash).toMatch(/^[0-9a-f]{16}$/);
    expect(lines[1]).toMatchObject({ outcome: { type: 'created' }, replayed: true });
    expect(lines[2]).toMatchObject({ outcome: { type: 'error', code: 'BAD_USER_INPUT' }, paymentId: null });
    const raw = stack.rawLogs.join('\n');
    expect(raw).not.toContain(key);
    expect(stack.secrets.length).toBeGreaterThan(0);
    for (const secret of stack.secrets) expect(raw).not.toContain(secret);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/refunds_create_total\{provider="WOOSHPAY",outcome="created",code=""\} [1-9]/);
    expect(metrics).toMatch(/refunds_create_total\{provider="WOOSHPAY",outcome="replayed",code=""\} [1-9]/);
    expect(metrics).toMatch(/refunds_create_total\{provider="WOOSHPAY",outcome="error",code="BAD_USER_INPUT"\} [1-9]/);
  });
});

describe('createRefund while the first call with the key is still running', () => {
  const stack = useStack({ env: { IDEMPOTENCY_WAIT_MS: '300' } });

  it('a repeat while the first call is still running waits, then gets IDEMPOTENCY_KEY_IN_USE', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_PAYMENT, { kind: 'latency', ms: 1200, method: 'POST', times: 1 });
    const input = {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 35, currencyCode: 'USD' },
      reason: 'DUPLICATE',
      idempotencyKey: newKey(),
    };
    const first = createRefund(stack, input);
    // The first call holds the key once its POST has reached WooshPay (where it waits 1200 ms).
    await vi.waitFor(() => expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_PAYMENT, 'POST')).toBe(1), {
      timeout: 5000,
      interval: 5,
    });
    const second = await createRefund(stack, input);
    expect(second.payload).toBeNull();
    expect(second.errors?.[0]?.extensions).toEqual({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    expect((await first).payload?.__typename).toBe('RefundCreated');
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_PAYMENT, 'POST')).toBe(1);
  });
});

describe('createRefund without EFUNDPAY_REFUND_WEBHOOK_URL', () => {
  const stack = useStack({ env: { EFUNDPAY_REFUND_WEBHOOK_URL: undefined } });

  it('answers PROVIDER_NOT_CONFIGURED naming the setting for efundpay, with no provider call', async () => {
    const { payload, errors } = await createRefund(stack, {
      provider: 'EFUNDPAY',
      paymentId: EFUNDPAY_TRANSACTION,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'OTHER',
      idempotencyKey: newKey(),
    });
    expect(payload).toBeNull();
    expect(errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_NOT_CONFIGURED', provider: 'EFUNDPAY' });
    expect(errors?.[0]?.message).toContain('EFUNDPAY_REFUND_WEBHOOK_URL');
    expect(stack.providerCalls()).toBe(0);
  });
});
