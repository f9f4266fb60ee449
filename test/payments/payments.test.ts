/**
 * A payment's refunds and totals over real HTTP: the subgraph against both simulators, with the
 * ledger the service builds (SQLite in memory). efundpay payments are listed by efundpay (one list
 * call per payment however many are asked for in one operation); WooshPay payments come from the
 * ledger (refunds created here). Bad ids are refused before any provider call; connections count
 * toward the per-operation refund limit; Cache-Control follows the refunds.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { useStack, type Stack } from '../helpers/stack.js';

/** Seeded efundpay transactions (USD 100.00, EUR 80.00) and one nobody refunded (JPY). */
const USD_TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60';
const EUR_TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a61';
const UNREFUNDED_TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a62';
/** A seeded WooshPay PaymentIntent (USD 100.00). */
const WOOSHPAY_PAYMENT = 'pi_1787730900000000001';

async function createRefund(stack: Stack, input: Record<string, unknown>): Promise<string> {
  const { body } = await stack.graphql<{ createRefund: { __typename: string; refund?: { id: string } } }>(
    CREATE_REFUND,
    { input: { reason: 'REQUESTED_BY_CUSTOMER', idempotencyKey: `payments-${randomUUID()}`, ...input } },
  );
  const created = body.data?.createRefund;
  if (created?.__typename !== 'RefundCreated' || !created.refund) {
    throw new Error(`Expected a created refund, received ${JSON.stringify(body)}`);
  }
  return created.refund.id;
}

const PAYMENT_FIELDS = /* GraphQL */ `
  id
  provider
  providerPaymentId
  refundsComplete
  refundedAmount { minorUnits currencyCode decimal }
  pendingRefundAmount { minorUnits currencyCode decimal }
  refunds(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id status amount { minorUnits currencyCode } payment { id } }
  }
`;

interface MoneyView {
  readonly minorUnits: number;
  readonly currencyCode: string;
  readonly decimal?: string;
}

interface PaymentView {
  readonly id: string;
  readonly provider: string;
  readonly refundsComplete: boolean;
  readonly refundedAmount: MoneyView | null;
  readonly pendingRefundAmount: MoneyView | null;
  readonly refunds: {
    readonly totalCount: number;
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
    readonly nodes: Array<{
      readonly id: string;
      readonly status: string;
      readonly amount: MoneyView;
      readonly payment: { readonly id: string };
      readonly createdAt: string;
      readonly providerRefundId: string;
    }>;
  };
}

function listCalls(stack: Stack, transactionId: string): number {
  return stack.simulators.efundpay.requests.filter(
    (request) => request.method === 'GET' && request.path.startsWith(`/v4/transactions/${transactionId}/refunds`),
  ).length;
}

