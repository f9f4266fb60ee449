/**
 * A real `@apollo/gateway` over the running refunds subgraph (real clients, simulators on
 * loopback) and two consumer subgraphs that reference `Refund` by each key. What a supergraph
 * client sees, and what one gateway query costs the refunds subgraph and the providers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  DISPUTES,
  MISSING_REFUND_ID,
  ORDER_REFUND_IDS,
  ORDERS,
  startDisputesSubgraph,
  startOrdersSubgraph,
  type RunningSubgraph,
} from './commerce-subgraphs.js';
import { REFUNDS_TYPE_DEFS, startGateway, type RunningGateway } from './gateway.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_JPY_DECLINED,
  EFUNDPAY_KWD_VOIDED,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const ROUTER_SECRET = 'gateway-test-router-secret-0123456789';

interface RefundView {
  id: string;
  provider: string;
  providerRefundId: string;
  status: string;
  amount: { minorUnits: number; currencyCode: string; decimal: string };
  details:
    | { __typename: 'WooshPayRefundDetails'; reason: string | null; metadata: Array<{ key: string; value: string }> }
    | { __typename: 'EfundpayRefundDetails'; transactionId: string; merchantAccountId: string };
}

const REFUND_VIEW = /* GraphQL */ `
  id
  provider
  providerRefundId
  status
  amount { minorUnits currencyCode decimal }
  details {
    __typename
    ... on WooshPayRefundDetails { reason metadata { key value } }
    ... on EfundpayRefundDetails { transactionId merchantAccountId }
  }
`;

const ORDERS_QUERY = /* GraphQL */ `
  query Orders { orders { id refund { ${REFUND_VIEW} } } }
`;

const DISPUTES_QUERY = /* GraphQL */ `
  query Disputes { disputes { id refund { ${REFUND_VIEW} } } }
`;

let stack: Stack;
let orders: RunningSubgraph;
let disputes: RunningSubgraph;
let gateway: RunningGateway;

