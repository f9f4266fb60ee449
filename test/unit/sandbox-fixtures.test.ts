/**
 * The named sandbox refunds say the truth about the seed data, and every refund id the README,
 * the docs and the GraphiQL example tabs cite is one of them (so the examples run as written).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { efundpaySeedTransactions } from '../../src/providers/efundpay/seed-transactions.js';
import { efundpaySeedRefunds } from '../../src/providers/efundpay/seed.js';
import type { EfundpayRefundWire } from '../../src/providers/efundpay/wire.js';
import { wooshPaySeedRefunds } from '../../src/providers/wooshpay/seed.js';
import type { WooshPayRefundWire } from '../../src/providers/wooshpay/wire.js';
import { EXAMPLE_TABS } from '../../web/graphiql/example-operations.js';
import * as fixtures from '../fixtures/sandbox-refunds.js';

const wooshpay = (id: string): WooshPayRefundWire | undefined => wooshPaySeedRefunds.find((r) => r.id === id);
const efundpay = (id: string) => efundpaySeedRefunds.find((r) => r.refund.id === id);
const efundpayDefault = (id: string): EfundpayRefundWire | undefined => {
  const seeded = efundpay(id);
  return seeded?.merchantAccountId === 'default' ? seeded.refund : undefined;
};

/** What each name promises, as a subset of the seeded wire record. */
const WOOSHPAY_PROMISES: Record<string, Partial<WooshPayRefundWire>> = {
  WOOSHPAY_USD_DOCS_EXAMPLE: { status: 'succeeded', currency: 'usd', amount: 2000, receipt_number: '1753-2209' },
  WOOSHPAY_USD_SPEC_EXAMPLE: { status: 'succeeded', currency: 'usd', amount: 1500, metadata: { order_id: 'A-1001' } },
  WOOSHPAY_EUR_PENDING: { status: 'pending', currency: 'eur', reason: null },
  WOOSHPAY_GBP_REQUIRES_ACTION: { status: 'requires_action', currency: 'gbp', reason: 'fraudulent' },
  WOOSHPAY_FAILED_LOST_CARD: { status: 'failed', failure_reason: 'lost_or_stolen_card' },
  WOOSHPAY_FAILED_EXPIRED_CARD: { status: 'failed', failure_reason: 'expired_or_canceled_card' },
  WOOSHPAY_FAILED_UNKNOWN_REASON: { status: 'failed', failure_reason: 'unknown' },
  WOOSHPAY_FAILED_UNDOCUMENTED_REASON: { status: 'failed', failure_reason: 'charge_for_pending_refund_disputed' },
  WOOSHPAY_CANCELED: { status: 'canceled', reason: 'expired_uncaptured_charge' },
  WOOSHPAY_UNKNOWN_STATUS: { status: 'processing_v2' },
  WOOSHPAY_JPY_ZERO_DECIMAL: { currency: 'jpy', amount: 5000, reason: 'resolved_dispute' },
  WOOSHPAY_KWD_THREE_DECIMAL: { currency: 'kwd', amount: 12345, reason: 'merchant_goodwill' },
  WOOSHPAY_IDR_ABOVE_2_31: { currency: 'idr', amount: 15_000_000_000 },
  WOOSHPAY_UNSORTED_METADATA_NO_PAYMENT_INTENT: {
    payment_intent: null,
    metadata: { zone: 'eu-west', order_id: 'A-1013', channel: 'support_portal', agent: 'jdoe', batch: '2024-05-07' },
  },
};

