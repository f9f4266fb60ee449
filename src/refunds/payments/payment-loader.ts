/**
 * The per-request payment loader: every Payment an operation touches (root `payment`, `_entities`
 * references, `Refund.payment`) is read in one batch, so N payments cost one list call per listing
 * provider's payment and one ledger query for all the others. Keyed by provider and canonical id.
 */
import DataLoader from 'dataloader';
import type { PaymentRef } from '../../domain/payment.js';
import type { RefundReadContext } from '../read/refund-reader.js';
import { paymentKey, type PaymentRefundList, type PaymentRefunds } from './payment-refunds.js';

export type PaymentLoader = DataLoader<PaymentRef, PaymentRefundList, string>;

export function createPaymentLoader(payments: PaymentRefunds, context: RefundReadContext): PaymentLoader {
  return new DataLoader<PaymentRef, PaymentRefundList, string>((refs) => payments.loadMany(refs, context), {
    cacheKeyFn: paymentKey,
  });
}
