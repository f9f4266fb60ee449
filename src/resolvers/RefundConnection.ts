/** A page of refunds: `totalCount` is counted only when asked for. */
import type { RefundConnectionResolvers } from '../__generated__/resolvers-types.js';

export const RefundConnection: RefundConnectionResolvers = {
  totalCount: (page) => page.totalCount(),
};