const EFUNDPAY_PROMISES: Record<string, Partial<EfundpayRefundWire>> = {
  EFUNDPAY_EUR_DOCS_EXAMPLE: { status: 'succeeded', currency: 'EUR', amount: 1299 },
  EFUNDPAY_USD_PROCESSING: { status: 'processing', currency: 'USD', created_at: '2024-05-02T08:15:42.123Z' },
  EFUNDPAY_GBP_FAILED: { status: 'failed', currency: 'GBP', created_at: '2024-03-31T23:30:00.000-05:00' },
  EFUNDPAY_JPY_DECLINED: { status: 'declined', currency: 'JPY', amount: 5000 },
  EFUNDPAY_KWD_VOIDED: { status: 'voided', currency: 'KWD', amount: 12345 },
  EFUNDPAY_UNKNOWN_STATUS: { status: 'pending_review' },
  EFUNDPAY_USD_MAX_AMOUNT: { currency: 'USD', amount: 99_999_999 },
  EFUNDPAY_NULL_IDENTIFIERS: { external_identifier: null, transaction_external_identifier: null, reason: '' },
  EFUNDPAY_FREE_TEXT_REASON: { reason: 'Café said "wrong order"\nrefunded at till' },
};

const OTHER_MERCHANT = ['EFUNDPAY_OTHER_MERCHANT', 'EFUNDPAY_OTHER_MERCHANT_PROCESSING'];
const NOT_SEEDED = ['WOOSHPAY_NOT_SEEDED', 'EFUNDPAY_NOT_SEEDED'];

const byName = fixtures as Record<string, fixtures.SandboxRefund>;

describe('named sandbox refunds', () => {
  it('names every fixture exactly once in the checks below', () => {
    expect(Object.keys(byName).sort()).toEqual(
      [...Object.keys(WOOSHPAY_PROMISES), ...Object.keys(EFUNDPAY_PROMISES), ...OTHER_MERCHANT, ...NOT_SEEDED].sort(),
    );
  });

  it.each(Object.entries(WOOSHPAY_PROMISES))('%s is the seeded WooshPay refund it names', (name, promise) => {
    const fixture = byName[name]!;
    expect(fixture.id).toBe(`wooshpay:${fixture.providerRefundId}`);
    expect(wooshpay(fixture.providerRefundId)).toMatchObject(promise);
  });

  it.each(Object.entries(EFUNDPAY_PROMISES))(
    "%s is the seeded efundpay refund of account 'default' it names",
    (name, promise) => {
      const fixture = byName[name]!;
      expect(fixture.id).toBe(`efundpay:${fixture.providerRefundId}`);
      expect(efundpayDefault(fixture.providerRefundId)).toMatchObject(promise);
    },
  );

  it('EFUNDPAY_OTHER_MERCHANT* belong to another merchant account', () => {
    expect(efundpay(fixtures.EFUNDPAY_OTHER_MERCHANT.providerRefundId)?.merchantAccountId).toBe('acme-eu');
    expect(efundpay(fixtures.EFUNDPAY_OTHER_MERCHANT_PROCESSING.providerRefundId)).toMatchObject({
      merchantAccountId: 'acme-eu',
      refund: { status: 'processing' },
    });
  });

  it('the NOT_SEEDED ids are not in the seed', () => {
    expect(wooshpay(fixtures.WOOSHPAY_NOT_SEEDED.providerRefundId)).toBeUndefined();
    expect(efundpay(fixtures.EFUNDPAY_NOT_SEEDED.providerRefundId)).toBeUndefined();
  });
});

describe('refund ids cited by the docs and the GraphiQL example tabs', () => {
  // Named refunds, and the seeded transactions the README offers to createRefund (also UUIDs).
  const known = new Set([
    ...Object.values(byName).flatMap((fixture) => [fixture.id, fixture.providerRefundId]),
    ...efundpaySeedTransactions.map((transaction) => transaction.id),
  ]);
  const ID =
    /(?<![\w:-])(?:(?:wooshpay|efundpay):)?(?:re_[A-Za-z0-9]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g;
  const sources: Record<string, string> = {
    'README.md': readFileSync('README.md', 'utf8'),
    'web/graphiql/example-operations.ts': EXAMPLE_TABS.map((tab) => tab.query).join('\n'),
  };

  it.each(Object.entries(sources))('%s cites only named sandbox refunds', (_file, text) => {
    const cited = [...new Set(text.match(ID) ?? [])];
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.filter((id) => !known.has(id))).toEqual([]);
  });
});
