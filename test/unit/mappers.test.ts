/**
 * Both provider mappers, fed the way the clients feed them: a JSON body parsed through the
 * provider's zod wire schema, then mapped. Every status and reason the provider notes
 * (docs/providers/*.md) list lands on the enum value the schema describes for it;
 * anything undocumented becomes UNKNOWN with the raw value kept; extra fields are ignored.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapEfundpayRefund } from '../../src/providers/efundpay/mapper.js';
import { efundpaySeedRefunds } from '../../src/providers/efundpay/seed.js';
import { efundpayRefundSchema } from '../../src/providers/efundpay/wire.js';
import type { EfundpayRefundDetailsModel } from '../../src/providers/efundpay/model.js';
import { mapWooshPayRefund } from '../../src/providers/wooshpay/mapper.js';
import { wooshPaySeedRefunds } from '../../src/providers/wooshpay/seed.js';
import { wooshPayRefundSchema } from '../../src/providers/wooshpay/wire.js';
import type { WooshPayRefundDetailsModel } from '../../src/providers/wooshpay/model.js';
import type { RefundModel } from '../../src/domain/refund.js';
import { EFUNDPAY_EUR_DOCS_EXAMPLE, WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';
import { WOOSHPAY_DOCS_BODY } from '../fixtures/provider-bodies.js';

/** The documented example body of efundpay.md. */
const EFUNDPAY_DOCS_BODY = {
  type: 'refund',
  id: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
  transaction_id: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
  status: 'succeeded',
  currency: 'EUR',
  amount: 1299,
  reason: 'Customer returned the item',
  external_identifier: 'refund-ext-1001',
  transaction_external_identifier: 'order-1001',
  created_at: '2013-07-16T19:23:00.000+00:00',
};

/**
 * The values a provider's notes (docs/providers/<provider>.md) list after `label:` in its bullet
 * list: the backticked words of that sentence. An independent source for "every documented value":
 * the mapper's own tables are what is under test.
 */
