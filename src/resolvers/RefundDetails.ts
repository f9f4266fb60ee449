/** The RefundDetails union: each details model carries its GraphQL type name as `kind`. */
import type { RefundDetailsResolvers } from '../__generated__/resolvers-types.js';

export const RefundDetails: RefundDetailsResolvers = {
  __resolveType: (details) => details.kind,
};
