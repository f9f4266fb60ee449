/**
 * Error masking: only the codes this subgraph defines reach clients. Anything else becomes
 * INTERNAL_SERVER_ERROR with the request id, its details go to the log, and no stack trace ever
 * reaches a client, in production or not.
 */
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderTimeoutError } from '../../src/domain/errors.js';
import { CLIENT_ERROR_CODES, formatError } from '../../src/server/errors.js';
import { startStack, type Stack } from '../helpers/stack.js';

const MASKED_MESSAGE = 'Internal server error: quote the requestId when reporting it';
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Refund { id } } }
`;

/** An error the resolvers do not expect: a representation of a type this subgraph does not have. */
const UNKNOWN_TYPE = [{ __typename: 'Invoice', id: 'in_1' }];

function expectNoStackTrace(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/stacktrace|exception|\bat .*\.(js|ts):\d+/i);
  expect(text).not.toContain('node_modules');
  expect(text).not.toContain('/work/');
}

describe.each([
  { mode: 'production', env: { NODE_ENV: 'production' } },
  { mode: 'development', env: {} },
])('error masking ($mode)', ({ env }) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('masks an unexpected error as INTERNAL_SERVER_ERROR with the request id, and logs the details', async () => {
    const logsBefore = stack.logs.length;

    const response = await stack.graphql(ENTITIES, { representations: UNKNOWN_TYPE }, { 'x-request-id': 'mask-check-42' });

    expect(response.status).toBe(200);
    expect(response.body.errors).toEqual([
      {
        message: MASKED_MESSAGE,
        locations: [{ line: 2, column: 48 }],
        path: ['_entities'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'mask-check-42' },
      },
    ]);
    expect(JSON.stringify(response.body)).not.toContain('Invoice');
    expectNoStackTrace(response.body);

    const logged = stack.logs.slice(logsBefore).filter((line) => line.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: 'mask-check-42', path: ['_entities'] });
    const err = logged[0]!.err as { message: string; stack: string };
    expect(err.message).toContain('"Invoice"');
    expect(err.stack).toContain('at ');
  });

  it('lets defined codes through with their own fields only', async () => {
    const invalid = await stack.graphql(`query { refund(id: "../../v1/balance") { id } }`);
    expect(invalid.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expectNoStackTrace(invalid.body);

    const coercion = await stack.graphql(`query Q($ids: [ID!]!) { refunds(ids: $ids) { id } }`, { ids: { not: 'a list' } });
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
    expect(formatted(error)).toEqual({ message: MASKED_MESSAGE, path: ['refund', 'amount'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('masks codes this subgraph does not define, and a plain Error', () => {
    for (const code of ['FORBIDDEN', 'INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR', 'ECONNRESET']) {
      const error = new GraphQLError(`secret detail for ${code}`, { extensions: { code, stacktrace: ['Error: x', '    at y (/srv/z.js:1:1)'] } });
      expect(formatted(error)).toEqual({ message: MASKED_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
    expect(formatError({ message: 'boom' }, new Error('boom'))).toEqual({ message: MASKED_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('lets every defined code through, dropping any other extension (stack traces included)', () => {
    for (const code of CLIENT_ERROR_CODES) {
      const error = new GraphQLError(`about ${code}`, {
        extensions: { code, stacktrace: ['Error: x', '    at y (/srv/z.js:1:1)'], exception: { url: 'https://apitest.wooshpay.com' } },
      });
      expect(formatted(error)).toEqual({ message: `about ${code}`, extensions: { code } });
    }
  });

  it('turns a provider error into its code and provider, whatever the wrapping', () => {
    const providerError = new ProviderTimeoutError('EFUNDPAY', 'no answer within 2000 ms (3 attempts)', {
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
