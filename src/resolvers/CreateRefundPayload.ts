/** The CreateRefundPayload union: each outcome model carries its GraphQL type name as `kind`. */
import type { CreateRefundPayloadResolvers } from '../__generated__/resolvers-types.js';

export const CreateRefundPayload: CreateRefundPayloadResolvers = {
  __resolveType: (outcome) => outcome.kind,
};
