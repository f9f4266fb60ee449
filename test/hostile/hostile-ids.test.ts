/**
 * Hostile ids over real HTTP: every one is refused with BAD_USER_INPUT naming the input, in
 * `refund`, `refunds` and `_entities` (both key shapes), and no provider is ever called for it.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/registry.js';
import { useStack, type GraphQLResponse } from '../helpers/stack.js';
import { HOSTILE_IDS, VALID_E, VALID_W } from './hostile-inputs.js';

const REFUND = /* GraphQL */ `
  query Refund($id: ID!) {
    refund(id: $id) {
      id
    }
  }
`;
const REFUNDS = /* GraphQL */ `
  query Refunds($ids: [ID!]!) {
    refunds(ids: $ids) {
      id
    }
  }
`;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Refund {
        id
      }
    }
  }
`;

function expectBadInput(response: GraphQLResponse, path: Array<string | number>): void {
  expect(response.status).toBe(200);
  const errors = response.body.errors ?? [];
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  const [error] = errors;
  expect(error!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  expect(error!.path).toEqual(path);
  expect(error!.message).toMatch(/^Invalid (refund id|providerRefundId|provider) /);
  // The input is quoted JSON-escaped and cut: it cannot forge lines or flood the response.
  // eslint-disable-next-line no-control-regex -- a NUL character is one of the things this looks for
  expect(error!.message).not.toMatch(/[\r\n\u0000]/);
  expect(error!.message.length).toBeLessThan(400);
}

describe('hostile ids are refused before any provider call', () => {
  const stack = useStack();

  describe.each(HOSTILE_IDS)('%s', (_name, id) => {
    it('refund(id)', async () => {
      const response = await stack.graphql<{ refund: unknown }>(REFUND, { id });
      expectBadInput(response, ['refund']);
      expect(response.body.data?.refund).toBeNull();
      expect(stack.providerCalls()).toBe(0);
    });

    it('refunds(ids)', async () => {
      const response = await stack.graphql<{ refunds: unknown[] }>(REFUNDS, { ids: [id] });
      expectBadInput(response, ['refunds', 0]);
      expect(response.body.data?.refunds).toEqual([null]);
      expect(stack.providerCalls()).toBe(0);
    });

    it('_entities { id }', async () => {
      const response = await stack.graphql<{ _entities: unknown[] }>(ENTITIES, {
        representations: [{ __typename: 'Refund', id }],
      });
      expectBadInput(response, ['_entities', 0]);
      expect(response.body.data?._entities).toEqual([null]);
      expect(stack.providerCalls()).toBe(0);
    });

    it.each(PROVIDERS.map((definition) => definition.name))(
      '_entities { provider: %s, providerRefundId }',
      async (provider) => {
        const response = await stack.graphql<{ _entities: unknown[] }>(ENTITIES, {
          representations: [{ __typename: 'Refund', provider, providerRefundId: id }],
        });
        expectBadInput(response, ['_entities', 0]);
        expect(stack.providerCalls()).toBe(0);
      },
    );
  });

  it.each([
    ['an unknown provider', { provider: 'STRIPE', providerRefundId: VALID_W }],
    ['a provider in lower case', { provider: 'wooshpay', providerRefundId: VALID_W }],
    ['a numeric providerRefundId', { provider: 'WOOSHPAY', providerRefundId: 1787731200000000000 }],
    ['an object as providerRefundId', { provider: 'WOOSHPAY', providerRefundId: { $ne: null } }],
    ['no providerRefundId', { provider: 'EFUNDPAY' }],
  ])('_entities with %s is refused', async (_name, key) => {
    const response = await stack.graphql(ENTITIES, { representations: [{ __typename: 'Refund', ...key }] });
    expectBadInput(response, ['_entities', 0]);
    expect(stack.providerCalls()).toBe(0);
  });

  it('a hostile id fails alone: valid siblings in the same list are still fetched', async () => {
    const response = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(REFUNDS, {
      ids: [VALID_W, '../../v1/balance', VALID_E, 're_1?expand=x'],
    });
    expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([
      `wooshpay:${VALID_W}`,
      null,
      `efundpay:${VALID_E}`,
      null,
    ]);
    expect(response.body.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['refunds', 1], 'BAD_USER_INPUT'],
      [['refunds', 3], 'BAD_USER_INPUT'],
    ]);
    expect(stack.providerCalls()).toBe(2);
    expect(stack.simulators.wooshpay.requests.map((request) => request.path)).toEqual([`/v1/refunds/${VALID_W}`]);
    expect(stack.simulators.efundpay.requests.map((request) => request.path)).toEqual([`/v4/refunds/${VALID_E}`]);
  });

  it('names the bad input in the message', async () => {
    const response = await stack.graphql(REFUND, { id: '../../v1/balance' });
    expect(response.body.errors?.[0]?.message).toContain('"../../v1/balance"');
  });
});
