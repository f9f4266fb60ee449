/**
 * Deterministic efundpay transactions the sandbox and the tests can refund, each owned by a
 * merchant account. Ids are stable lowercase UUIDs: the README and tests cite them.
 * `amountRefunded` is what earlier refunds already took (the seeded refunds of the same transaction).
 */

export interface EfundpaySeedTransaction {
  readonly merchantAccountId: string;
  readonly id: string;
  /** Captured amount, integer minor units. */
  readonly amount: number;
  /** Upper-case ISO 4217. */
  readonly currency: string;
  readonly amountRefunded: number;
  /** The merchant's own reference for the payment. */
  readonly externalIdentifier: string;
  /** False for a transaction that was never captured: any refund is refused. */
  readonly refundable: boolean;
  /** Refunds of it settle as `declined` (the processor refuses) instead of `succeeded`. */
  readonly declinesRefunds?: boolean;
}

export const efundpaySeedTransactions: readonly EfundpaySeedTransaction[] = [
  // The transaction of the docs' example refund (EUR 12.99 of 50.00 already refunded).
  {
    merchantAccountId: 'default',
    id: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
    amount: 5000,
    currency: 'EUR',
    amountRefunded: 1299,
    externalIdentifier: 'order-1001',
    refundable: true,
  },
  // Fresh USD 100.00, nothing refunded: the one to try first.
  {
    merchantAccountId: 'default',
    id: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60',
    amount: 10000,
    currency: 'USD',
    amountRefunded: 0,
    externalIdentifier: 'order-2001',
    refundable: true,
  },
  // Fresh EUR 80.00.
  {
    merchantAccountId: 'default',
    id: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a61',
    amount: 8000,
    currency: 'EUR',
    amountRefunded: 0,
    externalIdentifier: 'order-2002',
    refundable: true,
  },
  // JPY 20000 (zero-decimal currency).
  {
    merchantAccountId: 'default',
    id: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a62',
    amount: 20000,
    currency: 'JPY',
    amountRefunded: 0,
    externalIdentifier: 'order-2003',
    refundable: true,
  },
  // USD 30.00 already refunded in full.
  {
    merchantAccountId: 'default',
    id: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a63',
    amount: 3000,
    currency: 'USD',
    amountRefunded: 3000,
    externalIdentifier: 'order-2004',
    refundable: true,
  },
  // Authorised but never captured: not refundable.
  {
    merchantAccountId: 'default',
    id: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a64',
    amount: 4000,
    currency: 'USD',
    amountRefunded: 0,
    externalIdentifier: 'order-2005',
    refundable: false,
  },
  // Refunds are accepted (`processing`) and then declined by the processor.
  {
    merchantAccountId: 'default',
    id: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a65',
    amount: 6000,
    currency: 'GBP',
    amountRefunded: 0,
    externalIdentifier: 'order-2006',
    refundable: true,
    declinesRefunds: true,
  },
  // Owned by another merchant account: 404 for a client using 'default'.
  {
    merchantAccountId: 'acme-eu',
    id: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a66',
    amount: 9000,
    currency: 'EUR',
    amountRefunded: 0,
    externalIdentifier: 'acme-order-9',
    refundable: true,
  },
];
