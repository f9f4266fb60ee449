/**
 * Root fields: ids are validated before anything is loaded; each bad id fails alone. The limits
 * (ids per field, refunds per operation) are enforced before execution, in one place:
 * src/server/operation-limits.ts.
 */
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { parseRefundId } from '../providers/ids.js';

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
};
