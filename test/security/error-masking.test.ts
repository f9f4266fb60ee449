/**
 * Error masking: only the codes this subgraph defines reach clients. Anything else becomes
 * INTERNAL_SERVER_ERROR with the request id, its details go to the log, and no stack trace ever
 * reaches a client, in production or not.
 */
import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderTimeoutError } from '../../src/domain/errors.js';
import type { RequestContext } from '../../src/server/graphql/context.js';
import { CLIENT_ERROR_CODES, createErrorMaskingPlugin, formatError } from '../../src/server/graphql/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { efundpayIdentity } from '../../src/providers/efundpay/identity.js';

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
 * No client input reaches an unexpected error in the subgraph itself, so the masking path is
 * exercised over real HTTP through an Apollo Server wired exactly like ours (our formatError and
 * our masking plugin) around a resolver that fails unexpectedly.
 */
describe('masking of an unexpected error over HTTP', () => {
  let url: string;
  let stop: () => Promise<void>;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const logger = createLogger(
      { logLevel: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          for (const line of chunk.toString('utf8').split('\n'))
            if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
          callback();
        },
      }),
    );
    const server = new ApolloServer<RequestContext>({
      typeDefs: 'type Query { refundTotal: Int }',
      resolvers: {
        Query: {
          refundTotal: () => {
            throw new TypeError('Cannot read properties of undefined (reading "amount") at /work/secret/path.ts:12');
          },
        },
      },
      formatError,
      includeStacktraceInErrorResponses: true,
      plugins: [createErrorMaskingPlugin()],
    });
    const started = await startStandaloneServer(server, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) =>
        ({
          requestId: String(req.headers['x-request-id']),
          logger: logger.child({ requestId: String(req.headers['x-request-id']) }),
        }) as unknown as RequestContext,
    });
    url = started.url;
    stop = () => server.stop();
  });

  afterAll(async () => {
    await stop?.();
  });

  it('masks it as INTERNAL_SERVER_ERROR with the request id, and logs the details', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'mask-check-42' },
      body: JSON.stringify({ query: '{ refundTotal }' }),
    });
    const body = (await response.json()) as { errors: unknown[] };

    expect(body.errors).toEqual([
      {
        message: MASKED_MESSAGE,
        locations: [{ line: 1, column: 3 }],
        path: ['refundTotal'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'mask-check-42' },
      },
    ]);
    expect(JSON.stringify(body)).not.toContain('amount');
    expectNoStackTrace(body);

    const logged = lines.filter((line) => line.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: 'mask-check-42', path: ['refundTotal'] });
    const err = logged[0]!.err as { message: string; stack: string };
    expect(err.message).toContain('reading "amount"');
    expect(err.stack).toContain('at ');
  });
});