describe('Payment', () => {
  const stack = useStack();
  const usdRefunds: string[] = [];
  const eurRefunds: string[] = [];
  const wooshpayRefunds: string[] = [];

  beforeAll(async () => {
    for (const minorUnits of [100, 250, 1000]) {
      usdRefunds.push(
        await createRefund(stack, {
          provider: 'EFUNDPAY',
          paymentId: USD_TRANSACTION,
          amount: { minorUnits, currencyCode: 'USD' },
        }),
      );
    }
    for (const minorUnits of [300, 400]) {
      eurRefunds.push(
        await createRefund(stack, {
          provider: 'EFUNDPAY',
          paymentId: EUR_TRANSACTION,
          amount: { minorUnits, currencyCode: 'EUR' },
        }),
      );
    }
    for (const minorUnits of [700, 800]) {
      wooshpayRefunds.push(
        await createRefund(stack, {
          provider: 'WOOSHPAY',
          paymentId: WOOSHPAY_PAYMENT,
          amount: { minorUnits, currencyCode: 'USD' },
        }),
      );
    }
  });

  it('lists efundpay payments from efundpay: one list call per payment for several payments in one operation', async () => {
    stack.resetCounters();
    const { body, headers } = await stack.graphql<Record<string, PaymentView>>(
      /* GraphQL */ `
        query Payments($first: Int) {
          usd: payment(id: "efundpay:${USD_TRANSACTION.toUpperCase()}") { ${PAYMENT_FIELDS} }
          eur: payment(id: "${EUR_TRANSACTION}") { ${PAYMENT_FIELDS} }
          none: payment(id: "${UNREFUNDED_TRANSACTION}") { ${PAYMENT_FIELDS} }
          again: payment(id: "efundpay:${USD_TRANSACTION}") { refundedAmount { minorUnits } }
        }
      `,
      { first: 10 },
    );
    expect(body.errors).toBeUndefined();
    expect(listCalls(stack, USD_TRANSACTION)).toBe(1);
    expect(listCalls(stack, EUR_TRANSACTION)).toBe(1);
    expect(listCalls(stack, UNREFUNDED_TRANSACTION)).toBe(1);
    // The list brought the refunds: no GET by id.
    expect(stack.simulators.efundpay.requests.filter((request) => request.path.startsWith('/v4/refunds/'))).toEqual([]);

    const usd = body.data!.usd!;
    expect(usd.id).toBe(`efundpay:${USD_TRANSACTION}`);
    expect(usd.provider).toBe('EFUNDPAY');
    expect(usd.refundsComplete).toBe(true);
    expect(usd.refunds.totalCount).toBe(3);
    // Newest first: the last created first.
    expect(usd.refunds.nodes.map((node) => node.id)).toEqual([...usdRefunds].reverse());
    expect(usd.refunds.nodes[0]!.payment.id).toBe(`efundpay:${USD_TRANSACTION}`);
    const pending = usd.refunds.nodes
      .filter((node) => node.status === 'PENDING' || node.status === 'REQUIRES_ACTION')
      .reduce((sum, node) => sum + node.amount.minorUnits, 0);
    const succeeded = usd.refunds.nodes
      .filter((node) => node.status === 'SUCCEEDED')
      .reduce((sum, node) => sum + node.amount.minorUnits, 0);
    expect(pending + succeeded).toBe(1350);
    expect(usd.pendingRefundAmount).toEqual(
      pending === 0 ? null : { minorUnits: pending, currencyCode: 'USD', decimal: (pending / 100).toFixed(2) },
    );
    expect(usd.refundedAmount).toEqual(
      succeeded === 0 ? null : { minorUnits: succeeded, currencyCode: 'USD', decimal: (succeeded / 100).toFixed(2) },
    );

    const eur = body.data!.eur!;
    expect(eur.refunds.nodes.map((node) => node.id)).toEqual([...eurRefunds].reverse());
    expect(body.data!.none).toMatchObject({
      refundsComplete: true,
      refundedAmount: null,
      pendingRefundAmount: null,
      refunds: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
    expect(headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  });

  it('pages with its own cursor, and each refund is the same entity as by id', async () => {
    const first = await stack.graphql<{
      payment: { refunds: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    }>(
      `{ payment(id: "${USD_TRANSACTION}") { refunds(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } } }`,
    );
    const page = first.body.data!.payment.refunds;
    expect(page.nodes.map((node) => node.id)).toEqual([usdRefunds[2], usdRefunds[1]]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    // Our cursor, not efundpay's page number.
    expect(page.pageInfo.endCursor).not.toMatch(/^\d+$/);
    const second = await stack.graphql<{
      payment: { refunds: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean } } };
    }>(
      `query Next($after: String) { payment(id: "${USD_TRANSACTION}") { refunds(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage } } } }`,
      { after: page.pageInfo.endCursor },
    );
    expect(second.body.data!.payment.refunds).toEqual({
      nodes: [{ id: usdRefunds[0] }],
      pageInfo: { hasNextPage: false },
    });

    const fields =
      'id provider providerRefundId status providerStatus reason createdAt amount { minorUnits currencyCode decimal } details { __typename ... on EfundpayRefundDetails { transactionId merchantAccountId externalIdentifier } }';
    const listed = await stack.graphql<{ payment: { refunds: { nodes: unknown[] } } }>(
      `{ payment(id: "${EUR_TRANSACTION}") { refunds { nodes { ${fields} } } } }`,
    );
    const byId = await stack.graphql<{ refunds: unknown[] }>(
      `query ($ids: [ID!]!) { refunds(ids: $ids) { ${fields} } }`,
      {
        ids: [...eurRefunds].reverse(),
      },
    );
    expect(listed.body.data!.payment.refunds.nodes).toEqual(byId.body.data!.refunds);
  });

  it('answers a WooshPay payment from the ledger: the refunds created here, newest first, not complete', async () => {
    const { body } = await stack.graphql<{ payment: PaymentView }>(
      `{ payment(id: "${WOOSHPAY_PAYMENT}") {
          id refundsComplete refundedAmount { minorUnits } pendingRefundAmount { minorUnits }
          refunds { nodes { id createdAt providerRefundId } }
      } }`,
    );
    expect(body.errors).toBeUndefined();
    const payment = body.data!.payment;
    expect(payment.id).toBe(`wooshpay:${WOOSHPAY_PAYMENT}`);
    expect(payment.refundsComplete).toBe(false);
    const nodes = payment.refunds.nodes;
    expect(nodes.map((node) => node.id).sort()).toEqual([...wooshpayRefunds].sort());
    // WooshPay's createdAt has whole seconds: ties go by provider refund id.
    const newestFirst = [...nodes].sort(
      (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.providerRefundId < b.providerRefundId ? -1 : 1),
    );
    expect(nodes).toEqual(newestFirst);
    const total = (payment.refundedAmount?.minorUnits ?? 0) + (payment.pendingRefundAmount?.minorUnits ?? 0);
    expect(total).toBe(1500);
  });

  it("reaches a refund's payment and its other refunds from the refund", async () => {
    const { body } = await stack.graphql<{
      refund: { payment: { id: string; refunds: { nodes: Array<{ id: string }> } } };
    }>(`{ refund(id: "${eurRefunds[0]}") { payment { id refunds { nodes { id } } } } }`);
    expect(body.data!.refund.payment.id).toBe(`efundpay:${EUR_TRANSACTION}`);
    expect(body.data!.refund.payment.refunds.nodes.map((node) => node.id)).toContain(eurRefunds[1]);
  });

  it.each([
    ['pi_', 'Invalid payment id "pi_"'],
    ['wooshpay:3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60', 'expected "pi_" followed by'],
    ['efundpay:pi_1787730900000000001', 'for EFUNDPAY'],
    ['stripe:pi_1', 'a global id starts with one of'],
    ['re_1787731200000000001', 'expected a global id'],
  ])('refuses the payment id %s with BAD_USER_INPUT and no provider call', async (id, message) => {
    stack.resetCounters();
    const { body } = await stack.graphql(
      `query ($id: ID!) { payment(id: $id) { refunds { nodes { id } } refundedAmount { minorUnits } } }`,
      { id },
    );
    expect(body.data).toEqual({ payment: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toContain(message);
    expect(stack.providerCalls()).toBe(0);
  });

  it('counts each refund a connection can hold toward MAX_REFUNDS_RESOLVED_PER_OPERATION, before any provider call', async () => {
    stack.resetCounters();
    // Ten payments of 100 refunds each, and a search of one more: 1,001.
    const aliases = Array.from(
      { length: 10 },
      (_, index) => `p${index}: payment(id: "${USD_TRANSACTION}") { refunds(first: 100) { nodes { id } } }`,
    ).join(' ');
    const { body, status } = await stack.graphql(`{ ${aliases} refundSearch(first: 1) { nodes { id } } }`);
    expect(body.errors![0]!.message).toContain('would resolve 1001 Refund objects');
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.providerCalls()).toBe(0);
    const tooMany = await stack.graphql(
      `{ payment(id: "${USD_TRANSACTION}") { refunds(first: 101) { nodes { id } } } }`,
    );
    expect(tooMany.body.errors![0]!.message).toBe('first must be between 1 and 100, received 101');
    expect(tooMany.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('searches the ledger without a provider call, answered private, no-store', async () => {
    stack.resetCounters();
    const { body, headers } = await stack.graphql<{
      refundSearch: { totalCount: number; nodes: Array<{ id: string; lastChangedAt: string | null }> };
      refundSummary: Array<{ currencyCode: string; count: number; amount: { minorUnits: number } }>;
    }>(
      `{
        refundSearch(filter: { paymentId: "efundpay:${USD_TRANSACTION}" }) { totalCount nodes { id status amount { minorUnits } } }
        refundSummary(filter: { provider: EFUNDPAY, paymentId: "${USD_TRANSACTION}" }, groupBy: [CURRENCY]) { currencyCode count amount { minorUnits } }
      }`,
    );
    expect(body.errors).toBeUndefined();
    expect(headers.get('cache-control')).toBe('private, no-store');
    expect(stack.providerCalls()).toBe(0);
    expect(body.data!.refundSearch.nodes.map((node) => node.id)).toEqual([...usdRefunds].reverse());
    expect(body.data!.refundSummary).toEqual([{ currencyCode: 'USD', count: 3, amount: { minorUnits: 1350 } }]);
  });
});
