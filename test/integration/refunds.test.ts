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
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_FREE_TEXT_REASON,
  EFUNDPAY_GBP_FAILED,
  EFUNDPAY_JPY_DECLINED,
  EFUNDPAY_KWD_VOIDED,
  EFUNDPAY_NOT_SEEDED,
  EFUNDPAY_NULL_IDENTIFIERS,
  EFUNDPAY_OTHER_MERCHANT,
  EFUNDPAY_UNKNOWN_STATUS,
  EFUNDPAY_USD_MAX_AMOUNT,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_CANCELED,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_FAILED_EXPIRED_CARD,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_FAILED_UNDOCUMENTED_REASON,
  WOOSHPAY_FAILED_UNKNOWN_REASON,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_IDR_ABOVE_2_31,
  WOOSHPAY_JPY_ZERO_DECIMAL,
  WOOSHPAY_KWD_THREE_DECIMAL,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_UNKNOWN_STATUS,
  WOOSHPAY_UNSORTED_METADATA_NO_PAYMENT_INTENT,
  WOOSHPAY_USD_DOCS_EXAMPLE,
  WOOSHPAY_USD_SPEC_EXAMPLE,
  type SandboxRefund,
} from '../fixtures/sandbox-refunds.js';

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

/** WooshPay's docs example refund (re_3KQu4U2eZvKYlo2C02Ndp8xy) as the contract serves it. */
const WOOSHPAY_DOCS_EXAMPLE_AS_SERVED = {
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
};

/**
 * Every seeded refund as the contract serves it, written out (not derived from the wire data, so
 * a mapping mistake cannot cancel itself out).
 */