function documentedValues(provider: 'wooshpay' | 'efundpay', label: string): string[] {
  const notes = readFileSync(new URL(`../../docs/providers/${provider}.md`, import.meta.url), 'utf8');
  // One bullet per entry, continuation lines joined.
  const bullets = notes.split(/\n(?=- |#)/).map((bullet) => bullet.replace(/\n\s+/g, ' '));
  const pattern = new RegExp(`(?:^- |\\. )${label}: (.*?)(?:\\.(?: |$)|$)`);
  const sentence = bullets.map((bullet) => pattern.exec(bullet.trim())?.[1]).find((match) => match !== undefined);
  if (sentence === undefined) throw new Error(`Expected a "${label}:" sentence in docs/providers/${provider}.md`);
  const values = [...new Set([...sentence.matchAll(/`([^`]+)`/g)].map((match) => match[1]!))];
  if (values.length < 3)
    throw new Error(`Expected at least 3 values after "${label}:", read ${JSON.stringify(values)}`);
  return values;
}

/** Each documented wire value and the GraphQL value it must become (schema.graphql's descriptions). */
const WOOSHPAY_STATUS_TABLE: Record<string, string> = {
  pending: 'PENDING',
  requires_action: 'REQUIRES_ACTION',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  canceled: 'CANCELED',
};
const WOOSHPAY_REASON_TABLE: Record<string, string> = {
  duplicate: 'DUPLICATE',
  fraudulent: 'FRAUDULENT',
  requested_by_customer: 'REQUESTED_BY_CUSTOMER',
  expired_uncaptured_charge: 'EXPIRED_UNCAPTURED_CHARGE',
  resolved_dispute: 'RESOLVED_DISPUTE',
};
const WOOSHPAY_FAILURE_REASON_TABLE: Record<string, string> = {
  lost_or_stolen_card: 'LOST_OR_STOLEN_CARD',
  expired_or_canceled_card: 'EXPIRED_OR_CANCELED_CARD',
  unknown: 'UNKNOWN',
};
const EFUNDPAY_STATUS_TABLE: Record<string, string> = {
  processing: 'PENDING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  declined: 'FAILED',
  voided: 'CANCELED',
};

/** A copy of `body` without `fields`, as a provider that leaves them out would send it. */
function omit(body: object, ...fields: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([field]) => !fields.includes(field)));
}

/** Parses a WooshPay body through the wire schema (as the client does) and maps it. */
function wooshPay(overrides: Record<string, unknown> = {}): RefundModel & { details: WooshPayRefundDetailsModel } {
  const model = mapWooshPayRefund(wooshPayRefundSchema.parse({ ...WOOSHPAY_DOCS_BODY, ...overrides }));
  if (model.details.kind !== 'WooshPayRefundDetails') throw new Error(`unexpected details kind ${model.details.kind}`);
  return model as RefundModel & { details: WooshPayRefundDetailsModel };
}

function efundpay(
  overrides: Record<string, unknown> = {},
  merchantAccountId = 'default',
): RefundModel & { details: EfundpayRefundDetailsModel } {
  const model = mapEfundpayRefund(
    efundpayRefundSchema.parse({ ...EFUNDPAY_DOCS_BODY, ...overrides }),
    merchantAccountId,
  );
  if (model.details.kind !== 'EfundpayRefundDetails') throw new Error(`unexpected details kind ${model.details.kind}`);
  return model as RefundModel & { details: EfundpayRefundDetailsModel };
}

describe('WooshPay mapper', () => {
  it('maps the documented example body field by field', () => {
    expect(wooshPay()).toEqual({
      id: WOOSHPAY_USD_SPEC_EXAMPLE.id,
      provider: 'WOOSHPAY',
      paymentId: 'pi_1787730829493927936',
      providerRefundId: WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'requested_by_customer',
      createdAt: new Date('2024-04-25T07:31:14.000Z'),
      amount: { minorUnits: 1500, currencyCode: 'USD' },
      details: {
        kind: 'WooshPayRefundDetails',
        paymentIntentId: 'pi_1787730829493927936',
        reason: 'REQUESTED_BY_CUSTOMER',
        failureReason: null,
        description: null,
        receiptNumber: null,
        metadata: [{ key: 'order_id', value: 'A-1001' }],
      },
    });
  });

  it.each(Object.entries(WOOSHPAY_STATUS_TABLE))('maps status %s to %s, keeping the raw value', (raw, expected) => {
    const refund = wooshPay({ status: raw });
    expect(refund.status).toBe(expected);
    expect(refund.providerStatus).toBe(raw);
  });

  it('maps every status docs/providers/wooshpay.md documents to the status schema.graphql gives it', () => {
    const documented = documentedValues('wooshpay', 'Statuses');
    expect(documented.toSorted()).toEqual(Object.keys(WOOSHPAY_STATUS_TABLE).toSorted());
    for (const status of documented) expect(wooshPay({ status }).status, status).toBe(WOOSHPAY_STATUS_TABLE[status]);
  });

  it.each(['processing_v2', 'SUCCEEDED', 'cancelled', 'unknown', 'constructor', 'toString', '__proto__'])(
    'maps the undocumented status %j to UNKNOWN with the raw value in providerStatus',
    (raw) => {
      const refund = wooshPay({ status: raw });
      expect(refund.status).toBe('UNKNOWN');
      expect(refund.providerStatus).toBe(raw);
    },
  );

  it.each(Object.entries(WOOSHPAY_REASON_TABLE))('maps reason %s to %s and keeps the raw reason', (raw, expected) => {
    const refund = wooshPay({ reason: raw });
    expect(refund.details.reason).toBe(expected);
    expect(refund.reason).toBe(raw);
  });

  it('maps every reason and failure reason docs/providers/wooshpay.md documents to its own enum value', () => {
    const reasons = documentedValues('wooshpay', 'Reasons');
    expect(reasons.toSorted()).toEqual(Object.keys(WOOSHPAY_REASON_TABLE).toSorted());
    for (const reason of reasons) {
      expect(wooshPay({ reason }).details.reason, reason).toBe(WOOSHPAY_REASON_TABLE[reason]);
    }
    const failureReasons = documentedValues('wooshpay', 'Failure reasons');
    expect(failureReasons.toSorted()).toEqual(Object.keys(WOOSHPAY_FAILURE_REASON_TABLE).toSorted());
    for (const failure of failureReasons) {
      expect(wooshPay({ status: 'failed', failure_reason: failure }).details.failureReason, failure).toBe(
        WOOSHPAY_FAILURE_REASON_TABLE[failure],
      );
    }
  });

  it('maps an undocumented reason to UNKNOWN and keeps the raw text in `reason`', () => {
    const refund = wooshPay({ reason: 'merchant_goodwill' });
    expect(refund.details.reason).toBe('UNKNOWN');
    expect(refund.reason).toBe('merchant_goodwill');
  });

  it('leaves a missing reason null on both fields', () => {
    expect(wooshPay({ reason: null })).toMatchObject({ reason: null, details: { reason: null } });
    const withoutReason = omit(WOOSHPAY_DOCS_BODY, 'reason');
    const refund = mapWooshPayRefund(wooshPayRefundSchema.parse(withoutReason));
    expect(refund.reason).toBeNull();
    expect((refund.details as WooshPayRefundDetailsModel).reason).toBeNull();
  });

  it.each([
    ['lost_or_stolen_card', 'LOST_OR_STOLEN_CARD'],
    ['expired_or_canceled_card', 'EXPIRED_OR_CANCELED_CARD'],
    ['unknown', 'UNKNOWN'],
    ['charge_for_pending_refund_disputed', 'UNKNOWN'],
    ['insufficient_funds', 'UNKNOWN'],
  ])('maps failure_reason %s to %s', (raw, expected) => {
    expect(wooshPay({ status: 'failed', failure_reason: raw }).details.failureReason).toBe(expected);
  });

  it('leaves failureReason null when WooshPay gives none', () => {
    expect(wooshPay({ failure_reason: null }).details.failureReason).toBeNull();
  });

  it('sorts metadata by key, whatever order the provider sent', () => {
    const refund = wooshPay({
      metadata: { zone: 'eu-west', order_id: 'A-1013', channel: 'support', Agent: 'x', batch: '7' },
    });
    expect(refund.details.metadata).toEqual([
      { key: 'Agent', value: 'x' },
      { key: 'batch', value: '7' },
      { key: 'channel', value: 'support' },
      { key: 'order_id', value: 'A-1013' },
      { key: 'zone', value: 'eu-west' },
    ]);
  });

  it('gives an empty metadata list for empty, null or missing metadata', () => {
    expect(wooshPay({ metadata: {} }).details.metadata).toEqual([]);
    expect(wooshPay({ metadata: null }).details.metadata).toEqual([]);
    const withoutMetadata = omit(WOOSHPAY_DOCS_BODY, 'metadata');
    expect(
      (mapWooshPayRefund(wooshPayRefundSchema.parse(withoutMetadata)).details as WooshPayRefundDetailsModel).metadata,
    ).toEqual([]);
  });

  it('turns `created` (Unix seconds) into a UTC Date', () => {
    expect(wooshPay({ created: 0 }).createdAt.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(wooshPay({ created: 1713949200 }).createdAt.toISOString()).toBe('2024-04-24T09:00:00.000Z');
  });

  it('upper-cases the currency and keeps large amounts exact', () => {
    expect(wooshPay({ currency: 'jpy', amount: 5000 }).amount).toEqual({ minorUnits: 5000, currencyCode: 'JPY' });
    expect(wooshPay({ currency: 'idr', amount: 15000000000 }).amount).toEqual({
      minorUnits: 15000000000,
      currencyCode: 'IDR',
    });
  });

  it('ignores fields the wire format does not know', () => {
    const refund = wooshPay({
      charge: 'ch_123',
      balance_transaction: 'txn_1',
      destination_details: { type: 'card' },
      livemode: false,
    });
    expect(refund).toEqual(wooshPay());
    expect(Object.keys(refund.details).sort()).toEqual(
      ['description', 'failureReason', 'kind', 'metadata', 'paymentIntentId', 'reason', 'receiptNumber'].sort(),
    );
  });

  it('rejects wrongly typed fields at the wire schema, before mapping', () => {
    expect(wooshPayRefundSchema.safeParse({ ...WOOSHPAY_DOCS_BODY, amount: '1500' }).success).toBe(false);
    expect(wooshPayRefundSchema.safeParse({ ...WOOSHPAY_DOCS_BODY, object: 'charge' }).success).toBe(false);
    expect(wooshPayRefundSchema.safeParse({ ...WOOSHPAY_DOCS_BODY, metadata: { n: 1 } }).success).toBe(false);
  });

  it('maps every seeded sandbox refund without throwing, each with its own id', () => {
    for (const seeded of wooshPaySeedRefunds) {
      const refund = mapWooshPayRefund(wooshPayRefundSchema.parse(seeded));
      expect(refund.id).toBe(`wooshpay:${seeded.id}`);
      expect(refund.providerStatus).toBe(seeded.status);
    }
  });
});

describe('efundpay mapper', () => {
  it('maps the documented example body field by field', () => {
    expect(efundpay()).toEqual({
      id: EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      provider: 'EFUNDPAY',
      paymentId: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
      providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      status: 'SUCCEEDED',
      providerStatus: 'succeeded',
      reason: 'Customer returned the item',
      createdAt: new Date('2013-07-16T19:23:00.000Z'),
      amount: { minorUnits: 1299, currencyCode: 'EUR' },
      details: {
        kind: 'EfundpayRefundDetails',
        transactionId: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
        merchantAccountId: 'default',
        externalIdentifier: 'refund-ext-1001',
        transactionExternalIdentifier: 'order-1001',
      },
    });
  });

  it.each(Object.entries(EFUNDPAY_STATUS_TABLE))('maps status %s to %s, keeping the raw value', (raw, expected) => {
    const refund = efundpay({ status: raw });
    expect(refund.status).toBe(expected);
    expect(refund.providerStatus).toBe(raw);
  });

  it('maps every status docs/providers/efundpay.md documents to the status schema.graphql gives it', () => {
    const documented = documentedValues('efundpay', 'Statuses');
    expect(documented.toSorted()).toEqual(Object.keys(EFUNDPAY_STATUS_TABLE).toSorted());
    for (const status of documented) expect(efundpay({ status }).status, status).toBe(EFUNDPAY_STATUS_TABLE[status]);
  });

  it.each(['pending_review', 'pending', 'canceled', 'SUCCEEDED', 'hasOwnProperty'])(
    'maps the undocumented status %j to UNKNOWN with the raw value in providerStatus',
    (raw) => {
      const refund = efundpay({ status: raw });
      expect(refund.status).toBe('UNKNOWN');
      expect(refund.providerStatus).toBe(raw);
    },
  );

  it('keeps the free-text reason verbatim, including quotes, non-ASCII and newlines', () => {
    const reason = 'Café said "wrong order"\nrefunded at till';
    expect(efundpay({ reason }).reason).toBe(reason);
    expect(efundpay({ reason: '' }).reason).toBe('');
    expect(efundpay({ reason: null }).reason).toBeNull();
  });

  it('turns offsets into UTC: a -05:00 evening is the next day in UTC', () => {
    expect(efundpay({ created_at: '2024-03-31T23:30:00.000-05:00' }).createdAt.toISOString()).toBe(
      '2024-04-01T04:30:00.000Z',
    );
    expect(efundpay({ created_at: '2024-04-10T09:00:00.500+09:00' }).createdAt.toISOString()).toBe(
      '2024-04-10T00:00:00.500Z',
    );
    expect(efundpay({ created_at: '2024-06-01T18:20:30.999+05:30' }).createdAt.toISOString()).toBe(
      '2024-06-01T12:50:30.999Z',
    );
    expect(efundpay({ created_at: '2024-05-02T08:15:42.123Z' }).createdAt.toISOString()).toBe(
      '2024-05-02T08:15:42.123Z',
    );
  });

  it('refuses a created_at that is not ISO 8601 at the wire schema', () => {
    expect(efundpayRefundSchema.safeParse({ ...EFUNDPAY_DOCS_BODY, created_at: 'yesterday' }).success).toBe(false);
    expect(efundpayRefundSchema.safeParse({ ...EFUNDPAY_DOCS_BODY, created_at: 1714030274 }).success).toBe(false);
  });

  it('canonicalises an upper-case refund id to lower case', () => {
    const refund = efundpay({ id: EFUNDPAY_DOCS_BODY.id.toUpperCase() });
    expect(refund.providerRefundId).toBe(EFUNDPAY_DOCS_BODY.id);
    expect(refund.id).toBe(`efundpay:${EFUNDPAY_DOCS_BODY.id}`);
  });

  it('reports the merchant account the refund was read under', () => {
    expect(efundpay({}, 'acme-eu').details.merchantAccountId).toBe('acme-eu');
  });

  it('leaves missing external identifiers null', () => {
    expect(efundpay({ external_identifier: null, transaction_external_identifier: null }).details).toMatchObject({
      externalIdentifier: null,
      transactionExternalIdentifier: null,
    });
    const without = omit(EFUNDPAY_DOCS_BODY, 'external_identifier', 'transaction_external_identifier');
    expect(mapEfundpayRefund(efundpayRefundSchema.parse(without), 'default').details).toMatchObject({
      externalIdentifier: null,
      transactionExternalIdentifier: null,
    });
  });

  it('upper-cases the currency and formats by ISO exponent downstream', () => {
    expect(efundpay({ currency: 'kwd', amount: 12345 }).amount).toEqual({ minorUnits: 12345, currencyCode: 'KWD' });
    expect(efundpay({ currency: 'JPY', amount: 5000 }).amount).toEqual({ minorUnits: 5000, currencyCode: 'JPY' });
  });

  it('ignores the extra fields real Gr4vy responses carry', () => {
    const refund = efundpay({
      updated_at: '2013-07-16T19:23:00.000+00:00',
      target_type: 'payment-method',
      target_id: null,
      reconciliation_id: '6a1d4e4614ed4fe1a45fef',
      settled: true,
      error_code: null,
      merchant_account_id: 'someone-else',
    });
    expect(refund).toEqual(efundpay());
  });

  it('rejects wrongly typed fields at the wire schema, before mapping', () => {
    expect(efundpayRefundSchema.safeParse({ ...EFUNDPAY_DOCS_BODY, amount: 12.99 }).success).toBe(false);
    expect(efundpayRefundSchema.safeParse({ ...EFUNDPAY_DOCS_BODY, type: 'transaction' }).success).toBe(false);
    expect(efundpayRefundSchema.safeParse({ ...EFUNDPAY_DOCS_BODY, transaction_id: undefined }).success).toBe(false);
  });

  it('maps every seeded sandbox refund without throwing, under its own account', () => {
    for (const seeded of efundpaySeedRefunds) {
      const refund = mapEfundpayRefund(efundpayRefundSchema.parse(seeded.refund), seeded.merchantAccountId);
      expect(refund.id).toBe(`efundpay:${seeded.refund.id}`);
      expect(refund.providerStatus).toBe(seeded.refund.status);
    }
  });
});
