/** The Refund entity: plain fields come from RefundModel; references resolve through the loader. */
import type { RefundResolvers } from '../__generated__/resolvers-types.js';
import type { RetrievedRefund } from '../domain/retrieved-refund.js';
import { refundRefFromRepresentation } from './refund-reference.js';

export const Refund: RefundResolvers = {
  // Accepts both key shapes: { id } and { provider, providerRefundId }. Async so that a bad
  // representation rejects its own entry (null + BAD_USER_INPUT at `_entities.N`): a synchronous
  // throw would fail the whole `_entities` list, the other representations included.
  __resolveReference: async (reference, { loaders }) => loaders.refund.load(refundRefFromRepresentation(reference)),
  // Reads carry both (the refund cache sets them). The refund in a createRefund answer is the
  // provider's reply to that call: read just now, never a stale copy.
  retrievedAt: (refund) => (refund as Partial<RetrievedRefund>).retrievedAt ?? new Date(),
  stale: (refund) => (refund as Partial<RetrievedRefund>).stale ?? false,
};