beforeAll(async () => {
  stack = await startStack({ env: { ROUTER_SECRET } });
  orders = await startOrdersSubgraph();
  disputes = await startDisputesSubgraph();
  gateway = await startGateway(
    [{ name: 'refunds', url: `${stack.url}/graphql`, typeDefs: REFUNDS_TYPE_DEFS }, orders, disputes],
    { routerSecret: { subgraph: 'refunds', value: ROUTER_SECRET } },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([orders?.stop(), disputes?.stop()]);
  await stack?.stop();
});

beforeEach(() => {
  gateway.resetFetches();
  stack.resetCounters();
  stack.simulators.wooshpay.clearFaults();
  stack.simulators.efundpay.clearFaults();
});

describe('through a real gateway', () => {
  it('resolves refunds referenced by `id`, both union members through fragments', async () => {
    const response = await gateway.query<{ orders: Array<{ id: string; refund: RefundView | null }> }>(ORDERS_QUERY);

    expect(response.body.errors).toBeUndefined();
    const byOrder = new Map(response.body.data!.orders.map((order) => [order.id, order.refund]));
    // order-002 and order-014 reference the same refund.
    const expectedWooshPay: RefundView = {
      id: WOOSHPAY_USD_SPEC_EXAMPLE.id,
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      status: 'SUCCEEDED',
      amount: { minorUnits: 1500, currencyCode: 'USD', decimal: '15.00' },
      details: {
        __typename: 'WooshPayRefundDetails',
        reason: 'REQUESTED_BY_CUSTOMER',
        metadata: [{ key: 'order_id', value: 'A-1001' }],
      },
    };
    expect(ORDERS[13]!.refundId).toBe(ORDERS[1]!.refundId);
    expect(byOrder.get('order-002')).toEqual(expectedWooshPay);
    expect(byOrder.get('order-014')).toEqual(expectedWooshPay);
    expect(byOrder.get('order-008')).toEqual({
      id: EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      provider: 'EFUNDPAY',
      providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      status: 'SUCCEEDED',
      amount: { minorUnits: 1299, currencyCode: 'EUR', decimal: '12.99' },
      details: {
        __typename: 'EfundpayRefundDetails',
        transactionId: '21e7e301-81e7-4e5a-9928-d35624e5aefc',
        merchantAccountId: 'default',
      },
    });
    expect(byOrder.get('order-011')?.amount).toEqual({ minorUnits: 12345, currencyCode: 'KWD', decimal: '12.345' });
  });

  it('answers 50 order references with ONE _entities call and one provider GET per distinct refund', async () => {
    const response = await gateway.query<{ orders: Array<{ id: string; refund: RefundView | null }> }>(ORDERS_QUERY);

    expect(response.body.errors).toBeUndefined();
    const refunds = response.body.data!.orders;
    expect(refunds).toHaveLength(50);
    for (const [index, order] of ORDERS.entries()) {
      if (order.refundId === MISSING_REFUND_ID) expect(refunds[index]!.refund).toBeNull();
      else expect(refunds[index]!.refund?.id).toBe(order.refundId);
    }

    const entityFetches = gateway.entityFetches('refunds');
    expect(entityFetches).toHaveLength(1);
    expect(gateway.fetches.filter((f) => f.subgraph === 'refunds')).toHaveLength(1);
    const sentIds = (entityFetches[0]!.variables.representations as Array<{ id: string }>).map((r) => r.id);
    // @apollo/gateway does not deduplicate representations: the subgraph's loader does.
    expect(sentIds).toHaveLength(50);
    expect(new Set(sentIds)).toEqual(new Set(ORDER_REFUND_IDS));

    for (const globalId of ORDER_REFUND_IDS) {
      const [provider, providerRefundId] = globalId.split(':') as [string, string];
      const simulator = provider === 'wooshpay' ? stack.simulators.wooshpay : stack.simulators.efundpay;
      expect(simulator.requestCount(providerRefundId), `provider GETs for ${globalId}`).toBe(1);
    }
    expect(stack.providerCalls()).toBe(ORDER_REFUND_IDS.length);
  });

  it('resolves refunds referenced by `provider providerRefundId`, sending that key shape', async () => {
    const response = await gateway.query<{ disputes: Array<{ id: string; refund: RefundView | null }> }>(
      DISPUTES_QUERY,
    );

    expect(response.body.errors).toBeUndefined();
    const refunds = response.body.data!.disputes.map((dispute) => dispute.refund);
    expect(refunds.map((refund) => refund?.id ?? null)).toEqual([
      WOOSHPAY_GBP_REQUIRES_ACTION.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      WOOSHPAY_GBP_REQUIRES_ACTION.id,
      null, // another merchant account's refund: not found for ours
      EFUNDPAY_JPY_DECLINED.id,
    ]);
    expect(refunds[0]).toMatchObject({
      status: 'REQUIRES_ACTION',
      details: { __typename: 'WooshPayRefundDetails', reason: 'FRAUDULENT' },
    });
    expect(refunds[4]).toMatchObject({
      status: 'FAILED',
      amount: { minorUnits: 5000, currencyCode: 'JPY', decimal: '5000' },
      details: { __typename: 'EfundpayRefundDetails', merchantAccountId: 'default' },
    });

    const [fetch, ...others] = gateway.entityFetches('refunds');
    expect(others).toHaveLength(0);
    const representations = fetch!.variables.representations as Array<Record<string, unknown>>;
    expect(representations).toContainEqual({
      __typename: 'Refund',
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId,
    });
    for (const representation of representations) expect(representation).not.toHaveProperty('id');
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId)).toBe(1);
    expect(stack.providerCalls()).toBe(new Set(DISPUTES.map((d) => d.providerRefundId)).size);
  });

  it('returns a not-found reference as a null refund, with no error', async () => {
    const response = await gateway.query<{ orders: Array<{ id: string; refund: RefundView | null }> }>(/* GraphQL */ `
      {
        orders {
          id
          refund {
            id
            status
          }
        }
      }
    `);

    expect(response.body.errors).toBeUndefined();
    const missing = response.body.data!.orders.filter((_, index) => ORDERS[index]!.refundId === MISSING_REFUND_ID);
    expect(missing.length).toBeGreaterThan(1);
    for (const order of missing) expect(order.refund).toBeNull();
  });

  it('mixes subgraph root fields and entity references in one query', async () => {
    const response = await gateway.query<{
      refund: RefundView | null;
      disputes: Array<{ refund: { id: string } | null }>;
    }>(
      /* GraphQL */ `
        query Mixed($id: ID!) {
          refund(id: $id) { ${REFUND_VIEW} }
          disputes { refund { id } }
        }
      `,
      { id: EFUNDPAY_KWD_VOIDED.id },
    );

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.refund).toMatchObject({
      status: 'CANCELED',
      amount: { currencyCode: 'KWD', decimal: '12.345' },
    });
    expect(response.body.data!.disputes.map((d) => d.refund?.id ?? null)).toHaveLength(DISPUTES.length);
  });

  it('turns one provider failure into a null refund with a typed error, the other refunds intact', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_USD_PROCESSING.providerRefundId, { kind: 'status', status: 503 });

    const response = await gateway.query<{ orders: Array<{ id: string; refund: RefundView | null }> }>(ORDERS_QUERY);

    const failing = ORDERS.flatMap((order, index) => (order.refundId === EFUNDPAY_USD_PROCESSING.id ? [index] : []));
    const data = response.body.data!.orders;
    for (const index of failing) expect(data[index]!.refund).toBeNull();
    expect(data[1]!.refund?.id).toBe(WOOSHPAY_USD_SPEC_EXAMPLE.id);

    const errors = response.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'EFUNDPAY' });
    }
    const erroredPaths = errors.map((error) => JSON.stringify(error.path));
    for (const index of failing) expect(erroredPaths).toContain(JSON.stringify(['orders', index, 'refund']));
    const body = JSON.stringify(response.body);
    expect(body).not.toContain(stack.simulators.efundpay.origin);
    expect(body).not.toContain(stack.simulators.wooshpay.origin);
  });

  it('reaches the subgraph only with Router-Authorization, which the gateway sends', async () => {
    const direct = await stack.graphql(`{ refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { id } }`);
    expect(direct.status).toBe(401);
    expect(direct.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const viaGateway = await gateway.query<{ refund: { id: string } | null }>(
      `{ refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { id } }`,
    );
    expect(viaGateway.body).toEqual({ data: { refund: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id } } });
  });
});