const WOOSHPAY_SEEDED_AS_SERVED: ReadonlyArray<readonly [SandboxRefund, Partial<RefundJson>]> = [
  [WOOSHPAY_USD_DOCS_EXAMPLE, WOOSHPAY_DOCS_EXAMPLE_AS_SERVED],
  [
    WOOSHPAY_USD_SPEC_EXAMPLE,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'requested_by_customer',
      createdAt: '2024-04-25T07:31:14.000Z',
      amount: { minorUnits: 1500, currencyCode: 'USD', decimal: '15.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927936',
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: null,
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1001' }],
      },
    },
  ],
  [
    WOOSHPAY_EUR_PENDING,
    {
      status: 'PENDING',
      providerStatus: 'pending',
      reason: null,
      createdAt: '2024-04-26T07:45:30.000Z',
      amount: { minorUnits: 4999, currencyCode: 'EUR', decimal: '49.99' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927937',
        reason: null,
        failureReason: null,
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1002' }],
      },
    },
  ],
  [
    WOOSHPAY_GBP_REQUIRES_ACTION,
    {
      status: 'REQUIRES_ACTION',
      providerStatus: 'requires_action',
      reason: 'fraudulent',
      createdAt: '2024-04-27T10:00:45.000Z',
      amount: { minorUnits: 2599, currencyCode: 'GBP', decimal: '25.99' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927938',
        reason: 'FRAUDULENT',
        failureReason: null,
        description: 'Flagged by risk team',
        receiptNumber: null,
        metadata: [
          { key: 'order_id', value: 'A-1003' },
          { key: 'risk_review', value: 'manual' },
        ],
      },
    },
  ],
  [
    WOOSHPAY_FAILED_LOST_CARD,
    {
      status: 'FAILED',
      providerStatus: 'failed',
      reason: 'requested_by_customer',
      createdAt: '2024-04-28T11:21:51.000Z',
      amount: { minorUnits: 8900, currencyCode: 'USD', decimal: '89.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927939',
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: 'LOST_OR_STOLEN_CARD',
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1004' }],
      },
    },
  ],
  [
    WOOSHPAY_FAILED_EXPIRED_CARD,
    {
      status: 'FAILED',
      providerStatus: 'failed',
      reason: 'duplicate',
      createdAt: '2024-04-29T11:21:42.000Z',
      amount: { minorUnits: 1250, currencyCode: 'EUR', decimal: '12.50' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927940',
        reason: 'DUPLICATE',
        failureReason: 'EXPIRED_OR_CANCELED_CARD',
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1005' }],
      },
    },
  ],
  [
    WOOSHPAY_FAILED_UNKNOWN_REASON,
    {
      status: 'FAILED',
      providerStatus: 'failed',
      reason: 'requested_by_customer',
      createdAt: '2024-04-30T11:21:39.000Z',
      amount: { minorUnits: 3300, currencyCode: 'USD', decimal: '33.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927941',
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: 'UNKNOWN',
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1006' }],
      },
    },
  ],
  [
    WOOSHPAY_FAILED_UNDOCUMENTED_REASON,
    {
      status: 'FAILED',
      providerStatus: 'failed',
      reason: 'requested_by_customer',
      createdAt: '2024-05-01T11:21:28.000Z',
      amount: { minorUnits: 15999, currencyCode: 'USD', decimal: '159.99' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927942',
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: 'UNKNOWN',
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1007' }],
      },
    },
  ],
  [
    WOOSHPAY_CANCELED,
    {
      status: 'CANCELED',
      providerStatus: 'canceled',
      reason: 'expired_uncaptured_charge',
      createdAt: '2024-05-02T11:21:17.000Z',
      amount: { minorUnits: 7500, currencyCode: 'USD', decimal: '75.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927943',
        reason: 'EXPIRED_UNCAPTURED_CHARGE',
        failureReason: null,
        description: 'Authorization expired before capture',
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1008' }],
      },
    },
  ],
  [
    WOOSHPAY_UNKNOWN_STATUS,
    {
      status: 'UNKNOWN',
      providerStatus: 'processing_v2',
      reason: 'requested_by_customer',
      createdAt: '2024-05-03T11:21:06.000Z',
      amount: { minorUnits: 2100, currencyCode: 'EUR', decimal: '21.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927944',
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: null,
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1009' }],
      },
    },
  ],
  [
    WOOSHPAY_JPY_ZERO_DECIMAL,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'resolved_dispute',
      createdAt: '2024-05-04T11:20:55.000Z',
      amount: { minorUnits: 5000, currencyCode: 'JPY', decimal: '5000' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927945',
        reason: 'RESOLVED_DISPUTE',
        failureReason: null,
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'J-2001' }],
      },
    },
  ],
  [
    WOOSHPAY_KWD_THREE_DECIMAL,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'merchant_goodwill',
      createdAt: '2024-05-05T11:20:44.000Z',
      amount: { minorUnits: 12345, currencyCode: 'KWD', decimal: '12.345' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927946',
        reason: 'UNKNOWN',
        failureReason: null,
        description: 'Goodwill gesture',
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'K-3001' }],
      },
    },
  ],
  [
    WOOSHPAY_IDR_ABOVE_2_31,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'requested_by_customer',
      createdAt: '2024-05-06T11:20:33.000Z',
      amount: { minorUnits: 15000000000, currencyCode: 'IDR', decimal: '150000000.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927947',
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: null,
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'I-4001' }],
      },
    },
  ],
  [
    WOOSHPAY_UNSORTED_METADATA_NO_PAYMENT_INTENT,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'requested_by_customer',
      createdAt: '2024-05-07T11:20:22.000Z',
      amount: { minorUnits: 1999, currencyCode: 'GBP', decimal: '19.99' },
      details: {
        __typename: 'WooshPayRefundDetails',
        paymentIntentId: null,
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: null,
        description: null,
        receiptNumber: null,
        metadata: [
          { key: 'agent', value: 'jdoe' },
          { key: 'batch', value: '2024-05-07' },
          { key: 'channel', value: 'support_portal' },
          { key: 'order_id', value: 'A-1013' },
          { key: 'zone', value: 'eu-west' },
        ],
      },
    },
  ],
];
const EFUNDPAY_SEEDED_AS_SERVED: ReadonlyArray<readonly [SandboxRefund, Partial<RefundJson>]> = [
  [
    EFUNDPAY_EUR_DOCS_EXAMPLE,
    {
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
    },
  ],
  [
    EFUNDPAY_USD_PROCESSING,
    {
      status: 'PENDING',
      providerStatus: 'processing',
      reason: 'Order cancelled before shipping',
      createdAt: '2024-05-02T08:15:42.123Z',
      amount: { minorUnits: 4500, currencyCode: 'USD', decimal: '45.00' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '023e2e1f-a105-49ff-b624-c09ca19973b5',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1002',
        transactionExternalIdentifier: 'order-1002',
      },
    },
  ],
  [
    EFUNDPAY_GBP_FAILED,
    {
      status: 'FAILED',
      providerStatus: 'failed',
      reason: 'Damaged in transit',
      createdAt: '2024-04-01T04:30:00.000Z',
      amount: { minorUnits: 2599, currencyCode: 'GBP', decimal: '25.99' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '06053dc1-9985-4dc9-a498-87bec4326954',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1003',
        transactionExternalIdentifier: 'order-1003',
      },
    },
  ],
  [
    EFUNDPAY_JPY_DECLINED,
    {
      status: 'FAILED',
      providerStatus: 'declined',
      reason: 'Size exchange not possible',
      createdAt: '2024-04-10T00:00:00.500Z',
      amount: { minorUnits: 5000, currencyCode: 'JPY', decimal: '5000' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '82474240-4ae3-4a5b-aa3c-974e2cd7ae77',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1004',
        transactionExternalIdentifier: 'order-1004',
      },
    },
  ],
  [
    EFUNDPAY_KWD_VOIDED,
    {
      status: 'CANCELED',
      providerStatus: 'voided',
      reason: 'Refund issued in error',
      createdAt: '2024-04-18T11:05:09.250Z',
      amount: { minorUnits: 12345, currencyCode: 'KWD', decimal: '12.345' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '39056b1f-326e-42d6-baf0-1b57c5473007',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1005',
        transactionExternalIdentifier: 'order-1005',
      },
    },
  ],
  [
    EFUNDPAY_UNKNOWN_STATUS,
    {
      status: 'UNKNOWN',
      providerStatus: 'pending_review',
      reason: 'Chargeback pre-arbitration',
      createdAt: '2024-05-19T22:45:00.000Z',
      amount: { minorUnits: 8750, currencyCode: 'EUR', decimal: '87.50' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '534b8af2-1b00-4e9d-9ec5-cc91c4c9318e',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1006',
        transactionExternalIdentifier: 'order-1006',
      },
    },
  ],
  [
    EFUNDPAY_USD_MAX_AMOUNT,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'Enterprise contract termination',
      createdAt: '2024-06-01T12:50:30.999Z',
      amount: { minorUnits: 99999999, currencyCode: 'USD', decimal: '999999.99' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '4a937ace-52f6-4163-abe1-a11a45557221',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1007',
        transactionExternalIdentifier: 'order-1007',
      },
    },
  ],
  [
    EFUNDPAY_NULL_IDENTIFIERS,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: '',
      createdAt: '2024-06-03T11:11:11.000Z',
      amount: { minorUnits: 1000, currencyCode: 'USD', decimal: '10.00' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '8da209d8-fb18-496c-89d2-5bf02e9cc161',
        merchantAccountId: 'default',
        externalIdentifier: null,
        transactionExternalIdentifier: null,
      },
    },
  ],
  [
    EFUNDPAY_FREE_TEXT_REASON,
    {
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'Café said "wrong order"\nrefunded at till',
      createdAt: '2024-06-06T00:59:59.001Z',
      amount: { minorUnits: 450, currencyCode: 'GBP', decimal: '4.50' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: 'f3b0c2d4-6e1a-4c8b-9d7e-2a5f1b3c4d6e',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1009',
        transactionExternalIdentifier: 'order-1009',
      },
    },
  ],
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(() => {
  stack.simulators.wooshpay.clearFaults();
  stack.simulators.efundpay.clearFaults();
  stack.resetCounters();
});

