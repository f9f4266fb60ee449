/**
 * Composition with a payments subgraph that owns `Payment @key(fields: "id")` (orders and their
 * payments), through a real `@apollo/gateway`: `orders { payment { refunds { nodes { id status } }
 * refundedAmount } }` is answered with one `_entities` fetch to the refunds subgraph for every
 * payment, and one efundpay list call per efundpay payment.
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.js';
import { REFUNDS_TYPE_DEFS, startGateway, type RunningGateway } from '../federation/gateway.js';

const PAYMENTS_TYPE_DEFS = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

  type Query {
    orders: [Order!]!
  }

  type Order @key(fields: "id") {
    id: ID!
    payment: Payment!
  }

  type Payment @key(fields: "id") {
    id: ID!
    capturedMinorUnits: Int!
  }
`);

const EFUNDPAY_PAYMENTS = [
  '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60',
  '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a61',
  '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a62',
];
const WOOSHPAY_PAYMENTS = ['pi_1787730900000000001', 'pi_1787730900000000002'];

/** Six orders over five payments (one payment on two orders), both providers, stored as global ids. */
const ORDERS = [
  ...EFUNDPAY_PAYMENTS.map((id) => `efundpay:${id}`),
  ...WOOSHPAY_PAYMENTS.map((id) => `wooshpay:${id}`),
  `efundpay:${EFUNDPAY_PAYMENTS[0]}`,
].map((paymentId, index) => ({ id: `order-${index + 1}`, paymentId }));

let stack: Stack;
let payments: ApolloServer;
let paymentsUrl: string;
let gateway: RunningGateway;
const created = new Map<string, string[]>();

async function refund(provider: string, paymentId: string, minorUnits: number, currencyCode: string) {
  const { body } = await stack.graphql<{ createRefund: { refund?: { id: string } } }>(CREATE_REFUND, {
    input: {
      provider,
      paymentId,
      amount: { minorUnits, currencyCode },
      reason: 'REQUESTED_BY_CUSTOMER',
      idempotencyKey: `gateway-${randomUUID()}`,
    },
  });
  const id = body.data?.createRefund.refund?.id;
  if (!id) throw new Error(`Expected a created refund, received ${JSON.stringify(body)}`);
  created.set(`${provider.toLowerCase()}:${paymentId}`, [
    ...(created.get(`${provider.toLowerCase()}:${paymentId}`) ?? []),
    id,
  ]);
}

beforeAll(async () => {
  stack = await startStack();
  await refund('EFUNDPAY', EFUNDPAY_PAYMENTS[0]!, 100, 'USD');
  await refund('EFUNDPAY', EFUNDPAY_PAYMENTS[0]!, 200, 'USD');
  await refund('EFUNDPAY', EFUNDPAY_PAYMENTS[1]!, 300, 'EUR');
  await refund('WOOSHPAY', WOOSHPAY_PAYMENTS[0]!, 400, 'USD');
  payments = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: PAYMENTS_TYPE_DEFS,
      resolvers: {
        Query: { orders: () => ORDERS },
        Order: { payment: (order: { paymentId: string }) => ({ id: order.paymentId, capturedMinorUnits: 10_000 }) },
      },
    }),
  });
  ({ url: paymentsUrl } = await startStandaloneServer(payments, { listen: { host: '127.0.0.1', port: 0 } }));
  gateway = await startGateway([
    { name: 'refunds', url: `${stack.url}/graphql`, typeDefs: REFUNDS_TYPE_DEFS },
    { name: 'payments', url: paymentsUrl, typeDefs: PAYMENTS_TYPE_DEFS },
  ]);
});

afterAll(async () => {
  await gateway?.stop();
  await payments?.stop();
  await stack?.stop();
});

describe('a payments subgraph that owns Payment', () => {
  it('resolves every order payment\u2019s refunds and totals with one _entities fetch', async () => {
    gateway.resetFetches();
    stack.resetCounters();
    const { body } = await postGraphQL<{
      orders: Array<{
        id: string;
        payment: {
          id: string;
          capturedMinorUnits: number;
          refunds: { nodes: Array<{ id: string; status: string }> };
          refundedAmount: { minorUnits: number } | null;
          pendingRefundAmount: { minorUnits: number } | null;
        };
      }>;
    }>(
      gateway.url,
      `{ orders { id payment { id capturedMinorUnits refunds { nodes { id status } } refundedAmount { minorUnits } pendingRefundAmount { minorUnits } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const orders = body.data!.orders;
    expect(orders.map((order) => order.payment.id)).toEqual(ORDERS.map((order) => order.paymentId));
    for (const order of orders) {
      const want = created.get(order.payment.id) ?? [];
      expect(order.payment.refunds.nodes.map((node) => node.id).sort(), order.id).toEqual([...want].sort());
      const sum =
        (order.payment.refundedAmount?.minorUnits ?? 0) + (order.payment.pendingRefundAmount?.minorUnits ?? 0);
      expect(sum, order.id).toBe(
        {
          [`efundpay:${EFUNDPAY_PAYMENTS[0]}`]: 300,
          [`efundpay:${EFUNDPAY_PAYMENTS[1]}`]: 300,
          [`wooshpay:${WOOSHPAY_PAYMENTS[0]}`]: 400,
        }[order.payment.id] ?? 0,
      );
    }
    const entityFetches = gateway.entityFetches('refunds');
    expect(entityFetches).toHaveLength(1);
    expect((entityFetches[0]!.variables.representations as unknown[]).length).toBeGreaterThanOrEqual(5);
    // One list call per efundpay payment, none for WooShPay (the ledger answers).
    for (const id of EFUNDPAY_PAYMENTS) {
      expect(
        stack.simulators.efundpay.requests.filter((request) =>
          request.path.startsWith(`/v4/transactions/${id}/refunds`),
        ),
        id,
      ).toHaveLength(1);
    }
    expect(
      stack.simulators.wooshpay.requests.filter(
        (request) => request.method === 'GET' && !request.path.startsWith('/v1/refunds/'),
      ),
    ).toEqual([]);
  });
});
