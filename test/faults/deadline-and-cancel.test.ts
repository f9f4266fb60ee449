/**
 * Two edges of the per-refund deadline: it counts from the moment the refund is asked for, so
 * time spent waiting for one of the provider's PROVIDER_CONCURRENCY slots is inside it; and a
 * client that goes away cancels its provider calls without that counting as a provider failure
 * (a wave of impatient clients must not open the breaker against a healthy provider).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const REFUNDS = /* GraphQL */ `
  query Refunds($ids: [ID!]!) {
    refunds(ids: $ids) {
      id
    }
  }
`;

interface Rows {
  refunds: Array<{ id: string } | null>;
}

describe('the deadline includes the wait for a free provider slot', () => {
  let stack: Stack;
  const deadlineMs = 1000;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        PROVIDER_CONCURRENCY: '1',
        PROVIDER_ATTEMPT_TIMEOUT_MS: '600',
        PROVIDER_DEADLINE_MS: String(deadlineMs),
        PROVIDER_MAX_RETRIES: '0',
        BREAKER_VOLUME_THRESHOLD: '100000',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('fails a refund still queued when its deadline passes, without calling the provider for it', async () => {
    // With one slot, WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId hangs for its 600 ms attempt, then WOOSHPAY_EUR_PENDING.providerRefundId hangs until the deadline: WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId never gets a slot in time.
    stack.simulators.wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'hang' });
    stack.simulators.wooshpay.injectFault(WOOSHPAY_EUR_PENDING.providerRefundId, { kind: 'hang' });
    const started = performance.now();

    const response = await stack.graphql<Rows>(REFUNDS, {
      ids: [
        WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
        WOOSHPAY_EUR_PENDING.providerRefundId,
        WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId,
        EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      ],
    });

    expect(performance.now() - started).toBeLessThan(deadlineMs + 1500);
    expect(response.body.data?.refunds.map((row) => row?.id ?? null)).toEqual([
      null,
      null,
      null,
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
    ]);
    const errors = [...(response.body.errors ?? [])].sort((a, b) => Number(a.path?.[1]) - Number(b.path?.[1]));
    expect(errors.map((error) => [error.path, error.extensions])).toEqual([
      [['refunds', 0], { code: 'PROVIDER_TIMEOUT', provider: 'WOOSHPAY' }],
      [['refunds', 1], { code: 'PROVIDER_TIMEOUT', provider: 'WOOSHPAY' }],
      [['refunds', 2], { code: 'PROVIDER_TIMEOUT', provider: 'WOOSHPAY' }],
    ]);
    expect(errors[2]!.message).toContain(`${deadlineMs} ms deadline`);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId)).toBe(0);
  });
});

describe('a client that goes away', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        BREAKER_VOLUME_THRESHOLD: '2',
        BREAKER_ERROR_THRESHOLD_PERCENT: '50',
        BREAKER_RESET_MS: '60000',
        PROVIDER_ATTEMPT_TIMEOUT_MS: '3000',
        PROVIDER_DEADLINE_MS: '5000',
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('cancels its provider calls, which neither open the breaker nor log as provider failures', async () => {
    stack.simulators.wooshpay.injectFault('*', { kind: 'hang' });
    const logsBefore = stack.logs.length;

    for (const id of [
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      WOOSHPAY_EUR_PENDING.providerRefundId,
      WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId,
    ]) {
      const controller = new AbortController();
      const request = fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: REFUNDS, variables: { ids: [id] } }),
        signal: controller.signal,
      });
      // Give up once the provider call is under way.
      const until = Date.now() + 2000;
      while (stack.simulators.wooshpay.requestCount(id) === 0 && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort();
      await expect(request).rejects.toThrow();
    }
    // The cancellations reach the provider calls once the server sees the connections close.
    const until = Date.now() + 2000;
    const cancelled = () => stack.logs.slice(logsBefore).filter((line) => line.msg === 'graphql operation').length;
    while (cancelled() < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cancelled()).toBe(3);

    stack.simulators.wooshpay.clearFaults();
    stack.resetCounters();
    const response = await stack.graphql<Rows>(REFUNDS, { ids: [WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId] });

    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.refunds).toEqual([{ id: WOOSHPAY_USD_SPEC_EXAMPLE.id }]);
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
    const lines = stack.logs.slice(logsBefore);
    expect(lines.filter((line) => line.breaker !== undefined)).toEqual([]);
    expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });
});
