/**
 * The analysts' debug view: with `x-refunds-debug: 1` outside production, the response's
 * `extensions.providerCalls` lists every provider call the operation made (provider, method,
 * path with the id, status, attempts, duration), so a null refund explains itself. Never a
 * header, a credential or a provider host; never in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_USD_DOCS_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const DEBUG = { 'x-refunds-debug': '1' };
const CALL_KEYS = ['attempts', 'durationMs', 'method', 'outcome', 'path', 'provider', 'status'];

interface ProviderCall {
  provider: string;
  method: string;
  path: string;
  status: number | null;
  attempts: number;
  durationMs: number;
  outcome: string;
  errorCode?: string;
}

function providerCallsOf(response: Awaited<ReturnType<Stack['graphql']>>): ProviderCall[] | undefined {
  return response.body.extensions?.providerCalls as ProviderCall[] | undefined;
}

function expectNothingSecret(stack: Stack, serialized: string): void {
  for (const secret of [
    ...stack.secrets,
    ...stack.secrets.map((secret) => Buffer.from(`${secret}:`).toString('base64')),
    stack.simulators.wooshpay.origin,
    stack.simulators.efundpay.origin,
    new URL(stack.simulators.wooshpay.origin).host,
    new URL(stack.simulators.efundpay.origin).host,
    '127.0.0.1',
  ]) {
    expect(serialized, `the debug view contains ${secret}`).not.toContain(secret);
  }
  expect(serialized.toLowerCase()).not.toMatch(
    /authorization|bearer|basic |headers|x-merchant-account-id|x-request-id/,
  );
}

describe('debug view outside production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PROVIDER_MAX_RETRIES: '2' } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('lists each provider call with provider, method, path with the id, status, attempts and duration', async () => {
    const response = await stack.graphql(
      `{ refunds(ids: ["${WOOSHPAY_USD_DOCS_EXAMPLE.id}", "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}"]) { id } }`,
      undefined,
      DEBUG,
    );
    expect(response.body.errors).toBeUndefined();
    const calls = providerCallsOf(response);
    expect(calls).toHaveLength(2);
    const byProvider = Object.fromEntries((calls ?? []).map((call) => [call.provider, call]));
    expect(byProvider.WOOSHPAY).toMatchObject({
      method: 'GET',
      path: `/v1/refunds/${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}`,
      status: 200,
      attempts: 1,
      outcome: 'ok',
    });
    expect(byProvider.EFUNDPAY).toMatchObject({
      method: 'GET',
      path: `/v4/refunds/${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}`,
      status: 200,
      attempts: 1,
      outcome: 'ok',
    });
    for (const call of calls ?? []) {
      expect(Object.keys(call).sort()).toEqual(CALL_KEYS);
      expect(call.durationMs).toBeGreaterThan(0);
    }
    expectNothingSecret(stack, JSON.stringify(response.body));
  });

  it('explains a null refund: not found, a failure after retries, and a retry that worked', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_FAILED_LOST_CARD.providerRefundId, { kind: 'status', status: 500 });
    stack.simulators.efundpay.injectFault(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId, {
      kind: 'status',
      status: 503,
      times: 1,
    });
    const response = await stack.graphql(
      `{
        missing: refund(id: "${WOOSHPAY_NOT_SEEDED.id}") { id }
        failing: refund(id: "${WOOSHPAY_FAILED_LOST_CARD.id}") { id }
        retried: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id }
      }`,
      undefined,
      DEBUG,
    );
    expect(response.body.data).toEqual({
      missing: null,
      failing: null,
      retried: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
    });
    const calls = providerCallsOf(response) ?? [];
    const byPath = Object.fromEntries(calls.map((call) => [call.path, call]));
    expect(byPath[`/v1/refunds/${WOOSHPAY_NOT_SEEDED.providerRefundId}`]).toMatchObject({
      provider: 'WOOSHPAY',
      status: 404,
      attempts: 1,
      outcome: 'not_found',
    });
    // PROVIDER_MAX_RETRIES=2: three attempts, then the provider's last status.
    expect(byPath[`/v1/refunds/${WOOSHPAY_FAILED_LOST_CARD.providerRefundId}`]).toMatchObject({
      provider: 'WOOSHPAY',
      status: 500,
      attempts: 3,
      outcome: 'error',
      errorCode: 'PROVIDER_UNAVAILABLE',
    });
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_FAILED_LOST_CARD.providerRefundId)).toBe(3);
    expect(byPath[`/v4/refunds/${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}`]).toMatchObject({
      provider: 'EFUNDPAY',
      status: 200,
      attempts: 2,
      outcome: 'ok',
    });
    expect(calls).toHaveLength(3);
    expectNothingSecret(stack, JSON.stringify(response.body));
    stack.simulators.wooshpay.clearFaults();
    stack.simulators.efundpay.clearFaults();
  });

  it('lists only the calls of its own operation', async () => {
    const [first, second] = await Promise.all([
      stack.graphql(`{ refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.id}") { id } }`, undefined, DEBUG),
      stack.graphql(`{ refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id } }`, undefined, DEBUG),
    ]);
    expect(providerCallsOf(first)?.map((call) => call.path)).toEqual([
      `/v1/refunds/${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}`,
    ]);
    expect(providerCallsOf(second)?.map((call) => call.path)).toEqual([
      `/v4/refunds/${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}`,
    ]);
  });

  it('is an empty list for an operation that made no provider call', async () => {
    const response = await stack.graphql('{ refund(id: "wooshpay:not an id") { id } }', undefined, DEBUG);
    expect(response.body.extensions?.providerCalls).toEqual([]);
  });

  it('is absent without the header, or with any value but 1', async () => {
    const variants: Array<Record<string, string>> = [{}, { 'x-refunds-debug': '0' }, { 'x-refunds-debug': 'true' }];
    for (const headers of variants) {
      const response = await stack.graphql(
        `{ refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.id}") { id } }`,
        undefined,
        headers,
      );
      expect(response.body.data, JSON.stringify(headers)).toEqual({
        refund: { id: WOOSHPAY_USD_DOCS_EXAMPLE.id },
      });
      expect(response.body.extensions?.providerCalls, JSON.stringify(headers)).toBeUndefined();
    }
  });
});

describe('debug view in production', () => {
  it('is never added with NODE_ENV=production, header or not', async () => {
    const stack = await startStack({ env: { NODE_ENV: 'production', ALLOW_WITHOUT_ROUTER_SECRET: 'true' } });
    try {
      expect(stack.config.isProduction).toBe(true);
      const response = await stack.graphql(
        `{ refund(id: "${WOOSHPAY_USD_DOCS_EXAMPLE.id}") { id } }`,
        undefined,
        DEBUG,
      );
      expect(response.body.data).toEqual({ refund: { id: WOOSHPAY_USD_DOCS_EXAMPLE.id } });
      expect(response.body.extensions?.providerCalls).toBeUndefined();
      expect(JSON.stringify(response.body)).not.toContain('/v1/refunds');
    } finally {
      await stack.stop();
    }
  });
});
