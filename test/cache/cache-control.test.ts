/** Cache-Control hints for the router, from the freshness of the refunds a response holds. */
import { describe, expect, it } from 'vitest';
import { useStack } from '../helpers/stack.js';

const SETTLED_ID = 'wooshpay:re_3KQu4U2eZvKYlo2C02Ndp8xy';
const PENDING_ID = 'wooshpay:re_1787731200000000002';
const REFUNDS = `query ($ids: [ID!]!) { refunds(ids: $ids) { id } }`;
const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Refund { id status } } }`;

function maxAge(header: string | null): number {
  const match = /^public, max-age=(\d+)$/.exec(header ?? '');
  if (!match) throw new Error(`expected "public, max-age=<seconds>", received ${JSON.stringify(header)}`);
  return Number(match[1]);
}

describe('Cache-Control (defaults: settled 300 s, pending 5 s)', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true' } });

  it('lets the router keep a settled refund for no longer than its freshness left', async () => {
    const first = await stack.graphql(REFUNDS, { ids: [SETTLED_ID] });
    const age = maxAge(first.headers.get('cache-control'));
    expect(age).toBeGreaterThan(240);
    expect(age).toBeLessThanOrEqual(300);
  });

  it('takes the least fresh refund of the response (a pending one: at most 5 s)', async () => {
    const response = await stack.graphql(REFUNDS, { ids: [SETTLED_ID, PENDING_ID] });
    expect(response.body.errors).toBeUndefined();
    expect(maxAge(response.headers.get('cache-control'))).toBeLessThanOrEqual(5);
  });

  it('hints _entities responses too', async () => {
    const response = await stack.graphql(ENTITIES, { representations: [{ __typename: 'Refund', id: SETTLED_ID }] });
    expect(response.body.errors).toBeUndefined();
    expect(maxAge(response.headers.get('cache-control'))).toBeLessThanOrEqual(300);
  });

  it('says no-store when the response carries any error', async () => {
    const response = await stack.graphql(REFUNDS, { ids: [SETTLED_ID, 'not-an-id'] });
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.headers.get('cache-control')).toBe('no-store');
    stack.simulators.wooshpay.injectFault('re_1787731200000000003', { kind: 'status', status: 401, times: 1 });
    const failed = await stack.graphql(REFUNDS, { ids: ['wooshpay:re_1787731200000000003'] });
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(failed.headers.get('cache-control')).toBe('no-store');
  });

  it('gives no hint to a response that holds no refund', async () => {
    const response = await stack.graphql('{ __typename }');
    expect(response.body.data).toEqual({ __typename: 'Query' });
    expect(response.headers.get('cache-control')).toBeNull();
  });
});
