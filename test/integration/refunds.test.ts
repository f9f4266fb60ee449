/**
 * `refund` and `refunds` over real HTTP: the subgraph, its real provider clients, and both provider
 * simulators on loopback. Every contract field is checked against the seed wire data; not found is
 * null without an error; a provider failure nulls only its own refund, with a typed error; a bad id
 * fails alone and never reaches a provider.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { efundpaySeedRefunds } from '../../src/providers/efundpay/seed.js';
import { wooshPaySeedRefunds } from '../../src/providers/wooshpay/seed.js';
import { REFUND_FIELDS, startStack, type Stack } from '../helpers/stack.js';

const WOOSHPAY_DOCS_ID = 're_3KQu4U2eZvKYlo2C02Ndp8xy';
const WOOSHPAY_EXAMPLE_ID = 're_1787731200000000001';
const EFUNDPAY_DOCS_ID = '6a1d4e46-14ed-4fe1-a45f-eff4e025d211';
const EFUNDPAY_PROCESSING_ID = '996cf7e1-00b1-4bf0-b91a-e307c08f1996';
const EFUNDPAY_OTHER_ACCOUNT_ID = '7b9e2c1a-5d3f-4e8b-a6c0-1f2d3e4a5b6c';

const REFUND_QUERY = `query ($id: ID!) { refund(id: $id) { ${REFUND_FIELDS} } }`;
const REFUNDS_QUERY = `query ($ids: [ID!]!) { refunds(ids: $ids) { ${REFUND_FIELDS} } }`;

interface RefundJson {
  id: string;
  provider: string;
  providerRefundId: string;
  status: string;
  providerStatus: string;
  reason: string | null;
  createdAt: string;
  amount: { minorUnits: number; currencyCode: string; decimal: string };
  details: Record<string, unknown>;
}

const WOOSHPAY_STATUS: Record<string, string> = {
  pending: 'PENDING',
  requires_action: 'REQUIRES_ACTION',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  canceled: 'CANCELED',
};
const EFUNDPAY_STATUS: Record<string, string> = {
  processing: 'PENDING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  declined: 'FAILED',
  voided: 'CANCELED',
};
const WOOSHPAY_REASONS = [
  'duplicate',
  'fraudulent',
  'requested_by_customer',
  'expired_uncaptured_charge',
  'resolved_dispute',
];
const WOOSHPAY_FAILURES = ['lost_or_stolen_card', 'expired_or_canceled_card', 'unknown'];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(() => {
  stack.wooshpay.clearFaults();
  stack.efundpay.clearFaults();
  stack.resetCounters();
});

describe('every contract field', () => {
  it("serves WooshPay's docs example refund exactly", async () => {
    const { body } = await stack.graphql<{ refund: RefundJson }>(REFUND_QUERY, { id: `wooshpay:${WOOSHPAY_DOCS_ID}` });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refund).toEqual({
      id: `wooshpay:${WOOSHPAY_DOCS_ID}`,
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_DOCS_ID,
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'duplicate',
      createdAt: '2024-04-24T09:00:00.000Z',
      amount: { minorUnits: 2000, currencyCode: 'USD', decimal: '20.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_3KQu4U2eZvKYlo2C0xbTv6Qn',
        reason: 'DUPLICATE',
        failureReason: null,
        description: 'Customer was charged twice',
        receiptNumber: '1753-2209',
        metadata: [],
      },
    });
  });

  it("serves efundpay's docs example refund exactly", async () => {
    const { body } = await stack.graphql<{ refund: RefundJson }>(REFUND_QUERY, { id: `efundpay:${EFUNDPAY_DOCS_ID}` });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refund).toEqual({
      id: `efundpay:${EFUNDPAY_DOCS_ID}`,
      provider: 'EFUNDPAY',
      providerRefundId: EFUNDPAY_DOCS_ID,
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'Customer returned the item',
      createdAt: '2013-07-16T19:23:00.000Z',
      amount: { minorUnits: 1299, currencyCode: 'EUR', decimal: '12.99' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1001',
        transactionExternalIdentifier: 'order-1001',
      },
    });
  });

  it('serves every seeded WooshPay refund as its wire data says', async () => {
    const ids = wooshPaySeedRefunds.map((wire) => wire.id);
    const { body } = await stack.graphql<{ refunds: RefundJson[] }>(REFUNDS_QUERY, { ids });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds).toHaveLength(ids.length);
    wooshPaySeedRefunds.forEach((wire, index) => {
      const refund = body.data!.refunds[index]!;
      const metadata = Object.entries(wire.metadata ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => ({ key, value }));
      expect(refund, wire.id).toMatchObject({
        id: `wooshpay:${wire.id}`,
        provider: 'WOOSHPAY',
        providerRefundId: wire.id,
        status: WOOSHPAY_STATUS[wire.status] ?? 'UNKNOWN',
        providerStatus: wire.status,
        reason: wire.reason ?? null,
        createdAt: new Date(wire.created * 1000).toISOString(),
        amount: { minorUnits: wire.amount, currencyCode: wire.currency.toUpperCase() },
        details: {
          __typename: 'WooshPayRefundDetails',
          paymentIntentId: wire.payment_intent ?? null,
          reason: wire.reason ? (WOOSHPAY_REASONS.includes(wire.reason) ? wire.reason.toUpperCase() : 'UNKNOWN') : null,
          failureReason: wire.failure_reason
            ? WOOSHPAY_FAILURES.includes(wire.failure_reason)
              ? wire.failure_reason.toUpperCase()
              : 'UNKNOWN'
            : null,
          description: wire.description ?? null,
          receiptNumber: wire.receipt_number ?? null,
          metadata,
        },
      });
    });
  });

  it('serves every seeded efundpay refund of the merchant account as its wire data says', async () => {
    const seeded = efundpaySeedRefunds
      .filter((entry) => entry.merchantAccountId === 'default')
      .map((entry) => entry.refund);
    const { body } = await stack.graphql<{ refunds: RefundJson[] }>(REFUNDS_QUERY, {
      ids: seeded.map((wire) => wire.id),
    });
    expect(body.errors).toBeUndefined();
    seeded.forEach((wire, index) => {
      expect(body.data!.refunds[index], wire.id).toMatchObject({
        id: `efundpay:${wire.id}`,
        provider: 'EFUNDPAY',
        providerRefundId: wire.id,
        status: EFUNDPAY_STATUS[wire.status] ?? 'UNKNOWN',
        providerStatus: wire.status,
        reason: wire.reason ?? null,
        createdAt: new Date(wire.created_at).toISOString(),
        amount: { minorUnits: wire.amount, currencyCode: wire.currency.toUpperCase() },
        details: {
          __typename: 'EfundpayRefundDetails',
          transactionId: wire.transaction_id,
          merchantAccountId: 'default',
          externalIdentifier: wire.external_identifier ?? null,
          transactionExternalIdentifier: wire.transaction_external_identifier ?? null,
        },
      });
    });
  });

  it('formats amounts by the ISO 4217 exponent and keeps IDR above 2^31 exact', async () => {
    const ids = [
      're_1787731200000000010',
      're_1787731200000000011',
      're_1787731200000000012',
      'cc194059-19c2-4bbd-a7d3-a7850d17ec74',
    ];
    const { body } = await stack.graphql<{ refunds: RefundJson[] }>(REFUNDS_QUERY, { ids });
    expect(body.data?.refunds.map((refund) => refund.amount)).toEqual([
      { minorUnits: 5000, currencyCode: 'JPY', decimal: '5000' },
      { minorUnits: 12345, currencyCode: 'KWD', decimal: '12.345' },
      { minorUnits: 15000000000, currencyCode: 'IDR', decimal: '150000000.00' },
      { minorUnits: 99999999, currencyCode: 'USD', decimal: '999999.99' },
    ]);
  });

  it('keeps unknown statuses and reasons visible instead of failing', async () => {
    const ids = [
      're_1787731200000000009',
      're_1787731200000000011',
      're_1787731200000000007',
      '42609b2e-f0de-4f1b-96e7-fd586cbb2a36',
    ];
    const { body } = await stack.graphql<{ refunds: RefundJson[] }>(REFUNDS_QUERY, { ids });
    expect(body.errors).toBeUndefined();
    const [unknownStatus, unknownReason, unknownFailure, efundpayUnknown] = body.data!.refunds;
    expect(unknownStatus).toMatchObject({ status: 'UNKNOWN', providerStatus: 'processing_v2' });
    expect(unknownReason).toMatchObject({ reason: 'merchant_goodwill', details: { reason: 'UNKNOWN' } });
    expect(unknownFailure).toMatchObject({ status: 'FAILED', details: { failureReason: 'UNKNOWN' } });
    expect(efundpayUnknown).toMatchObject({ status: 'UNKNOWN', providerStatus: 'pending_review' });
  });

  it('returns createdAt in UTC: a -05:00 evening is the next UTC day', async () => {
    const { body } = await stack.graphql<{ refund: RefundJson }>(REFUND_QUERY, {
      id: 'cbe82b23-bacb-4cd7-8c02-99941e1a8087',
    });
    expect(body.data?.refund.createdAt).toBe('2024-04-01T04:30:00.000Z');
  });

  it('returns WooshPay metadata sorted by key', async () => {
    const { body } = await stack.graphql<{ refund: RefundJson }>(REFUND_QUERY, { id: 're_3PqX9aLkdIwHu7ix1Zr8mQ4e' });
    expect(body.data?.refund.details.metadata).toEqual([
      { key: 'agent', value: 'jdoe' },
      { key: 'batch', value: '2024-05-07' },
      { key: 'channel', value: 'support_portal' },
      { key: 'order_id', value: 'A-1013' },
      { key: 'zone', value: 'eu-west' },
    ]);
  });
});

describe('ids', () => {
  it.each([
    ['a WooshPay global id', `wooshpay:${WOOSHPAY_EXAMPLE_ID}`, `wooshpay:${WOOSHPAY_EXAMPLE_ID}`],
    ['a bare WooshPay id', WOOSHPAY_EXAMPLE_ID, `wooshpay:${WOOSHPAY_EXAMPLE_ID}`],
    ['an efundpay global id', `efundpay:${EFUNDPAY_DOCS_ID}`, `efundpay:${EFUNDPAY_DOCS_ID}`],
    ['a bare efundpay UUID', EFUNDPAY_DOCS_ID, `efundpay:${EFUNDPAY_DOCS_ID}`],
    ['an upper-case efundpay UUID', EFUNDPAY_DOCS_ID.toUpperCase(), `efundpay:${EFUNDPAY_DOCS_ID}`],
    ['an upper-case UUID in a global id', `efundpay:${EFUNDPAY_DOCS_ID.toUpperCase()}`, `efundpay:${EFUNDPAY_DOCS_ID}`],
  ])('refund accepts %s and answers with the canonical global id', async (_label, input, globalId) => {
    const { body } = await stack.graphql<{ refund: { id: string } }>('query ($id: ID!) { refund(id: $id) { id } }', {
      id: input,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refund.id).toBe(globalId);
  });

  it('rejects a bad id with BAD_USER_INPUT naming it, without calling any provider', async () => {
    const { status, body } = await stack.graphql<{ refund: null }>(REFUND_QUERY, {
      id: 'wooshpay:re_abc/../../v1/charges',
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({ refund: null });
    expect(body.errors).toEqual([
      {
        message:
          'Invalid refund id "wooshpay:re_abc/../../v1/charges": expected "re_" followed by 1 to 100 letters or digits for WOOSHPAY',
        locations: expect.any(Array),
        path: ['refund'],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(stack.providerCalls()).toBe(0);
  });
});

describe('not found', () => {
  it('is null with no error, for both providers', async () => {
    for (const id of ['re_doesnotexist0000', '00000000-0000-4000-8000-000000000000']) {
      const { body } = await stack.graphql(REFUND_QUERY, { id });
      expect(body, id).toEqual({ data: { refund: null } });
    }
    expect(stack.wooshpay.requestCount('re_doesnotexist0000')).toBe(1);
    expect(stack.efundpay.requestCount('00000000-0000-4000-8000-000000000000')).toBe(1);
  });

  it("treats another merchant account's efundpay refund as not found", async () => {
    const { body } = await stack.graphql(REFUND_QUERY, { id: EFUNDPAY_OTHER_ACCOUNT_ID });
    expect(body).toEqual({ data: { refund: null } });
  });
});

describe('refunds', () => {
  it('keeps the order and length of ids, with null where a refund does not exist and no error', async () => {
    const ids = [
      EFUNDPAY_DOCS_ID,
      're_doesnotexist0000',
      `wooshpay:${WOOSHPAY_DOCS_ID}`,
      EFUNDPAY_OTHER_ACCOUNT_ID,
      WOOSHPAY_EXAMPLE_ID,
      `efundpay:${EFUNDPAY_PROCESSING_ID}`,
    ];
    const { body } = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      { ids },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds).toEqual([
      { id: `efundpay:${EFUNDPAY_DOCS_ID}` },
      null,
      { id: `wooshpay:${WOOSHPAY_DOCS_ID}` },
      null,
      { id: `wooshpay:${WOOSHPAY_EXAMPLE_ID}` },
      { id: `efundpay:${EFUNDPAY_PROCESSING_ID}` },
    ]);
  });

  it('answers an empty list with an empty list and no provider call', async () => {
    const { body } = await stack.graphql('{ refunds(ids: []) { id } }');
    expect(body).toEqual({ data: { refunds: [] } });
    expect(stack.providerCalls()).toBe(0);
  });

  it('fails a bad id at its own index while the valid ids still load, calling no provider for it', async () => {
    const ids = [WOOSHPAY_EXAMPLE_ID, 'not-a-refund-id', EFUNDPAY_DOCS_ID, 'efundpay:re_123'];
    const { body } = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      { ids },
    );
    expect(body.data?.refunds).toEqual([
      { id: `wooshpay:${WOOSHPAY_EXAMPLE_ID}` },
      null,
      { id: `efundpay:${EFUNDPAY_DOCS_ID}` },
      null,
    ]);
    expect(body.errors).toHaveLength(2);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: ['refunds', 1],
          message: expect.stringMatching(/^Invalid refund id "not-a-refund-id": expected a global id/),
          extensions: { code: 'BAD_USER_INPUT' },
        }),
        expect.objectContaining({
          path: ['refunds', 3],
          message:
            'Invalid refund id "efundpay:re_123": expected a UUID such as 6a1d4e46-14ed-4fe1-a45f-eff4e025d211 for EFUNDPAY',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]),
    );
    // Exactly the two valid refunds were fetched; nothing else reached a provider.
    expect(stack.wooshpay.requests.map((request) => request.refundId)).toEqual([WOOSHPAY_EXAMPLE_ID]);
    expect(stack.efundpay.requests.map((request) => request.refundId)).toEqual([EFUNDPAY_DOCS_ID]);
  });
});

describe('partial failure', () => {
  it('nulls only the refund whose provider call failed, with its own typed error at its index', async () => {
    stack.efundpay.injectFault(EFUNDPAY_PROCESSING_ID, { kind: 'status', status: 503 });
    const ids = [WOOSHPAY_DOCS_ID, EFUNDPAY_PROCESSING_ID, EFUNDPAY_DOCS_ID, WOOSHPAY_EXAMPLE_ID];
    const { status, body } = await stack.graphql<{ refunds: Array<{ id: string; status: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id status } }',
      { ids },
    );
    expect(status).toBe(200);
    expect(body.data?.refunds).toEqual([
      { id: `wooshpay:${WOOSHPAY_DOCS_ID}`, status: 'SUCCEEDED' },
      null,
      { id: `efundpay:${EFUNDPAY_DOCS_ID}`, status: 'SUCCEEDED' },
      { id: `wooshpay:${WOOSHPAY_EXAMPLE_ID}`, status: 'SUCCEEDED' },
    ]);
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error).toMatchObject({
      path: ['refunds', 1],
      extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'EFUNDPAY' },
    });
    expect(error!.message).toMatch(/^efundpay: /);
    // No provider URL, host or response body in what the client sees.
    expect(error!.message).not.toContain(stack.efundpay.origin);
    expect(error!.message).not.toContain('127.0.0.1');
    expect(error!.message).not.toContain('Service temporarily unavailable');
    expect(JSON.stringify(body)).not.toContain('service_unavailable');
  });

  it('reports a provider failure on `refund` too, with extensions.provider', async () => {
    stack.wooshpay.injectFault(WOOSHPAY_DOCS_ID, { kind: 'status', status: 500 });
    const { body } = await stack.graphql(REFUND_QUERY, { id: WOOSHPAY_DOCS_ID });
    expect(body.data).toEqual({ refund: null });
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['refund'], extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' } }),
    ]);
  });

  it('keeps the other provider intact when one provider fails for every refund', async () => {
    stack.wooshpay.injectFault('*', { kind: 'status', status: 502 });
    const ids = [WOOSHPAY_DOCS_ID, EFUNDPAY_DOCS_ID, WOOSHPAY_EXAMPLE_ID, EFUNDPAY_PROCESSING_ID];
    const { body } = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      { ids },
    );
    expect(body.data?.refunds).toEqual([
      null,
      { id: `efundpay:${EFUNDPAY_DOCS_ID}` },
      null,
      { id: `efundpay:${EFUNDPAY_PROCESSING_ID}` },
    ]);
    expect(body.errors?.map((error) => [error.path, error.extensions])).toEqual(
      expect.arrayContaining([
        [['refunds', 0], { code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' }],
        [['refunds', 2], { code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' }],
      ]),
    );
    expect(body.errors).toHaveLength(2);
  });

  it('answers a body that is not a refund with PROVIDER_BAD_RESPONSE, without echoing it', async () => {
    stack.efundpay.injectFault(EFUNDPAY_DOCS_ID, {
      kind: 'raw',
      contentType: 'application/json',
      body: JSON.stringify({ type: 'refund', id: EFUNDPAY_DOCS_ID, amount: 'lots', secret_marker: 'zz-body-zz' }),
    });
    const { body } = await stack.graphql(REFUND_QUERY, { id: EFUNDPAY_DOCS_ID });
    expect(body.data).toEqual({ refund: null });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_BAD_RESPONSE', provider: 'EFUNDPAY' });
    expect(JSON.stringify(body)).not.toContain('zz-body-zz');
    expect(stack.rawLogs.join('\n')).not.toContain('zz-body-zz');
  });
});
