/** Every resolver map, one file per GraphQL type, plus the scalars' behaviour from graphql-scalars. */
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { CreateRefundPayload } from './CreateRefundPayload.js';
import { Money } from './Money.js';
import { Mutation } from './Mutation.js';
import { Payment } from './Payment.js';
import { Query } from './Query.js';
import { Refund } from './Refund.js';
import { RefundConnection } from './RefundConnection.js';
import { RefundDetails } from './RefundDetails.js';
import { Subscription } from './Subscription.js';

/**
 * Only the behaviour (serialize, parse) of a graphql-scalars scalar. buildSubgraphSchema copies
 * every defined property of a scalar resolver onto the schema's type, so passing graphql-scalars'
 * own object would replace schema.graphql's description (and AST node) with the library's, and
 * introspection would disagree with `_service.sdl`.
 */
function behaviourOf(scalar: GraphQLScalarType): GraphQLScalarType {
  const { name, serialize, parseValue, parseLiteral } = scalar.toConfig();
  return new GraphQLScalarType({ name, serialize, parseValue, parseLiteral });
}

export const resolvers: Resolvers = {
  DateTime: behaviourOf(DateTimeResolver),
  SafeInt: behaviourOf(SafeIntResolver),
  Query,
  Mutation,
  Subscription,
  CreateRefundPayload,
  Refund,
  Money,
  RefundDetails,
  Payment,
  RefundConnection,
};
