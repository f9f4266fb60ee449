/** Root mutations: thin; refund creation (auth, validation, idempotency, provider, audit) lives in src/refund-creation. */
import type { MutationResolvers } from '../__generated__/resolvers-types.js';

export const Mutation: MutationResolvers = {
  createRefund: (_parent, { input }, { createRefund }) => createRefund(input),
};
