/** Every resolver map, one file per GraphQL type, plus the scalars from graphql-scalars. */
import { DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Money } from './Money.js';
import { Query } from './Query.js';
import { Refund } from './Refund.js';
import { RefundDetails } from './RefundDetails.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  SafeInt: SafeIntResolver,
  Query,
  Refund,
  Money,
  RefundDetails,
};
