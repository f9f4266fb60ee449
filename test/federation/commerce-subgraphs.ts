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
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_JPY_DECLINED,
  EFUNDPAY_KWD_VOIDED,
  EFUNDPAY_OTHER_MERCHANT,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_JPY_ZERO_DECIMAL,
  WOOSHPAY_KWD_THREE_DECIMAL,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_UNSORTED_METADATA_NO_PAYMENT_INTENT,
  WOOSHPAY_USD_DOCS_EXAMPLE,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

/** Distinct refunds the 50 orders reference, by global id; the last does not exist at the provider. */
export const ORDER_REFUND_IDS = [
  WOOSHPAY_USD_DOCS_EXAMPLE.id,
  WOOSHPAY_USD_SPEC_EXAMPLE.id,
  WOOSHPAY_EUR_PENDING.id,
  WOOSHPAY_GBP_REQUIRES_ACTION.id,
  WOOSHPAY_JPY_ZERO_DECIMAL.id,
  WOOSHPAY_KWD_THREE_DECIMAL.id,
  WOOSHPAY_UNSORTED_METADATA_NO_PAYMENT_INTENT.id,
  EFUNDPAY_EUR_DOCS_EXAMPLE.id,
  EFUNDPAY_USD_PROCESSING.id,
  EFUNDPAY_JPY_DECLINED.id,
  EFUNDPAY_KWD_VOIDED.id,
  // Valid format, unknown to the WooshPay simulator: the provider answers 404.
  WOOSHPAY_NOT_SEEDED.id,
] as const;

export const MISSING_REFUND_ID = WOOSHPAY_NOT_SEEDED.id;

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
  { id: 'dispute-1', provider: 'WOOSHPAY', providerRefundId: WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId },
  { id: 'dispute-2', provider: 'EFUNDPAY', providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId },
  { id: 'dispute-3', provider: 'WOOSHPAY', providerRefundId: WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId },
  // Owned by merchant account `acme-eu`: the default account's credentials get a 404.
  { id: 'dispute-4', provider: 'EFUNDPAY', providerRefundId: EFUNDPAY_OTHER_MERCHANT.providerRefundId },
  { id: 'dispute-5', provider: 'EFUNDPAY', providerRefundId: EFUNDPAY_JPY_DECLINED.providerRefundId },
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
