/**
 * Deterministic efundpay refunds served by the sandbox and the tests, each owned by a merchant
 * account. Ids are stable lowercase UUID v4s: tests and the README cite them. Each entry says
 * what it demonstrates.
 */
import type { EfundpayRefundWire } from './wire.js';

export interface SeededEfundpayRefund {
  /** The merchant account that owns the refund; any other account gets 404. */
  merchantAccountId: string;
  refund: EfundpayRefundWire;
}

export const efundpaySeedRefunds: readonly SeededEfundpayRefund[] = [
  // The docs' example id: succeeded, EUR 12.99, created_at in the docs' exact format.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: '6a1d4e46-14ed-4fe1-a45f-eff4e025d211',
      transaction_id: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
      status: 'succeeded',
      currency: 'EUR',
      amount: 1299,
      reason: 'Customer returned the item',
      external_identifier: 'refund-ext-1001',
      transaction_external_identifier: 'order-1001',
      created_at: '2013-07-16T19:23:00.000+00:00',
    },
  },
  // Status processing, USD, created_at in UTC with the 'Z' designator.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: '996cf7e1-00b1-4bf0-b91a-e307c08f1996',
      transaction_id: '023e2e1f-a105-49ff-b624-c09ca19973b5',
      status: 'processing',
      currency: 'USD',
      amount: 4500,
      reason: 'Order cancelled before shipping',
      external_identifier: 'refund-ext-1002',
      transaction_external_identifier: 'order-1002',
      created_at: '2024-05-02T08:15:42.123Z',
    },
  },
  // Status failed (a technical failure), GBP, -05:00 offset late in the evening: the UTC date is the next day.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: 'cbe82b23-bacb-4cd7-8c02-99941e1a8087',
      transaction_id: '06053dc1-9985-4dc9-a498-87bec4326954',
      status: 'failed',
      currency: 'GBP',
      amount: 2599,
      reason: 'Damaged in transit',
      external_identifier: 'refund-ext-1003',
      transaction_external_identifier: 'order-1003',
      created_at: '2024-03-31T23:30:00.000-05:00',
    },
  },
  // Status declined (the processor refused), JPY, a zero-decimal currency: 5000 means ¥5,000; +09:00 offset.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: '23c2d601-42a4-4b8e-88d3-fc22dfc1b480',
      transaction_id: '82474240-4ae3-4a5b-aa3c-974e2cd7ae77',
      status: 'declined',
      currency: 'JPY',
      amount: 5000,
      reason: 'Size exchange not possible',
      external_identifier: 'refund-ext-1004',
      transaction_external_identifier: 'order-1004',
      created_at: '2024-04-10T09:00:00.500+09:00',
    },
  },
  // Status voided, KWD, a three-decimal currency: 12345 means 12.345 KWD; +03:00 offset.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: '55c2d4f1-2c72-4a0b-aaa7-deea19a3c31d',
      transaction_id: '39056b1f-326e-42d6-baf0-1b57c5473007',
      status: 'voided',
      currency: 'KWD',
      amount: 12345,
      reason: 'Refund issued in error',
      external_identifier: 'refund-ext-1005',
      transaction_external_identifier: 'order-1005',
      created_at: '2024-04-18T14:05:09.250+03:00',
    },
  },
  // An unknown status value ('pending_review'): must be tolerated, not rejected; +02:00 offset.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: '42609b2e-f0de-4f1b-96e7-fd586cbb2a36',
      transaction_id: '534b8af2-1b00-4e9d-9ec5-cc91c4c9318e',
      status: 'pending_review',
      currency: 'EUR',
      amount: 8750,
      reason: 'Chargeback pre-arbitration',
      external_identifier: 'refund-ext-1006',
      transaction_external_identifier: 'order-1006',
      created_at: '2024-05-20T00:45:00.000+02:00',
    },
  },
  // The largest amount Gr4vy allows (99,999,999 minor units), USD, +05:30 offset.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: 'cc194059-19c2-4bbd-a7d3-a7850d17ec74',
      transaction_id: '4a937ace-52f6-4163-abe1-a11a45557221',
      status: 'succeeded',
      currency: 'USD',
      amount: 99999999,
      reason: 'Enterprise contract termination',
      external_identifier: 'refund-ext-1007',
      transaction_external_identifier: 'order-1007',
      created_at: '2024-06-01T18:20:30.999+05:30',
    },
  },
  // Null external identifiers and an empty reason: tolerated although the docs call them required.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: '4f2927f9-c973-42f9-a720-03087fbc51dc',
      transaction_id: '8da209d8-fb18-496c-89d2-5bf02e9cc161',
      status: 'succeeded',
      currency: 'USD',
      amount: 1000,
      reason: '',
      external_identifier: null,
      transaction_external_identifier: null,
      created_at: '2024-06-03T11:11:11.000+00:00',
    },
  },
  // A free-text reason with quotes, non-ASCII and a newline, GBP, -08:00 offset.
  {
    merchantAccountId: 'default',
    refund: {
      type: 'refund',
      id: 'c8939636-478d-4eb8-a20e-ca1bc33f64d5',
      transaction_id: 'f3b0c2d4-6e1a-4c8b-9d7e-2a5f1b3c4d6e',
      status: 'succeeded',
      currency: 'GBP',
      amount: 450,
      reason: 'Café said "wrong order"\nrefunded at till',
      external_identifier: 'refund-ext-1009',
      transaction_external_identifier: 'order-1009',
      created_at: '2024-06-05T16:59:59.001-08:00',
    },
  },
  // Owned by another merchant account: 404 for a client using 'default'.
  {
    merchantAccountId: 'acme-eu',
    refund: {
      type: 'refund',
      id: '7b9e2c1a-5d3f-4e8b-a6c0-1f2d3e4a5b6c',
      transaction_id: '9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f',
      status: 'succeeded',
      currency: 'EUR',
      amount: 2000,
      reason: 'Customer returned the item',
      external_identifier: 'acme-refund-1',
      transaction_external_identifier: 'acme-order-1',
      created_at: '2024-06-07T10:00:00.000+01:00',
    },
  },
  // A second refund of another merchant account, still processing.
  {
    merchantAccountId: 'acme-eu',
    refund: {
      type: 'refund',
      id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
      transaction_id: 'a0b1c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d',
      status: 'processing',
      currency: 'EUR',
      amount: 3500,
      reason: 'Late delivery',
      external_identifier: 'acme-refund-2',
      transaction_external_identifier: 'acme-order-2',
      created_at: '2024-06-08T10:00:00.000+01:00',
    },
  },
];
