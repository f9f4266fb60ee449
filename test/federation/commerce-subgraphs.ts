/**
 * Two small subgraphs of the company graph that reference `Refund`, one per entity key, served by
 * real Apollo Servers on ephemeral loopback ports:
 * - `orders`: `Order.refund` references a refund by `@key(fields: "id")` (its global id);
 * - `disputes`: `Dispute.refund` references a refund by `@key(fields: "provider providerRefundId")`.
 * Each declares `Refund` as a non-resolvable stub, as a real consumer subgraph would, so the query
 * planner can only reach the refunds subgraph through that one key shape.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse, type DocumentNode } from 'graphql';

/** Distinct refunds the 50 orders reference, by global id; the last does not exist at the provider. */
export const ORDER_REFUND_IDS = [
  'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy',
  'wooshpay:re_1787731200000000001',
  'wooshpay:re_1787731200000000002',
  'wooshpay:re_1787731200000000003',
  'wooshpay:re_1787731200000000010',
  'wooshpay:re_1787731200000000011',
  'wooshpay:re_3PqX9aLkdIwHu7ix1Zr8mQ4e',
  'efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211',
  'efundpay:996cf7e1-00b1-4bf0-b91a-e307c08f1996',
  'efundpay:23c2d601-42a4-4b8e-88d3-fc22dfc1b480',
  'efundpay:55c2d4f1-2c72-4a0b-aaa7-deea19a3c31d',
  // Valid format, unknown to the WooshPay simulator: the provider answers 404.
  'wooshpay:re_1787731200000000999',
] as const;

export const MISSING_REFUND_ID = 'wooshpay:re_1787731200000000999';

export interface Order {
  readonly id: string;
  /**
   * The refund's global id, as `Refund.id` returned it. A consumer must store that form: the
   * gateway answers a key field such as `Refund.id` from the referencing subgraph itself, so a
   * stored bare provider id would reach clients as `Refund.id` unchanged.
   */
  readonly refundId: string;
}

/** 50 orders over 12 distinct refunds of both providers: every refund referenced several times. */
export const ORDERS: readonly Order[] = Array.from({ length: 50 }, (_, index) => ({
  id: `order-${String(index + 1).padStart(3, '0')}`,
  refundId: ORDER_REFUND_IDS[index % ORDER_REFUND_IDS.length]!,
}));

export interface Dispute {
  readonly id: string;
  readonly provider: 'WOOSHPAY' | 'EFUNDPAY';
  readonly providerRefundId: string;
}

export const DISPUTES: readonly Dispute[] = [
  { id: 'dispute-1', provider: 'WOOSHPAY', providerRefundId: 're_1787731200000000003' },
  { id: 'dispute-2', provider: 'EFUNDPAY', providerRefundId: '6a1d4e46-14ed-4fe1-a45f-eff4e025d211' },
  { id: 'dispute-3', provider: 'WOOSHPAY', providerRefundId: 're_1787731200000000003' },
  // Owned by merchant account `acme-eu`: the default account's credentials get a 404.
  { id: 'dispute-4', provider: 'EFUNDPAY', providerRefundId: '7b9e2c1a-5d3f-4e8b-a6c0-1f2d3e4a5b6c' },
  { id: 'dispute-5', provider: 'EFUNDPAY', providerRefundId: '23c2d601-42a4-4b8e-88d3-fc22dfc1b480' },
];

export const ORDERS_TYPE_DEFS: DocumentNode = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Query {
    orders: [Order!]!
  }

  type Order @key(fields: "id") {
    id: ID!
    refund: Refund
  }

  type Refund @key(fields: "id", resolvable: false) {
    id: ID!
  }
`);

export const DISPUTES_TYPE_DEFS: DocumentNode = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Query {
    disputes: [Dispute!]!
  }

  type Dispute @key(fields: "id") {
    id: ID!
    refund: Refund
  }

  enum RefundProvider {
    WOOSHPAY
    EFUNDPAY
  }

  type Refund @key(fields: "provider providerRefundId", resolvable: false) {
    provider: RefundProvider!
    providerRefundId: String!
  }
`);

const ordersResolvers: GraphQLResolverMap<unknown> = {
  Query: { orders: () => ORDERS },
  Order: { refund: (order: Order) => ({ __typename: 'Refund', id: order.refundId }) },
};

const disputesResolvers: GraphQLResolverMap<unknown> = {
  Query: { disputes: () => DISPUTES },
  Dispute: {
    refund: (dispute: Dispute) => ({
      __typename: 'Refund',
      provider: dispute.provider,
      providerRefundId: dispute.providerRefundId,
    }),
  },
};

export interface RunningSubgraph {
  readonly name: string;
  readonly url: string;
  readonly typeDefs: DocumentNode;
  stop(): Promise<void>;
}

async function serveSubgraph(
  name: string,
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<unknown>,
): Promise<RunningSubgraph> {
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers }) });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { name, url, typeDefs, stop: () => server.stop() };
}

export const startOrdersSubgraph = (): Promise<RunningSubgraph> =>
  serveSubgraph('orders', ORDERS_TYPE_DEFS, ordersResolvers);
export const startDisputesSubgraph = (): Promise<RunningSubgraph> =>
  serveSubgraph('disputes', DISPUTES_TYPE_DEFS, disputesResolvers);
