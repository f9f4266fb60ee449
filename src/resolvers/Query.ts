/**
 * Root fields: ids are validated before anything is loaded; each bad id fails alone. The limits
 * (ids per field, refunds per operation) are enforced before execution, in one place:
 * src/server/operation-limits.ts.
 */
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { parsePaymentId, parseRefundId } from '../providers/ids.js';
import type { RequestContext } from '../server/graphql/context.js';

/** Search answers are the ledger's latest: never cached (`private, no-store`). */
function searchFor(context: RequestContext): NonNullable<RequestContext['search']> {
  context.cachePolicy.privateNoStore = true;
  if (!context.search) throw new Error('Refund search is not served by this deployment');
  return context.search;
}

export const Query: QueryResolvers = {
  refund: (_parent, { id }, { loaders }) => loaders.refund.load(parseRefundId(id)),

  refunds: (_parent, { ids }, { loaders }) =>
    // One entry per id, in order: a bad id becomes an error at its own index (`refunds.3`)
    // while the valid ones are still fetched.
    ids.map((id) => {
      try {
        return loaders.refund.load(parseRefundId(id));
      } catch (error) {
        return error as Error;
      }
    }) as never,

  // A well-formed id is enough: the payment's refunds are read only when asked for.
  payment: (_parent, { id }) => parsePaymentId(id),

  refundSearch: (_parent, args, context) => searchFor(context).search(args),

  refundSummary: (_parent, args, context) => searchFor(context).summarize(args),
};
