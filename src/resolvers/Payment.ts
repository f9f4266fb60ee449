/**
 * The Payment entity: a validated PaymentRef (no I/O to resolve one). Its refunds and totals come
 * from the request's payment loader, so every Payment of an operation is read in one batch.
 */
import type { PaymentResolvers } from '../__generated__/resolvers-types.js';
import type { PaymentRef } from '../domain/payment.js';
import { toGlobalPaymentId } from '../providers/ids.js';
import { paymentRefundsPage, pendingRefundAmount, refundedAmount } from '../refunds/payments/payment-page.js';
import type { PaymentRefundList } from '../refunds/payments/payment-refunds.js';
import type { RequestContext } from '../server/graphql/context.js';
import { paymentRefFromRepresentation } from './payment-reference.js';

function refundsOf(payment: PaymentRef, context: RequestContext): Promise<PaymentRefundList> {
  if (!context.payments) throw new Error('The refunds of payments are not served by this deployment');
  return context.payments.load(payment);
}

export const Payment: PaymentResolvers = {
  // Async so that a bad representation rejects its own `_entities` entry, not the whole list.
  __resolveReference: async (reference) => paymentRefFromRepresentation(reference),
  id: (payment) => toGlobalPaymentId(payment),
  refunds: async (payment, args, context) =>
    paymentRefundsPage(await refundsOf(payment, context), args, (refs) => context.loaders.refund.loadMany(refs)),
  refundsComplete: async (payment, _args, context) => (await refundsOf(payment, context)).complete,
  refundedAmount: async (payment, _args, context) => refundedAmount(await refundsOf(payment, context)),
  pendingRefundAmount: async (payment, _args, context) => pendingRefundAmount(await refundsOf(payment, context)),
};
