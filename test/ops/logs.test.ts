/**
 * Structured logs on the real server: one JSON line per GraphQL operation with the documented
 * fields, the request id taken from `x-request-id` or `traceparent` and passed on to the
 * providers, Apollo Server's own messages through the same logger, and no credential in any line.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_USD_DOCS_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type LogLine = Record<string, unknown>;

const operationLines = (stack: Stack, requestId?: string): LogLine[] =>
  stack.logs.filter(
    (line) => line.msg === 'graphql operation' && (requestId === undefined || line.requestId === requestId),
  );

/** The `x-request-id` each provider simulator received since the last reset. */
function providerRequestIds(stack: Stack): string[] {
  return Object.values(stack.simulators)
    .flatMap((simulator) => simulator.requests)
    .map((request) => String(request.headers['x-request-id']));
}

describe('operation log lines', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PROVIDER_MAX_RETRIES: '0' } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('writes one JSON line per operation with request id, name, duration, refunds, provider calls and error codes', async () => {
    const response = await stack.graphql(
      `query RefundPair { refunds(ids: ["${WOOSHPAY_USD_DOCS_EXAMPLE.id}", "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}", "${WOOSHPAY_USD_DOCS_EXAMPLE.id}"]) { id } }`,
      undefined,
      { 'x-request-id': 'ops-log-success-1' },
    );
    expect(response.body.errors).toBeUndefined();

    const lines = operationLines(stack, 'ops-log-success-1');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      level: 'info',
      service: 'refunds-subgraph',
      requestId: 'ops-log-success-1',
      operationName: 'RefundPair',
      operationType: 'query',
      // The repeated id is one refund: deduplicated before any provider call.
      refundsRequested: 2,
      providerCalls: 2,
      errorCodes: [],
      outcome: 'success',
    });
    expect(typeof line?.durationMs).toBe('number');
    expect(line?.durationMs).toBeGreaterThan(0);
    expect(new Date(String(line?.time)).toISOString()).toBe(line?.time);
  });

  it('lists the distinct error codes of a failed operation, and counts the failed provider call', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_FAILED_LOST_CARD.providerRefundId, { kind: 'status', status: 500 });
    const response = await stack.graphql(
      `query Troubled {
        a: refund(id: "${WOOSHPAY_FAILED_LOST_CARD.id}") { id }
        b: refund(id: "wooshpay:not valid") { id }
        c: refund(id: "efundpay:also-not-valid") { id }
        d: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id }
      }`,
      undefined,
      { 'x-request-id': 'ops-log-partial-1' },
    );
    expect(response.body.errors).toHaveLength(3);
    const [line] = operationLines(stack, 'ops-log-partial-1');
    expect(line).toMatchObject({
      operationName: 'Troubled',
      refundsRequested: 2,
      providerCalls: 2,
      outcome: 'partial',
    });
    expect((line?.errorCodes as string[]).sort()).toEqual(['BAD_USER_INPUT', 'PROVIDER_UNAVAILABLE']);
  });

  it('logs an operation that fails validation under the name it was sent with', async () => {
    const response = await stack.graphql('query NoSuchField { refundz { id } }', undefined, {
      'x-request-id': 'ops-log-invalid-1',
    });
    expect(response.status).toBe(400);
    const lines = operationLines(stack, 'ops-log-invalid-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      operationName: 'NoSuchField',
      operationType: 'query',
      refundsRequested: 0,
      providerCalls: 0,
      errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
      outcome: 'error',
    });
  });

  it('answers a syntax error with 400 GRAPHQL_PARSE_FAILED, and logs it', async () => {
    const response = await stack.graphql('query Broken { refund(id: ', undefined, {
      'x-request-id': 'ops-log-syntax-1',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((error) => error.extensions?.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
    const lines = operationLines(stack, 'ops-log-syntax-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      operationName: null,
      refundsRequested: 0,
      providerCalls: 0,
      errorCodes: ['GRAPHQL_PARSE_FAILED'],
      outcome: 'error',
    });
  });

  it("sends Apollo Server's own messages through the JSON logger", () => {
    const apolloLines = stack.logs.filter((line) => line.component === 'apollo-server');
    expect(apolloLines.map((line) => line.msg)).toContainEqual(expect.stringContaining('inline tracing'));
  });
});

