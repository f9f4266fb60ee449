/**
 * Provider faults, driven through the simulators' fault injection over real HTTP: what the
 * client sees (data, or null plus a typed error at the refund's own path), how many attempts the
 * provider saw, and that siblings and the other provider are never taken down with a failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_NOT_SEEDED,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';
import { WOOSHPAY_DOCS_BODY } from '../fixtures/provider-bodies.js';

const REFUNDS = /* GraphQL */ `
  query Refunds($ids: [ID!]!) {
    refunds(ids: $ids) {
      id
      providerRefundId
      status
    }
  }
`;
const REFUND = /* GraphQL */ `
  query Refund($id: ID!) {
    refund(id: $id) {
      id
      status
    }
  }
`;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Refund {
        id
        status
      }
    }
  }
`;

type Errors = NonNullable<GraphQLResponse['body']['errors']>;
type RefundRow = { id: string; providerRefundId: string; status: string } | null;

function errorsOf(response: GraphQLResponse): Errors {
  return response.body.errors ?? [];
}

/** The only error of a response, asserting there is exactly one. */
function onlyError(response: GraphQLResponse): Errors[number] {
  const errors = errorsOf(response);
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  return errors[0]!;
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

const ATTEMPT_TIMEOUT_MS = 400;
const DEADLINE_MS = 4000;
const MAX_RETRIES = 2;

describe('provider faults', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        PROVIDER_ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
        PROVIDER_DEADLINE_MS: String(DEADLINE_MS),
        PROVIDER_MAX_RETRIES: String(MAX_RETRIES),
        PROVIDER_RETRY_BASE_DELAY_MS: '20',
        // The breaker has its own suite; here it must never open and hide the fault under test.
        BREAKER_VOLUME_THRESHOLD: '100000',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  beforeEach(() => {
    stack.simulators.wooshpay.clearFaults();
    stack.simulators.efundpay.clearFaults();
    stack.resetCounters();
  });

  const refunds = (ids: string[]) => stack.graphql<{ refunds: RefundRow[] }>(REFUNDS, { ids });

  it('retries a 5xx twice and returns the refund from the third attempt', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'status',
      status: 500,
      times: 1,
    });
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'status',
      status: 502,
      times: 1,
    });

    const response = await refunds([WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId]);

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.refunds).toEqual([
      {
        id: WOOSHPAY_USD_SPEC_EXAMPLE.id,
        providerRefundId: WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        status: 'SUCCEEDED',
      },
    ]);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(3);
    expect(stack.simulators.wooshpay.requests.map((request) => request.status)).toEqual([500, 502, 200]);
  });

  it.each([408, 409])('retries HTTP %i like a 5xx', async (status) => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
      kind: 'status',
      status,
      times: 2,
    });

    const response = await refunds([EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId]);

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.refunds[0]?.id).toBe(EFUNDPAY_EUR_DOCS_EXAMPLE.id);
    expect(stack.simulators.efundpay.requests.map((request) => request.status)).toEqual([status, status, 200]);
  });

  it('does not retry other 4xx answers', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'status', status: 400 });

    const response = await refunds([WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId]);

    expect(onlyError(response).extensions).toEqual({ code: 'PROVIDER_BAD_RESPONSE', provider: 'WOOSHPAY' });
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
  });

  it('gives up on a provider failing forever after 1 + PROVIDER_MAX_RETRIES attempts, within the deadline, siblings intact', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_EUR_PENDING.providerRefundId, { kind: 'status', status: 503 });

    const { result: response, ms } = await timed(() =>
      refunds([
        WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        WOOSHPAY_EUR_PENDING.providerRefundId,
        EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      ]),
    );

    expect(ms).toBeLessThan(DEADLINE_MS);
    expect(response.status).toBe(200);
    const rows = response.body.data?.refunds ?? [];
    expect(rows.map((row) => row?.id ?? null)).toEqual([
      WOOSHPAY_USD_SPEC_EXAMPLE.id,
      null,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
    ]);
    const error = onlyError(response);
    expect(error.path).toEqual(['refunds', 1]);
    expect(error.extensions).toEqual({ code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' });
    expect(error.message).toBe(`WooshPay: the provider failed (HTTP 503 after ${1 + MAX_RETRIES} attempts)`);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_EUR_PENDING.providerRefundId)).toBe(1 + MAX_RETRIES);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toBe(1);
  });

  it('waits out a 429 with Retry-After: 1 and then returns the refund', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
      kind: 'status',
      status: 429,
      retryAfter: '1',
      times: 1,
    });

    const response = await refunds([EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId]);

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.refunds[0]?.id).toBe(EFUNDPAY_EUR_DOCS_EXAMPLE.id);
    const [limited, retried] = stack.simulators.efundpay.requests;
    expect(stack.simulators.efundpay.requests.map((request) => request.status)).toEqual([429, 200]);
    // Retry-After is honoured: the second attempt comes no sooner than the provider asked.
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(950);
  });

  it('fails at once with PROVIDER_RATE_LIMITED when Retry-After is beyond the cap, after one attempt', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'status',
      status: 429,
      retryAfter: '3600',
    });

    const { result: response, ms } = await timed(() =>
      refunds([WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId]),
    );

    // Beyond the cap we do not even wait the cap (2 s by default).
    expect(ms).toBeLessThan(stack.config.http.retryAfterCapMs);
    expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([null, EFUNDPAY_EUR_DOCS_EXAMPLE.id]);
    const error = onlyError(response);
    expect(error.path).toEqual(['refunds', 0]);
    expect(error.extensions).toEqual({ code: 'PROVIDER_RATE_LIMITED', provider: 'WOOSHPAY' });
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
  });

  it('fails at once when Retry-After is an HTTP date beyond the cap', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
      kind: 'status',
      status: 429,
      retryAfter: inAnHour,
    });

    const { result: response, ms } = await timed(() => refunds([EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId]));

    expect(ms).toBeLessThan(stack.config.http.retryAfterCapMs);
    expect(onlyError(response).extensions).toEqual({ code: 'PROVIDER_RATE_LIMITED', provider: 'EFUNDPAY' });
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toBe(1);
  });

  it('honours Retry-After on a 503 as well', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'status',
      status: 503,
      retryAfter: '1',
      times: 1,
    });

    const response = await refunds([WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId]);

    expect(response.body.errors).toBeUndefined();
    const [unavailable, retried] = stack.simulators.wooshpay.requests;
    expect(retried!.at - unavailable!.at).toBeGreaterThanOrEqual(950);
  });

  it('turns a hung provider into PROVIDER_TIMEOUT after every attempt timed out, siblings intact', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_USD_PROCESSING.providerRefundId, { kind: 'hang' });

    const { result: response, ms } = await timed(() =>
      refunds([
        EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
        EFUNDPAY_USD_PROCESSING.providerRefundId,
        WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      ]),
    );

    expect(ms).toBeLessThan(DEADLINE_MS + 1000);
    expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      null,
      WOOSHPAY_USD_SPEC_EXAMPLE.id,
    ]);
    const error = onlyError(response);
    expect(error.path).toEqual(['refunds', 1]);
    expect(error.extensions).toEqual({ code: 'PROVIDER_TIMEOUT', provider: 'EFUNDPAY' });
    expect(error.message).toBe(`efundpay: no answer within ${ATTEMPT_TIMEOUT_MS} ms (${1 + MAX_RETRIES} attempts)`);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_USD_PROCESSING.providerRefundId)).toBe(1 + MAX_RETRIES);
  });

  describe('bodies that are not the refund asked for become PROVIDER_BAD_RESPONSE, without retries', () => {
    const badBodies: Array<{ name: string; contentType: string; body: string }> = [
      {
        name: 'an HTML page with status 200',
        contentType: 'text/html',
        body: '<html><body><h1>Welcome to nginx!</h1></body></html>',
      },
      {
        name: 'JSON with wrong types (amount as a string)',
        contentType: 'application/json',
        body: JSON.stringify({ ...WOOSHPAY_DOCS_BODY, amount: '15.00' }),
      },
      {
        name: 'truncated JSON',
        contentType: 'application/json',
        body: JSON.stringify(WOOSHPAY_DOCS_BODY).slice(0, 60),
      },
      {
        name: 'JSON without an id',
        contentType: 'application/json',
        body: JSON.stringify({ ...WOOSHPAY_DOCS_BODY, id: undefined }),
      },
      {
        name: 'a refund with a different id',
        contentType: 'application/json',
        body: JSON.stringify({ ...WOOSHPAY_DOCS_BODY, id: WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId }),
      },
      { name: 'an empty body', contentType: 'application/json', body: '' },
      {
        name: 'a body over 256 kB',
        contentType: 'application/json',
        body: JSON.stringify({ ...WOOSHPAY_DOCS_BODY, description: 'x'.repeat(300 * 1024) }),
      },
      {
        name: 'a creation time past the year 9999 (not a representable date)',
        contentType: 'application/json',
        body: JSON.stringify({ ...WOOSHPAY_DOCS_BODY, created: 9_000_000_000_000 }),
      },
    ];

    it.each(badBodies)('$name', async ({ contentType, body }) => {
      stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
        kind: 'raw',
        status: 200,
        contentType,
        body,
      });

      const response = await refunds([
        EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
        WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        WOOSHPAY_EUR_PENDING.providerRefundId,
      ]);

      expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([
        EFUNDPAY_EUR_DOCS_EXAMPLE.id,
        null,
        WOOSHPAY_EUR_PENDING.id,
      ]);
      const error = onlyError(response);
      expect(error.path).toEqual(['refunds', 1]);
      expect(error.extensions).toEqual({ code: 'PROVIDER_BAD_RESPONSE', provider: 'WOOSHPAY' });
      expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
    });

    it('an efundpay body with wrong types', async () => {
      stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
        kind: 'raw',
        contentType: 'application/json',
        body: JSON.stringify({
          type: 'refund',
          id: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
          amount: 'lots',
          currency: 42,
        }),
      });

      const response = await refunds([EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId]);

      expect(response.body.data?.refunds).toEqual([null]);
      expect(onlyError(response).extensions).toEqual({ code: 'PROVIDER_BAD_RESPONSE', provider: 'EFUNDPAY' });
    });
  });

  it('logs which fields of a bad body departed from the schema, never their values', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'raw',
      contentType: 'application/json',
      body: JSON.stringify({ ...WOOSHPAY_DOCS_BODY, amount: 'fifteen dollars', metadata: { 'evil\nkey': 42 } }),
    });
    const logsBefore = stack.logs.length;

    const response = await refunds([WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId]);

    expect(onlyError(response).extensions?.code).toBe('PROVIDER_BAD_RESPONSE');
    const [line] = stack.logs.slice(logsBefore).filter((entry) => entry.code === 'PROVIDER_BAD_RESPONSE');
    expect(line).toMatchObject({
      level: 'warn',
      err: { type: 'SchemaMismatchError', fields: ['amount', 'metadata.evil?key'] },
    });
    expect(JSON.stringify(line)).not.toContain('fifteen dollars');
  });

  it('returns null without an error for a refund the provider does not have', async () => {
    const response = await refunds([WOOSHPAY_NOT_SEEDED.providerRefundId, EFUNDPAY_NOT_SEEDED.providerRefundId]);

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.refunds).toEqual([null, null]);
  });

  it('treats a 404 whose body is HTML (a proxy, not the provider) as PROVIDER_BAD_RESPONSE, not as not-found', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
      kind: 'raw',
      status: 404,
      contentType: 'text/html',
      body: '<html><head><title>404 Not Found</title></head><body>nginx</body></html>',
    });
    stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
      kind: 'raw',
      status: 404,
      contentType: 'text/html',
      body: '<h1>Not Found</h1>',
    });

    const response = await refunds([
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      WOOSHPAY_EUR_PENDING.providerRefundId,
    ]);

    expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([null, null, WOOSHPAY_EUR_PENDING.id]);
    const errors = errorsOf(response).sort((a, b) => Number(a.path?.[1]) - Number(b.path?.[1]));
    expect(errors.map((error) => [error.path, error.extensions])).toEqual([
      [['refunds', 0], { code: 'PROVIDER_BAD_RESPONSE', provider: 'WOOSHPAY' }],
      [['refunds', 1], { code: 'PROVIDER_BAD_RESPONSE', provider: 'EFUNDPAY' }],
    ]);
  });

  describe('a provider refusing our credentials', () => {
    it.each([
      { status: 401, setting: 'WOOSHPAY_SECRET_KEY' },
      { status: 403, setting: 'WOOSHPAY_SECRET_KEY' },
    ])('WooshPay $status -> PROVIDER_AUTH_FAILED and one log line naming $setting', async ({ status, setting }) => {
      stack.simulators.wooshpay.injectFault('*', { kind: 'status', status });
      const logsBefore = stack.rawLogs.length;

      const response = await refunds([
        WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      ]);

      expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([null, EFUNDPAY_EUR_DOCS_EXAMPLE.id]);
      const error = onlyError(response);
      expect(error.extensions).toEqual({ code: 'PROVIDER_AUTH_FAILED', provider: 'WOOSHPAY' });
      expect(error.message).not.toContain(setting);
      // Credentials do not get better by asking again.
      expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
      const lines = stack.rawLogs.slice(logsBefore).filter((line) => line.includes(setting));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        level: 'error',
        provider: 'WOOSHPAY',
        code: 'PROVIDER_AUTH_FAILED',
        status,
      });
    });

    it.each([401, 403])(
      'efundpay %i -> PROVIDER_AUTH_FAILED and one log line naming EFUNDPAY_API_KEY',
      async (status) => {
        stack.simulators.efundpay.injectFault('*', { kind: 'status', status });
        const logsBefore = stack.rawLogs.length;

        const response = await refunds([
          EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
          WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        ]);

        expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([null, WOOSHPAY_USD_SPEC_EXAMPLE.id]);
        expect(onlyError(response).extensions).toEqual({ code: 'PROVIDER_AUTH_FAILED', provider: 'EFUNDPAY' });
        const lines = stack.rawLogs.slice(logsBefore).filter((line) => line.includes('EFUNDPAY_API_KEY'));
        expect(lines).toHaveLength(1);
        expect(JSON.parse(lines[0]!)).toMatchObject({
          level: 'error',
          provider: 'EFUNDPAY',
          code: 'PROVIDER_AUTH_FAILED',
        });
      },
    );

    it('a wrong key configured for real gets the same treatment', async () => {
      const wrongKey = await startStack({ env: { WOOSHPAY_SECRET_KEY: 'sk_test_not_the_right_one_42' } });
      try {
        const response = await wrongKey.graphql<{ refund: RefundRow }>(REFUND, {
          id: WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        });
        expect(response.body.data?.refund).toBeNull();
        expect(onlyError(response).extensions).toEqual({ code: 'PROVIDER_AUTH_FAILED', provider: 'WOOSHPAY' });
        expect(wrongKey.rawLogs.filter((line) => line.includes('WOOSHPAY_SECRET_KEY'))).toHaveLength(1);
        expect(wrongKey.rawLogs.join('\n')).not.toContain('sk_test_not_the_right_one_42');
      } finally {
        await wrongKey.stop();
      }
    });
  });

  describe('a redirect', () => {
    let elsewhere: Server;
    let elsewhereRequests = 0;
    let elsewhereOrigin = '';

    beforeAll(async () => {
      elsewhere = createServer((_req, res) => {
        elsewhereRequests += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(WOOSHPAY_DOCS_BODY));
      });
      await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
      elsewhereOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      elsewhere.closeAllConnections();
      await new Promise((resolve) => elsewhere.close(resolve));
    });

    it.each([301, 302, 307, 308])('HTTP %i is never followed and becomes PROVIDER_BAD_RESPONSE', async (status) => {
      stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, {
        kind: 'redirect',
        status,
        location: `${elsewhereOrigin}/v1/refunds/${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}`,
      });

      const response = await refunds([
        WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        WOOSHPAY_EUR_PENDING.providerRefundId,
      ]);

      expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([null, WOOSHPAY_EUR_PENDING.id]);
      const error = onlyError(response);
      expect(error.extensions).toEqual({ code: 'PROVIDER_BAD_RESPONSE', provider: 'WOOSHPAY' });
      expect(error.message).toContain('redirect');
      expect(elsewhereRequests).toBe(0);
      expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
    });
  });

  it('retries a connection reset and returns the refund', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'reset', times: 1 });
    stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, { kind: 'reset', times: 2 });

    const response = await refunds([
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
    ]);

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.refunds.map((row) => row?.id)).toEqual([
      WOOSHPAY_USD_SPEC_EXAMPLE.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
    ]);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(2);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toBe(3);
  });

  it('puts each failure at its own path in refunds (refunds.3) and leaves the other provider untouched', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_FAILED_LOST_CARD.providerRefundId, { kind: 'status', status: 500 });

    const response = await refunds([
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      WOOSHPAY_EUR_PENDING.providerRefundId,
      WOOSHPAY_FAILED_LOST_CARD.providerRefundId,
      EFUNDPAY_USD_PROCESSING.providerRefundId,
      WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId,
    ]);

    expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([
      WOOSHPAY_USD_SPEC_EXAMPLE.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      WOOSHPAY_EUR_PENDING.id,
      null,
      EFUNDPAY_USD_PROCESSING.id,
      WOOSHPAY_GBP_REQUIRES_ACTION.id,
    ]);
    const error = onlyError(response);
    expect(error.path).toEqual(['refunds', 3]);
    expect(error.extensions).toEqual({ code: 'PROVIDER_UNAVAILABLE', provider: 'WOOSHPAY' });
  });

  it('puts each failure at its own path in _entities (_entities.7), in both key shapes', async () => {
    stack.simulators.efundpay.injectFault(EFUNDPAY_USD_PROCESSING.providerRefundId, { kind: 'status', status: 503 });
    const representations = [
      { __typename: 'Refund', id: WOOSHPAY_USD_SPEC_EXAMPLE.id },
      { __typename: 'Refund', provider: 'EFUNDPAY', providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId },
      { __typename: 'Refund', id: WOOSHPAY_EUR_PENDING.providerRefundId },
      { __typename: 'Refund', provider: 'WOOSHPAY', providerRefundId: WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId },
      { __typename: 'Refund', id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
      { __typename: 'Refund', id: WOOSHPAY_NOT_SEEDED.providerRefundId },
      { __typename: 'Refund', provider: 'WOOSHPAY', providerRefundId: WOOSHPAY_FAILED_LOST_CARD.providerRefundId },
      { __typename: 'Refund', provider: 'EFUNDPAY', providerRefundId: EFUNDPAY_USD_PROCESSING.providerRefundId },
    ];

    const response = await stack.graphql<{ _entities: Array<{ id: string } | null> }>(ENTITIES, { representations });

    expect(response.body.data?._entities.map((entity) => entity?.id ?? null)).toEqual([
      WOOSHPAY_USD_SPEC_EXAMPLE.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      WOOSHPAY_EUR_PENDING.id,
      WOOSHPAY_GBP_REQUIRES_ACTION.id,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      null,
      WOOSHPAY_FAILED_LOST_CARD.id,
      null,
    ]);
    const error = onlyError(response);
    expect(error.path).toEqual(['_entities', 7]);
    expect(error.extensions).toEqual({ code: 'PROVIDER_UNAVAILABLE', provider: 'EFUNDPAY' });
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toBe(1);
  });

  it('logs each provider failure once, with the request id, the code and the status', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'status', status: 500 });
    const logsBefore = stack.logs.length;

    const response = await stack.graphql(
      REFUNDS,
      { ids: [WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId] },
      { 'x-request-id': 'fault-log-check-1' },
    );

    expect(onlyError(response).extensions?.code).toBe('PROVIDER_UNAVAILABLE');
    const failures = stack.logs.slice(logsBefore).filter((line) => line.code === 'PROVIDER_UNAVAILABLE');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'warn',
      requestId: 'fault-log-check-1',
      provider: 'WOOSHPAY',
      status: 500,
    });
  });
});

describe('the overall deadline per refund', () => {
  let stack: Stack;
  const deadlineMs = 1000;

  beforeAll(async () => {
    // Three 400 ms attempts do not fit into 1 s: the deadline, not the attempt limit, ends the call.
    stack = await startStack({
      env: {
        PROVIDER_ATTEMPT_TIMEOUT_MS: '400',
        PROVIDER_DEADLINE_MS: String(deadlineMs),
        PROVIDER_MAX_RETRIES: '5',
        BREAKER_VOLUME_THRESHOLD: '100000',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers PROVIDER_TIMEOUT when the deadline passes, whatever retries remain', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'hang' });

    const { result: response, ms } = await timed(() =>
      stack.graphql<{ refunds: RefundRow[] }>(REFUNDS, {
        ids: [WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId],
      }),
    );

    expect(ms).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(ms).toBeLessThan(deadlineMs + 1500);
    expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([null, EFUNDPAY_EUR_DOCS_EXAMPLE.id]);
    const error = onlyError(response);
    expect(error.extensions).toEqual({ code: 'PROVIDER_TIMEOUT', provider: 'WOOSHPAY' });
    expect(error.message).toContain(`${deadlineMs} ms deadline`);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBeLessThan(1 + 5);
  });
});