describe('every contract field', () => {
  it("serves WooshPay's docs example refund exactly", async () => {
    const { body } = await stack.graphql<{ refund: RefundJson }>(REFUND_QUERY, {
      id: WOOSHPAY_USD_DOCS_EXAMPLE.id,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refund).toEqual({
      id: WOOSHPAY_USD_DOCS_EXAMPLE.id,
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId,
      ...WOOSHPAY_DOCS_EXAMPLE_AS_SERVED,
    });
  });

  it("serves efundpay's docs example refund exactly", async () => {
    const { body } = await stack.graphql<{ refund: RefundJson }>(REFUND_QUERY, {
      id: EFUNDPAY_EUR_DOCS_EXAMPLE.id,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refund).toEqual({
      id: EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      provider: 'EFUNDPAY',
      providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
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

  it('serves every seeded WooshPay refund as written out above', async () => {
    expect(WOOSHPAY_SEEDED_AS_SERVED.map(([fixture]) => fixture.providerRefundId)).toEqual(
      wooshPaySeedRefunds.map((wire) => wire.id),
    );
    const { body } = await stack.graphql<{ refunds: RefundJson[] }>(REFUNDS_QUERY, {
      ids: WOOSHPAY_SEEDED_AS_SERVED.map(([fixture]) => fixture.id),
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds).toEqual(
      WOOSHPAY_SEEDED_AS_SERVED.map(([fixture, served]) => ({
        id: fixture.id,
        provider: 'WOOSHPAY',
        providerRefundId: fixture.providerRefundId,
        ...served,
      })),
    );
  });

  it('serves every seeded efundpay refund of the merchant account as written out above', async () => {
    expect(EFUNDPAY_SEEDED_AS_SERVED.map(([fixture]) => fixture.providerRefundId)).toEqual(
      efundpaySeedRefunds.filter((entry) => entry.merchantAccountId === 'default').map((entry) => entry.refund.id),
    );
    const { body } = await stack.graphql<{ refunds: RefundJson[] }>(REFUNDS_QUERY, {
      ids: EFUNDPAY_SEEDED_AS_SERVED.map(([fixture]) => fixture.id),
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds).toEqual(
      EFUNDPAY_SEEDED_AS_SERVED.map(([fixture, served]) => ({
        id: fixture.id,
        provider: 'EFUNDPAY',
        providerRefundId: fixture.providerRefundId,
        ...served,
      })),
    );
  });

  it('formats amounts by the ISO 4217 exponent and keeps IDR above 2^31 exact', async () => {
    const ids = [
      WOOSHPAY_JPY_ZERO_DECIMAL.providerRefundId,
      WOOSHPAY_KWD_THREE_DECIMAL.providerRefundId,
      WOOSHPAY_IDR_ABOVE_2_31.providerRefundId,
      EFUNDPAY_USD_MAX_AMOUNT.providerRefundId,
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
      WOOSHPAY_UNKNOWN_STATUS.providerRefundId,
      WOOSHPAY_KWD_THREE_DECIMAL.providerRefundId,
      WOOSHPAY_FAILED_UNDOCUMENTED_REASON.providerRefundId,
      EFUNDPAY_UNKNOWN_STATUS.providerRefundId,
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
      id: EFUNDPAY_GBP_FAILED.providerRefundId,
    });
    expect(body.data?.refund.createdAt).toBe('2024-04-01T04:30:00.000Z');
  });

  it('returns WooshPay metadata sorted by key', async () => {
    const { body } = await stack.graphql<{ refund: RefundJson }>(REFUND_QUERY, {
      id: WOOSHPAY_UNSORTED_METADATA_NO_PAYMENT_INTENT.providerRefundId,
    });
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
    ['a WooshPay global id', WOOSHPAY_USD_SPEC_EXAMPLE.id, WOOSHPAY_USD_SPEC_EXAMPLE.id],
    ['a bare WooshPay id', WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, WOOSHPAY_USD_SPEC_EXAMPLE.id],
    ['an efundpay global id', EFUNDPAY_EUR_DOCS_EXAMPLE.id, EFUNDPAY_EUR_DOCS_EXAMPLE.id],
    ['a bare efundpay UUID', EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, EFUNDPAY_EUR_DOCS_EXAMPLE.id],
    [
      'an upper-case efundpay UUID',
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId.toUpperCase(),
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
    ],
    [
      'an upper-case UUID in a global id',
      `efundpay:${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId.toUpperCase()}`,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
    ],
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
        locations: expect.any(Array) as unknown,
        path: ['refund'],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(stack.providerCalls()).toBe(0);
  });
});

describe('not found', () => {
  it('is null with no error, for both providers', async () => {
    for (const id of [WOOSHPAY_NOT_SEEDED.providerRefundId, EFUNDPAY_NOT_SEEDED.providerRefundId]) {
      const { body } = await stack.graphql(REFUND_QUERY, { id });
      expect(body, id).toEqual({ data: { refund: null } });
    }
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_NOT_SEEDED.providerRefundId)).toBe(1);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_NOT_SEEDED.providerRefundId)).toBe(1);
  });

  it("treats another merchant account's efundpay refund as not found", async () => {
    const { body } = await stack.graphql(REFUND_QUERY, { id: EFUNDPAY_OTHER_MERCHANT.providerRefundId });
    expect(body).toEqual({ data: { refund: null } });
  });
});

describe('refunds', () => {
  it('keeps the order and length of ids, with null where a refund does not exist and no error', async () => {
    const ids = [
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      WOOSHPAY_NOT_SEEDED.providerRefundId,
      WOOSHPAY_USD_DOCS_EXAMPLE.id,
      EFUNDPAY_OTHER_MERCHANT.providerRefundId,
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      EFUNDPAY_USD_PROCESSING.id,
    ];
    const { body } = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      { ids },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.refunds).toEqual([
      { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
      null,
      { id: WOOSHPAY_USD_DOCS_EXAMPLE.id },
      null,
      { id: WOOSHPAY_USD_SPEC_EXAMPLE.id },
      { id: EFUNDPAY_USD_PROCESSING.id },
    ]);
  });

  it('answers an empty list with an empty list and no provider call', async () => {
    const { body } = await stack.graphql('{ refunds(ids: []) { id } }');
    expect(body).toEqual({ data: { refunds: [] } });
    expect(stack.providerCalls()).toBe(0);
  });

  it('fails a bad id at its own index while the valid ids still load, calling no provider for it', async () => {
    const ids = [
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      'not-a-refund-id',
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      'efundpay:re_123',
    ];
    const { body } = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      { ids },
    );
    expect(body.data?.refunds).toEqual([
      { id: WOOSHPAY_USD_SPEC_EXAMPLE.id },
      null,
      { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
      null,
    ]);
    expect(body.errors).toHaveLength(2);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: ['refunds', 1],
          message: expect.stringMatching(/^Invalid refund id "not-a-refund-id": expected a global id/) as unknown,
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
    expect(stack.simulators.wooshpay.requests.map((request) => request.refundId)).toEqual([
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
    ]);
    expect(stack.simulators.efundpay.requests.map((request) => request.refundId)).toEqual([
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
    ]);
  });
});

describe('partial failure', () => {
  it('nulls only the refund whose provider call failed, with its own typed error at its index', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_USD_PROCESSING.providerRefundId, { kind: 'status', status: 503 });
    const ids = [
      WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId,
      EFUNDPAY_USD_PROCESSING.providerRefundId,
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
    ];
    const { status, body } = await stack.graphql<{ refunds: Array<{ id: string; status: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id status } }',
      { ids },
    );
    expect(status).toBe(200);
    expect(body.data?.refunds).toEqual([
      { id: WOOSHPAY_USD_DOCS_EXAMPLE.id, status: 'SUCCEEDED' },
      null,
      { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id, status: 'SUCCEEDED' },
      { id: WOOSHPAY_USD_SPEC_EXAMPLE.id, status: 'SUCCEEDED' },
    ]);
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error).toMatchObject({
      path: ['refunds', 1],
      extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'EFUNDPAY' },
    });
    expect(error!.message).toMatch(/^efundpay: /);
    // No provider URL, host or response body in what the client sees.
    expect(error!.message).not.toContain(stack.simulators.efundpay.origin);
    expect(error!.message).not.toContain('127.0.0.1');
    expect(error!.message).not.toContain('Service temporarily unavailable');
    expect(JSON.stringify(body)).not.toContain('service_unavailable');
  });

  it('reports a provider failure on `refund` too, with extensions.provider', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId, { kind: 'status', status: 500 });
    const { body } = await stack.graphql(REFUND_QUERY, { id: WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId });
    expect(body.data).toEqual({ refund: null });
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['refund'], extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' } }),
    ]);
  });

  it('keeps the other provider intact when one provider fails for every refund', async () => {
    stack.simulators.wooshpay.injectFault('*', { kind: 'status', status: 502 });
    const ids = [
      WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId,
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      EFUNDPAY_USD_PROCESSING.providerRefundId,
    ];
    const { body } = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(
      'query ($ids: [ID!]!) { refunds(ids: $ids) { id } }',
      { ids },
    );
    expect(body.data?.refunds).toEqual([
      null,
      { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
      null,
      { id: EFUNDPAY_USD_PROCESSING.id },
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
    stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
      kind: 'raw',
      contentType: 'application/json',
      body: JSON.stringify({
        type: 'refund',
        id: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
        amount: 'lots',
        secret_marker: 'zz-body-zz',
      }),
    });
    const { body } = await stack.graphql(REFUND_QUERY, { id: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId });
    expect(body.data).toEqual({ refund: null });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_BAD_RESPONSE', provider: 'EFUNDPAY' });
    expect(JSON.stringify(body)).not.toContain('zz-body-zz');
    expect(stack.rawLogs.join('\n')).not.toContain('zz-body-zz');
  });
});
