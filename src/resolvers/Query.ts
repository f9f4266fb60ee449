/** Root fields: ids are validated before anything is loaded; each bad id fails alone. */
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { InvalidInputError } from '../domain/errors.js';
import { parseRefundId } from '../providers/ids.js';

export const Query: QueryResolvers = {
  refund: (_parent, { id }, { loaders }) => loaders.refund.load(parseRefundId(id)),

  refunds: (_parent, { ids }, { loaders, limits }) => {
    if (ids.length > limits.maxIdsPerField) {
      throw new InvalidInputError(`refunds accepts at most ${limits.maxIdsPerField} ids, received ${ids.length}`);
    }
    // One entry per id, in order: a bad id becomes an error at its own index (`refunds.3`)
    // while the valid ones are still fetched.
    return ids.map((id) => {
      try {
        return loaders.refund.load(parseRefundId(id));
      } catch (error) {
        return error as Error;
      }
    }) as never;
  },
};
