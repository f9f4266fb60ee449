/**
 * Deterministic WooshPay refunds served by the sandbox and the tests. Ids are stable: tests and
 * the README cite them. Each entry says what it demonstrates.
 */
import type { WooshPayRefundWire } from './wire.js';

export const wooshPaySeedRefunds: readonly WooshPayRefundWire[] = [
  // The docs' example id (Stripe-style alphanumeric) with the receipt_number only the docs show.
  {
    id: 're_3KQu4U2eZvKYlo2C02Ndp8xy', object: 'refund', amount: 2000, created: 1713949200, currency: 'usd',
    metadata: {}, payment_intent: 'pi_3KQu4U2eZvKYlo2C0xbTv6Qn', reason: 'duplicate', status: 'succeeded',
    description: 'Customer was charged twice', failure_reason: null, receipt_number: '1753-2209',
  },
  // Exactly the example body in wooshpay.md.
  {
    id: 're_1787731200000000001', object: 'refund', amount: 1500, created: 1714030274, currency: 'usd',
    metadata: { order_id: 'A-1001' }, payment_intent: 'pi_1787730829493927936', reason: 'requested_by_customer',
    status: 'succeeded', description: null, failure_reason: null, receipt_number: null,
  },
  // Status pending, no reason given (null), EUR.
  {
    id: 're_1787731200000000002', object: 'refund', amount: 4999, created: 1714117530, currency: 'eur',
    metadata: { order_id: 'A-1002' }, payment_intent: 'pi_1787730829493927937', reason: null, status: 'pending',
    description: null, failure_reason: null, receipt_number: null,
  },
  // Status requires_action, reason fraudulent, GBP.
  {
    id: 're_1787731200000000003', object: 'refund', amount: 2599, created: 1714212045, currency: 'gbp',
    metadata: { order_id: 'A-1003', risk_review: 'manual' }, payment_intent: 'pi_1787730829493927938',
    reason: 'fraudulent', status: 'requires_action', description: 'Flagged by risk team', failure_reason: null,
    receipt_number: null,
  },
  // Status failed with failure_reason lost_or_stolen_card.
  {
    id: 're_1787731200000000004', object: 'refund', amount: 8900, created: 1714303311, currency: 'usd',
    metadata: { order_id: 'A-1004' }, payment_intent: 'pi_1787730829493927939', reason: 'requested_by_customer',
    status: 'failed', description: null, failure_reason: 'lost_or_stolen_card', receipt_number: null,
  },
  // Status failed with failure_reason expired_or_canceled_card.
  {
    id: 're_1787731200000000005', object: 'refund', amount: 1250, created: 1714389702, currency: 'eur',
    metadata: { order_id: 'A-1005' }, payment_intent: 'pi_1787730829493927940', reason: 'duplicate',
    status: 'failed', description: null, failure_reason: 'expired_or_canceled_card', receipt_number: null,
  },
  // Status failed with the documented catch-all failure_reason 'unknown'.
  {
    id: 're_1787731200000000006', object: 'refund', amount: 3300, created: 1714476099, currency: 'usd',
    metadata: { order_id: 'A-1006' }, payment_intent: 'pi_1787730829493927941', reason: 'requested_by_customer',
    status: 'failed', description: null, failure_reason: 'unknown', receipt_number: null,
  },
  // Status failed with a failure_reason WooshPay does not document (Stripe has it): must pass through.
  {
    id: 're_1787731200000000007', object: 'refund', amount: 15999, created: 1714562488, currency: 'usd',
    metadata: { order_id: 'A-1007' }, payment_intent: 'pi_1787730829493927942', reason: 'requested_by_customer',
    status: 'failed', description: null, failure_reason: 'charge_for_pending_refund_disputed', receipt_number: null,
  },
  // Status canceled, reason expired_uncaptured_charge.
  {
    id: 're_1787731200000000008', object: 'refund', amount: 7500, created: 1714648877, currency: 'usd',
    metadata: { order_id: 'A-1008' }, payment_intent: 'pi_1787730829493927943', reason: 'expired_uncaptured_charge',
    status: 'canceled', description: 'Authorization expired before capture', failure_reason: null, receipt_number: null,
  },
  // An unknown future status value: must be tolerated, not rejected.
  {
    id: 're_1787731200000000009', object: 'refund', amount: 2100, created: 1714735266, currency: 'eur',
    metadata: { order_id: 'A-1009' }, payment_intent: 'pi_1787730829493927944', reason: 'requested_by_customer',
    status: 'processing_v2', description: null, failure_reason: null, receipt_number: null,
  },
  // Reason resolved_dispute (WooshPay's own) in JPY, a zero-decimal currency: 5000 means ¥5,000.
  {
    id: 're_1787731200000000010', object: 'refund', amount: 5000, created: 1714821655, currency: 'jpy',
    metadata: { order_id: 'J-2001' }, payment_intent: 'pi_1787730829493927945', reason: 'resolved_dispute',
    status: 'succeeded', description: null, failure_reason: null, receipt_number: null,
  },
  // An unknown reason value in KWD, a three-decimal currency: 12345 means 12.345 KWD.
  {
    id: 're_1787731200000000011', object: 'refund', amount: 12345, created: 1714908044, currency: 'kwd',
    metadata: { order_id: 'K-3001' }, payment_intent: 'pi_1787730829493927946', reason: 'merchant_goodwill',
    status: 'succeeded', description: 'Goodwill gesture', failure_reason: null, receipt_number: null,
  },
  // IDR amount above 2^31 (15,000,000,000 minor units): must not overflow a 32-bit Int.
  {
    id: 're_1787731200000000012', object: 'refund', amount: 15000000000, created: 1714994433, currency: 'idr',
    metadata: { order_id: 'I-4001' }, payment_intent: 'pi_1787730829493927947', reason: 'requested_by_customer',
    status: 'succeeded', description: null, failure_reason: null, receipt_number: null,
  },
  // Metadata with several keys in non-sorted order, and an alphanumeric id without payment_intent.
  {
    id: 're_3PqX9aLkdIwHu7ix1Zr8mQ4e', object: 'refund', amount: 1999, created: 1715080822, currency: 'gbp',
    metadata: { zone: 'eu-west', order_id: 'A-1013', channel: 'support_portal', agent: 'jdoe', batch: '2024-05-07' },
    payment_intent: null, reason: 'requested_by_customer', status: 'succeeded', description: null,
    failure_reason: null, receipt_number: null,
  },
];
