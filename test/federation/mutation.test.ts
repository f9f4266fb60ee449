/**
 * createRefund in a supergraph. Composition keeps `@requiresScopes(scopes: [["refunds:write"]])` on
 * the field and links the requiresScopes feature for SECURITY (what Apollo Router enforces from the
 * caller's JWT). A real `@apollo/gateway` cannot load that feature, so the gateway here runs over the
 * same SDL without the authorization directives and shows the mutation end to end: one operation
 * through the gateway, one provider POST, and the refund readable through the gateway afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { ORDERS_TYPE_DEFS } from './commerce-subgraphs.js';
import { composeSupergraph, REFUNDS_TYPE_DEFS, startGateway, type RunningGateway } from './gateway.js';

describe('composition with @requiresScopes', () => {
  it('composes, links requiresScopes for SECURITY and keeps the scope on createRefund', () => {
    const result = composeSupergraph([
      { name: 'refunds', url: 'http://127.0.0.1:4001/graphql', typeDefs: REFUNDS_TYPE_DEFS },
      { name: 'orders', url: 'http://127.0.0.1:4002/graphql', typeDefs: ORDERS_TYPE_DEFS },
    ]);
    expect(result.errors?.map(String)).toBeUndefined();
    const sdl = result.supergraphSdl ?? '';
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)');
    expect(sdl).toMatch(
      /createRefund\([\s\S]*?input: CreateRefundInput!\s*\): CreateRefundPayload!.* @requiresScopes\(scopes: \[\["refunds:write"\]\]\)\n/,
    );
    expect(sdl).toContain('@join__unionMember(graph: REFUNDS, member: "RefundRejected")');
  });
});

describe('createRefund through a gateway', () => {
  let stack: Stack;
  let gateway: RunningGateway;
  beforeAll(async () => {
    stack = await startStack({ env: { EFUNDPAY_REFUND_WEBHOOK_URL: 'https://shop.example.com/webhooks/efundpay' } });
    gateway = await startGateway([{ name: 'refunds', url: `${stack.url}/graphql`, typeDefs: REFUNDS_TYPE_DEFS }]);
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  it('creates a refund with one provider POST, answers a repeat from the record, and reads it back', async () => {
    const input = {
      provider: 'EFUNDPAY',
      paymentId: '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a62',
      amount: { minorUnits: 700, currencyCode: 'JPY' },
      reason: 'REQUESTED_BY_CUSTOMER',
      note: 'Returned unopened',
      idempotencyKey: `gateway-${randomUUID()}`,
    };
    const created = await gateway.query<{
      createRefund: { __typename: string; replayed: boolean; refund: { id: string } };
    }>(CREATE_REFUND, { input });
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data?.createRefund).toMatchObject({
      __typename: 'RefundCreated',
      replayed: false,
      refund: { provider: 'EFUNDPAY', amount: { minorUnits: 700, currencyCode: 'JPY' } },
    });
    expect(stack.simulators.efundpay.requestCount(undefined, 'POST')).toBe(1);

    const repeat = await gateway.query<{ createRefund: { replayed: boolean } }>(CREATE_REFUND, { input });
    expect(repeat.body.data?.createRefund.replayed).toBe(true);
    expect(stack.simulators.efundpay.requestCount(undefined, 'POST')).toBe(1);

    const id = created.body.data!.createRefund.refund.id;
    const read = await gateway.query<{ refund: { id: string; reason: string } }>(
      `query ($id: ID!) { refund(id: $id) { id reason } }`,
      { id },
    );
    expect(read.body.data?.refund).toEqual({ id, reason: 'Returned unopened' });
  });

  it('passes a provider refusal through as RefundRejected', async () => {
    const result = await gateway.query<{ createRefund: { __typename: string; code: string } }>(CREATE_REFUND, {
      input: {
        provider: 'WOOSHPAY',
        paymentId: 'pi_1787730900000000006',
        reason: 'FRAUDULENT',
        idempotencyKey: `gateway-${randomUUID()}`,
      },
    });
    expect(result.body.data?.createRefund).toMatchObject({
      __typename: 'RefundRejected',
      code: 'PAYMENT_NOT_REFUNDABLE',
    });
  });
});
