/** The Refund entity: plain fields come from RefundModel; references resolve through the loader. */
import type { RefundResolvers, ResolversUnionTypes } from '../__generated__/resolvers-types.js';
import type { RetrievedRefund } from '../domain/retrieved-refund.js';
import { parsePaymentKey } from '../providers/ids.js';
import { hasLedgerOnlyDetails } from '../refunds/search/ledger-node.js';
import { refundRefFromRepresentation } from './refund-reference.js';

/** The provider details models (the RefundDetails union's members). */
type RefundDetailsModel = ResolversUnionTypes<Record<string, never>>['RefundDetails'];

export const Refund: RefundResolvers = {
  // Accepts both key shapes: { id } and { provider, providerRefundId }. Async so that a bad
  // representation rejects its own entry (null + BAD_USER_INPUT at `_entities.N`): a synchronous
  // throw would fail the whole `_entities` list, the other representations included.
  __resolveReference: async (reference, { loaders }) => loaders.refund.load(refundRefFromRepresentation(reference)),
  // Reads carry both (the refund cache sets them). The refund in a createRefund answer is the
  // provider's reply to that call: read just now, never a stale copy.
  retrievedAt: (refund) => (refund as Partial<RetrievedRefund>).retrievedAt ?? new Date(),
  stale: (refund) => (refund as Partial<RetrievedRefund>).stale ?? false,
  lastChangedAt: (refund, _args, { lastChanged }) =>
    lastChanged.load({ provider: refund.provider, providerRefundId: refund.providerRefundId }),
  payment: (refund) => {
    if (refund.paymentId === null) {
      throw new Error(`The provider did not say which payment refund ${refund.id} belongs to`);
    }
    return parsePaymentKey(refund.provider, refund.paymentId);
  },
  // A refund found in the ledger (search) holds no provider details: they are read by id, like
  // `refund(id)` (the refund cache, then the provider), only when asked for. A refund read from its
  // provider has them already, and answers them synchronously: a promise per refund would make
  // graphql wait on each refund object of a list separately.
  details: (refund, _args, { loaders }) => {
    if (!hasLedgerOnlyDetails(refund)) return refund.details as RefundDetailsModel;
    return loaders.refund
      .load({ provider: refund.provider, providerRefundId: refund.providerRefundId })
      .then((read) => {
        if (read === null) throw new Error(`The provider no longer has refund ${refund.id}`);
        return read.details as RefundDetailsModel;
      });
  },
};
