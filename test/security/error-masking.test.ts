/**
 * Error masking: only the codes this subgraph defines reach clients. Anything else becomes
 * INTERNAL_SERVER_ERROR with the request id, its details go to the log, and no stack trace ever
 * reaches a client, in production or not.
 */
import { GraphQLError } from 'graphql';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProviderTimeoutError } from '../../src/domain/errors.js';
import { CLIENT_ERROR_CODES, formatError } from '../../src/server/graphql/errors.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { efundpayIdentity } from '../../src/providers/efundpay/identity.js';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const MASKED_MESSAGE = 'Internal server error: quote the requestId when reporting it';
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Refund {
        id
      }
    }
  }
`;

/** A representation of a type this subgraph does not have (Apollo would fail the whole list). */
const UNKNOWN_TYPE = [{ __typename: 'Invoice', id: 'in_1' }];

function expectNoStackTrace(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/stacktrace|exception|\bat .*\.(js|ts):\d+/i);
  expect(text).not.toContain('node_modules');
  expect(text).not.toContain('/work/');
}

describe.each([
  { mode: 'production', env: { NODE_ENV: 'production', ALLOW_WITHOUT_ROUTER_SECRET: 'true' } },
  { mode: 'development', env: {} },
])('error masking ($mode)', ({ env }) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a representation of a type this subgraph does not have as bad input, with no provider call', async () => {
    const response = await stack.graphql(ENTITIES, { representations: [...UNKNOWN_TYPE] });

    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(response.body.errors?.[0]?.message).toContain(
      '_entities representation 0 must be an object with __typename "Refund"',
    );
    expect(stack.providerCalls()).toBe(0);
    expectNoStackTrace(response.body);
  });

  it('lets defined codes through with their own fields only', async () => {
    const invalid = await stack.graphql(`query { refund(id: "../../v1/balance") { id } }`);
    expect(invalid.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expectNoStackTrace(invalid.body);

    const coercion = await stack.graphql(`query Q($ids: [ID!]!) { refunds(ids: $ids) { id } }`, {
      ids: { not: 'a list' },
    });
    expect(coercion.status).toBe(400);
    expect(coercion.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });

    const validation = await stack.graphql(`query { refund(id: "re_1") { nope } }`);
    expect(validation.status).toBe(400);
    expect(validation.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });

    const syntax = await stack.graphql(`query { refund(id: "re_1") { id }`);
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
    for (const body of [coercion.body, validation.body, syntax.body]) expectNoStackTrace(body);
  });
});

describe('formatError', () => {
  const formatted = (error: GraphQLError) => formatError(error.toJSON(), error);

  it('masks an error without a code, keeping only its location and path', () => {
    const error = new GraphQLError('connect ECONNREFUSED 10.0.0.7:5432 at pg.internal', {
      path: ['refund', 'amount'],
      originalError: new Error('connect ECONNREFUSED 10.0.0.7:5432'),
    });
    expect(formatted(error)).toEqual({
      message: MASKED_MESSAGE,
      path: ['refund', 'amount'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('masks codes this subgraph does not define, and a plain Error', () => {
    for (const code of ['PERMISSION_DENIED', 'INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR', 'ECONNRESET']) {
      const error = new GraphQLError(`secret detail for ${code}`, {
        extensions: { code, stacktrace: ['Error: x', '    at y (/srv/z.js:1:1)'] },
      });
      expect(formatted(error)).toEqual({ message: MASKED_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
    expect(formatError({ message: 'boom' }, new Error('boom'))).toEqual({
      message: MASKED_MESSAGE,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('lets every defined code through, dropping any other extension (stack traces included)', () => {
    for (const code of CLIENT_ERROR_CODES) {
      const error = new GraphQLError(`about ${code}`, {
        extensions: {
          code,
          stacktrace: ['Error: x', '    at y (/srv/z.js:1:1)'],
          exception: { url: 'https://apitest.wooshpay.com' },
        },
      });
      expect(formatted(error)).toEqual({ message: `about ${code}`, extensions: { code } });
    }
  });

  it('turns a provider error into its code and provider, whatever the wrapping', () => {
    const providerError = new ProviderTimeoutError(efundpayIdentity, 'no answer within 2000 ms (3 attempts)', {
      cause: new Error('Request timed out: GET https://sandbox.efundpay.com/v4/refunds/x'),
    });
    const error = new GraphQLError('ignored', { path: ['refunds', 3], originalError: providerError });
    expect(formatted(error)).toEqual({
      message: 'efundpay: no answer within 2000 ms (3 attempts)',
      path: ['refunds', 3],
      extensions: { code: 'PROVIDER_TIMEOUT', provider: 'EFUNDPAY' },
    });
  });
});

/**
 * No client input reaches an unexpected error in the subgraph, but a store can hand it data its
 * code never expects: here a shared-cache entry in Redis whose refund carries a currency outside
 * ISO 4217 (as a replica with other code, or anyone with access to Redis, could write). Serving
 * it makes `Money.decimal` throw an error that is no domain error, through the real server.
 */
describe('masking of an unexpected error in the real server', () => {
  let redis: RedisServer;
  let stack: Stack;
  let client: RedisClientType;

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startStack({ env: { REDIS_URL: redis.url, CACHE_ENABLED: 'true' } });
    client = createClient({ url: redis.url });
    await client.connect();
  });

  afterAll(async () => {
    client?.destroy();
    await stack?.stop();
    await redis?.stop();
  });

  it('masks it as INTERNAL_SERVER_ERROR with the request id, and logs the details', async () => {
    const { id, providerRefundId } = WOOSHPAY_USD_SPEC_EXAMPLE;
    const query = `query ($id: ID!) { refund(id: $id) { id amount { currencyCode decimal } } }`;
    const first = await stack.graphql(query, { id });
    expect(first.body).toEqual({ data: { refund: { id, amount: { currencyCode: 'USD', decimal: '15.00' } } } });
    const [key] = await vi.waitFor(
      async () => {
        const keys = await client.keys(`*${providerRefundId}`);
        expect(keys).toHaveLength(1);
        return keys;
      },
      { timeout: 5000, interval: 20 },
    );
    const entry = await client.get(key!);
    expect(entry).toContain('"currencyCode":"USD"');
    await client.set(key!, entry!.replaceAll('"currencyCode":"USD"', '"currencyCode":"ZZZ"'), { KEEPTTL: true });
    stack.resetCounters();

    const response = await stack.graphql(query, { id }, { 'x-request-id': 'mask-check-42' });

    expect(stack.providerCalls()).toBe(0); // served from the entry
    expect(response.status).toBe(200);
    expect(response.body.errors).toEqual([
      {
        message: MASKED_MESSAGE,
        locations: [{ line: 1, column: query.indexOf('decimal') + 1 }],
        path: ['refund', 'amount', 'decimal'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'mask-check-42' },
      },
    ]);
    const text = JSON.stringify(response.body);
    expect(text).not.toContain('ZZZ');
    expect(text).not.toContain('ISO 4217');
    expectNoStackTrace(response.body);

    const logged = stack.logs.filter((line) => line.level === 'error' || line.level === 50);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: 'mask-check-42', path: ['refund', 'amount', 'decimal'] });
    const err = logged[0]!.err as { message: string; stack: string };
    expect(err.message).toContain('"ZZZ"');
    expect(err.stack).toContain('at ');
  });
});
