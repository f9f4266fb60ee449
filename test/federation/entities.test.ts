/**
 * `_entities` fetches shaped exactly like the ones Apollo Router and Gateway send (one operation,
 * the representations as a variable, the entity selection under `... on Refund`), posted straight
 * to the subgraph. Each entry answers for its own representation: a refund, a null entity, or
 * null with an error at `_entities.N`.
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REFUND_FIELDS, startStack, type Stack } from '../helpers/stack.js';
import { DISPUTES_TYPE_DEFS, ORDERS_TYPE_DEFS } from './commerce-subgraphs.js';
import { composeSupergraph } from './gateway.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_JPY_DECLINED,
  EFUNDPAY_OTHER_MERCHANT,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_USD_DOCS_EXAMPLE,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const ENTITIES_QUERY = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Refund { ${REFUND_FIELDS} }
    }
  }
`;

interface EntitiesData {
  _entities: Array<{ id: string; status: string; details: { __typename: string } } | null>;
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.resetCounters();
  stack.simulators.wooshpay.clearFaults();
  stack.simulators.efundpay.clearFaults();
});

const byId = (id: string) => ({ __typename: 'Refund', id });
const byKey = (provider: string, providerRefundId: string) => ({ __typename: 'Refund', provider, providerRefundId });

describe('_entities as the router fetches them', () => {
  it('resolves both key shapes in order, one provider GET per distinct refund', async () => {
    const representations = [
      byId(WOOSHPAY_USD_DOCS_EXAMPLE.id),
      byKey('EFUNDPAY', EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId),
      byKey('WOOSHPAY', WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId),
      byId(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId),
      byId(WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId),
      // An upper-case UUID names the same efundpay refund as its canonical lower-case form.
      byId('efundpay:6A1D4E46-14ED-4FE1-A45F-EFF4E025D211'),
      byKey('EFUNDPAY', EFUNDPAY_JPY_DECLINED.providerRefundId),
    ];

    const response = await stack.graphql<EntitiesData>(ENTITIES_QUERY, { representations });

    expect(response.body.errors).toBeUndefined();
    const entities = response.body.data!._entities;
    expect(entities.map((entity) => entity?.id)).toEqual([
      WOOSHPAY_USD_DOCS_EXAMPLE.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      WOOSHPAY_USD_DOCS_EXAMPLE.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      WOOSHPAY_USD_DOCS_EXAMPLE.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      EFUNDPAY_JPY_DECLINED.id,
    ]);
    expect(entities[0]).toMatchObject({
      provider: 'WOOSHPAY',
      status: 'SUCCEEDED',
      amount: { minorUnits: 2000, currencyCode: 'USD', decimal: '20.00' },
      details: { __typename: 'WooshPayRefundDetails', reason: 'DUPLICATE', receiptNumber: '1753-2209' },
    });
    expect(entities[6]).toMatchObject({
      provider: 'EFUNDPAY',
      status: 'FAILED',
      providerStatus: 'declined',
      details: { __typename: 'EfundpayRefundDetails', merchantAccountId: 'default' },
    });
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).toBe(1);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toBe(1);
    expect(stack.providerCalls()).toBe(3);
  });

  it('answers a refund the provider does not have with a null entity and no error', async () => {
    const response = await stack.graphql<EntitiesData>(ENTITIES_QUERY, {
      representations: [
        byId(WOOSHPAY_NOT_SEEDED.id),
        byId(WOOSHPAY_USD_SPEC_EXAMPLE.id),
        // Another merchant account's refund is invisible to ours: 404, so null too.
        byKey('EFUNDPAY', EFUNDPAY_OTHER_MERCHANT.providerRefundId),
      ],
    });

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!._entities[0]).toBeNull();
    expect(response.body.data!._entities[1]?.id).toBe(WOOSHPAY_USD_SPEC_EXAMPLE.id);
    expect(response.body.data!._entities[2]).toBeNull();
  });

  it('rejects a bad representation at _entities.N with BAD_USER_INPUT, no provider call, the others resolved', async () => {
    const response = await stack.graphql<EntitiesData>(ENTITIES_QUERY, {
      representations: [
        byId(WOOSHPAY_USD_SPEC_EXAMPLE.id),
        byId('wooshpay:../v1/charges'),
        byKey('EFUNDPAY', EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId),
        byKey('PAYPAL', 'PAY-1'),
        byKey('EFUNDPAY', 'not-a-uuid'),
      ],
    });

    const entities = response.body.data!._entities;
    expect(entities.map((entity) => entity?.id ?? null)).toEqual([
      WOOSHPAY_USD_SPEC_EXAMPLE.id,
      null,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      null,
      null,
    ]);
    const errors = response.body.errors ?? [];
    expect(errors.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['_entities', 1], 'BAD_USER_INPUT'],
      [['_entities', 3], 'BAD_USER_INPUT'],
      [['_entities', 4], 'BAD_USER_INPUT'],
    ]);
    expect(errors[0]!.message).toContain('"wooshpay:../v1/charges"');
    expect(errors[1]!.message).toContain('"PAYPAL"');
    expect(errors[2]!.message).toContain('"not-a-uuid"');
    expect(stack.providerCalls()).toBe(2);
  });

  it('turns a provider failure into null plus a typed error at _entities.N, the others resolved', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_EUR_PENDING.providerRefundId, { kind: 'status', status: 503 });

    const response = await stack.graphql<EntitiesData>(ENTITIES_QUERY, {
      representations: [
        byKey('EFUNDPAY', EFUNDPAY_USD_PROCESSING.providerRefundId),
        byId(WOOSHPAY_EUR_PENDING.id),
        byId(WOOSHPAY_USD_SPEC_EXAMPLE.id),
      ],
    });

    const entities = response.body.data!._entities;
    expect(entities.map((entity) => entity?.id ?? null)).toEqual([
      EFUNDPAY_USD_PROCESSING.id,
      null,
      WOOSHPAY_USD_SPEC_EXAMPLE.id,
    ]);
    expect(response.body.errors).toHaveLength(1);
    const [error] = response.body.errors!;
    expect(error!.path).toEqual(['_entities', 1]);
    expect(error!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' });
    expect(error!.message).not.toContain(stack.simulators.wooshpay.origin);
    expect(error!.message).not.toContain('unexpected error occurred on WooshPay');
  });

  it('publishes in _service.sdl (what `rover subgraph introspect` reads) a schema that composes with both consumers', async () => {
    const response = await stack.graphql<{ _service: { sdl: string } }>('{ _service { sdl } }');

    const published = parse(response.body.data!._service.sdl);
    const result = composeSupergraph([
      { name: 'refunds', url: `${stack.url}/graphql`, typeDefs: published },
      { name: 'orders', url: 'http://127.0.0.1:4002/graphql', typeDefs: ORDERS_TYPE_DEFS },
      { name: 'disputes', url: 'http://127.0.0.1:4003/graphql', typeDefs: DISPUTES_TYPE_DEFS },
    ]);
    expect(result.errors?.map(String)).toBeUndefined();
    expect(result.supergraphSdl).toContain('@join__type(graph: REFUNDS, key: "id")');
    expect(result.supergraphSdl).toContain('@join__type(graph: REFUNDS, key: "provider providerRefundId")');
  });
});