describe('request id', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const query = `{ refunds(ids: ["${WOOSHPAY_USD_DOCS_EXAMPLE.id}", "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}"]) { id } }`;

  it('reuses an incoming x-request-id in the log line and sends it to both providers', async () => {
    stack.resetCounters();
    await stack.graphql(query, undefined, { 'x-request-id': 'router-req-7f3a.1:b' });
    expect(operationLines(stack, 'router-req-7f3a.1:b')).toHaveLength(1);
    expect(stack.simulators.wooshpay.requests).toHaveLength(1);
    expect(stack.simulators.efundpay.requests).toHaveLength(1);
    expect(providerRequestIds(stack)).toEqual(['router-req-7f3a.1:b', 'router-req-7f3a.1:b']);
  });

  it('uses the trace id of a W3C traceparent when there is no x-request-id', async () => {
    stack.resetCounters();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await stack.graphql(query, undefined, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(operationLines(stack, traceId)).toHaveLength(1);
    expect(providerRequestIds(stack)).toEqual([traceId, traceId]);
  });

  it('prefers x-request-id over traceparent', async () => {
    stack.resetCounters();
    await stack.graphql(query, undefined, {
      'x-request-id': 'both-headers-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(operationLines(stack, 'both-headers-1')).toHaveLength(1);
    expect(providerRequestIds(stack)).toEqual(['both-headers-1', 'both-headers-1']);
  });

  it('makes a fresh UUID per request when there is none, or the given one is not a plain token', async () => {
    const seen: string[] = [];
    for (const headers of [
      {},
      {},
      { 'x-request-id': 'has spaces "and quotes"' },
      { 'x-request-id': 'x'.repeat(129) },
      { traceparent: 'not-a-traceparent' },
    ]) {
      stack.resetCounters();
      const before = operationLines(stack).length;
      await stack.graphql(query, undefined, headers as Record<string, string>);
      const line = operationLines(stack)[before];
      const requestId = String(line?.requestId);
      expect(requestId, JSON.stringify(headers)).toMatch(UUID);
      expect(providerRequestIds(stack)).toEqual([requestId, requestId]);
      seen.push(requestId);
    }
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('redaction', () => {
  it('never writes a credential, a provider URL or a provider body into the log, even when providers refuse and fail', async () => {
    const routerSecret = 'router-secret-never-logged-0123456789';
    // The WooshPay simulator expects another key, so every WooshPay call is refused (401).
    const stack = await startStack({
      env: {
        ROUTER_SECRET: routerSecret,
        WOOSHPAY_SECRET_KEY: 'sk_test_wrongkeynotlogged0123',
        PROVIDER_MAX_RETRIES: '0',
        LOG_LEVEL: 'trace',
      },
    });
    try {
      stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
        kind: 'raw',
        status: 200,
        contentType: 'application/json',
        body: '{"secret_body_marker": true',
      });
      const auth = { 'router-authorization': routerSecret, authorization: 'Bearer client-token-never-logged' };
      const response = await stack.graphql(
        `{ w: refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.id}") { id } e: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id } }`,
        undefined,
        auth,
      );
      expect(response.body.errors?.map((error) => error.extensions?.code).sort()).toEqual([
        'PROVIDER_AUTH_FAILED',
        'PROVIDER_BAD_RESPONSE',
      ]);
      await stack.graphql('{ __typename }', undefined, { 'router-authorization': 'wrong-secret-attempt' });

      const all = stack.rawLogs.join('\n');
      expect(stack.rawLogs.length).toBeGreaterThan(2);
      for (const secret of [
        routerSecret,
        'sk_test_wrongkeynotlogged0123',
        Buffer.from('sk_test_wrongkeynotlogged0123:').toString('base64'),
        ...stack.secrets,
        ...stack.secrets.map((secret) => Buffer.from(`${secret}:`).toString('base64')),
        'client-token-never-logged',
        'wrong-secret-attempt',
        'secret_body_marker',
        stack.simulators.wooshpay.origin,
        stack.simulators.efundpay.origin,
        new URL(stack.simulators.wooshpay.origin).host,
      ]) {
        expect(all, `a log line contains ${secret}`).not.toContain(secret);
      }
      // The refusal is logged, saying which setting to check.
      expect(stack.logs).toContainEqual(
        expect.objectContaining({ level: 'error', code: 'PROVIDER_AUTH_FAILED', provider: 'WOOSHPAY' }),
      );
    } finally {
      await stack.stop();
    }
  });

  it('censors credential-shaped fields if code ever logs them', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        callback();
      },
    });
    const logger = createLogger({ logLevel: 'info' }, sink);
    logger.info(
      {
        headers: {
          authorization: 'Basic c2tfdGVzdA==',
          'router-authorization': 'router-secret',
          accept: 'application/json',
        },
        wooshpay: { secretKey: 'sk_test_abc' },
        efundpay: { apiKey: 'efundpay-key', privateKeyPem: '-----BEGIN PRIVATE KEY-----' },
        token: 'jwt.value.here',
        routerSecret: 'router-secret',
        ledger: { databaseUrl: 'postgres://refunds:pg-password@db/refunds' },
        routerInvalidation: { url: 'http://router:4000/invalidation', key: 'invalidation-key' },
      },
      'credential shapes',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      headers: { authorization: '[redacted]', 'router-authorization': '[redacted]', accept: 'application/json' },
      wooshpay: { secretKey: '[redacted]' },
      efundpay: { apiKey: '[redacted]', privateKeyPem: '[redacted]' },
      token: '[redacted]',
      routerSecret: '[redacted]',
      ledger: { databaseUrl: '[redacted]' },
      routerInvalidation: '[redacted]',
    });
  });
});
