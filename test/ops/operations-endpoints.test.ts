/**
 * The operators' endpoints on the real server: /health, /ready (with each provider's breaker
 * state, not failing on a provider outage, 503 while stopping) and /metrics (Prometheus text,
 * the documented metric names, values that move when the subgraph works).
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { counterDelta, scrape, valueOf } from './prometheus-text.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_FAILED_EXPIRED_CARD,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_USD_DOCS_EXAMPLE,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const ROUTER_SECRET = 'router-secret-for-ops-tests-0123456789';
/** User CPU seconds of work done between two scrapes. */
const CPU_WORK_S = 0.02;

/** Keeps this process busy until it has used `seconds` of user CPU time. */
function burnCpu(seconds: number): void {
  const start = process.cpuUsage().user;
  let sink = 0;
  while (process.cpuUsage().user - start < seconds * 1e6) sink += Math.sqrt(sink + 1);
  if (Number.isNaN(sink)) throw new Error('unreachable');
}
const AS_ROUTER = { 'router-authorization': ROUTER_SECRET };

interface ReadyBody {
  status: string;
  providers: Record<string, { configured: boolean; breaker: string }>;
}

async function getReady(url: string): Promise<{ status: number; body: ReadyBody; contentType: string | null }> {
  const response = await fetch(`${url}/ready`);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as ReadyBody,
  };
}

describe('GET /health and GET /ready', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A router secret guards /graphql only: probes and scrapes must not need it.
    stack = await startStack({ env: { ROUTER_SECRET } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('/health answers 200 JSON without the router secret', async () => {
    const response = await fetch(`${stack.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok' });
    // The same request to /graphql is refused, so the open probe is not an accident of config.
    expect((await stack.graphql('{ __typename }')).status).toBe(401);
    expect((await stack.graphql('{ __typename }', undefined, AS_ROUTER)).status).toBe(200);
  });

  it('/ready answers 200 JSON with every provider configured and its breaker closed', async () => {
    const ready = await getReady(stack.url);
    expect(ready.status).toBe(200);
    expect(ready.contentType).toMatch(/^application\/json/);
    expect(ready.body).toEqual({
      status: 'ready',
      providers: {
        WOOSHPAY: { configured: true, breaker: 'closed' },
        EFUNDPAY: { configured: true, breaker: 'closed' },
      },
      cache: { enabled: false, store: null, status: 'disabled' },
      redis: { status: 'not-configured' },
      idempotency: { store: 'memory' },
      ledger: { kind: 'sqlite', status: 'ok' },
    });
  });

  it('/ready reports a provider without credentials as not configured, and stays ready', async () => {
    const wooshpayOnly = await startStack({ env: { EFUNDPAY_API_KEY: undefined } });
    try {
      const ready = await getReady(wooshpayOnly.url);
      expect(ready.status).toBe(200);
      expect(ready.body.providers).toEqual({
        WOOSHPAY: { configured: true, breaker: 'closed' },
        EFUNDPAY: { configured: false, breaker: 'not-configured' },
      });
      const exposition = await scrape(wooshpayOnly.url);
      expect(valueOf(exposition, 'refunds_provider_breaker_state', { provider: 'EFUNDPAY' })).toBe(-1);
    } finally {
      await wooshpayOnly.stop();
    }
  });
});

describe('GET /ready while a provider is down', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: {
        PROVIDER_MAX_RETRIES: '0',
        BREAKER_VOLUME_THRESHOLD: '2',
        BREAKER_ERROR_THRESHOLD_PERCENT: '50',
        // Long enough that the breaker cannot half-open while the test looks at it.
        BREAKER_RESET_MS: '600000',
      },
    });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('stays 200 and reports the open breaker; the metrics gauge shows it too', async () => {
    stack.simulators.wooshpay.injectFault('*', { kind: 'status', status: 503 });
    const ids = [
      WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
      WOOSHPAY_EUR_PENDING.providerRefundId,
      WOOSHPAY_GBP_REQUIRES_ACTION.providerRefundId,
      WOOSHPAY_FAILED_LOST_CARD.providerRefundId,
    ];
    let ready = await getReady(stack.url);
    for (const id of ids) {
      if (ready.body.providers.WOOSHPAY?.breaker === 'open') break;
      const failed = await stack.graphql(`{ refund(id: "wooshpay:${id}") { id } }`);
      expect(failed.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_UNAVAILABLE');
      ready = await getReady(stack.url);
    }

    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      providers: {
        WOOSHPAY: { configured: true, breaker: 'open' },
        EFUNDPAY: { configured: true, breaker: 'closed' },
      },
      cache: { enabled: false, store: null, status: 'disabled' },
      redis: { status: 'not-configured' },
      idempotency: { store: 'memory' },
      ledger: { kind: 'sqlite', status: 'ok' },
    });
    const exposition = await scrape(stack.url);
    expect(valueOf(exposition, 'refunds_provider_breaker_state', { provider: 'WOOSHPAY' })).toBe(2);
    expect(valueOf(exposition, 'refunds_provider_breaker_state', { provider: 'EFUNDPAY' })).toBe(0);

    // Open means failing fast: no request reaches WooshPay, the call is counted as short-circuited,
    // and the other provider is still served.
    stack.resetCounters();
    const shortCircuited = await stack.graphql(
      `{ w: refund(id: "${WOOSHPAY_FAILED_EXPIRED_CARD.id}") { id } e: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id } }`,
    );
    expect(shortCircuited.body.errors?.map((error) => error.extensions?.code)).toEqual(['PROVIDER_UNAVAILABLE']);
    expect(shortCircuited.body.data).toEqual({ w: null, e: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id } });
    expect(stack.simulators.wooshpay.requestCount()).toBe(0);
    const after = await scrape(stack.url);
    expect(
      counterDelta(exposition, after, 'refunds_provider_calls_total', {
        provider: 'WOOSHPAY',
        outcome: 'short_circuited',
        status_class: 'none',
      }),
    ).toBe(1);
  });
});

describe('GET /ready while stopping', () => {
  it('answers 503 "stopping" to a probe that arrives after stop() began', async () => {
    const stack = await startStack();
    let socket: Socket | undefined;
    try {
      // A probe already on the wire: the connection is open and the request has started, so
      // the draining server must still answer it (it refuses only new connections).
      const accepted = once(stack.server.httpServer, 'connection') as Promise<[Socket]>;
      socket = connect(stack.server.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket!.once('connect', resolve).once('error', reject));
      const [serverSide] = await accepted;
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<void>((resolve) => socket!.once('close', () => resolve()));
      const firstHalf = 'GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n';
      socket.write(firstHalf);
      // The server has read the first half of the request (its parser sees the bytes as they are read).
      await vi.waitFor(() => expect(serverSide.bytesRead).toBe(Buffer.byteLength(firstHalf)), {
        timeout: 5000,
        interval: 5,
      });

      const stopping = stack.stop();
      socket.write('Connection: close\r\n\r\n');
      await closed;
      await stopping;

      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
      expect(JSON.parse(body)).toMatchObject({ status: 'stopping' });
    } finally {
      socket?.destroy();
      await stack.stop();
    }
  });
});

describe('GET /metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PROVIDER_MAX_RETRIES: '0' } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('serves Prometheus text with every documented metric and the process metrics', async () => {
    const exposition = await scrape(stack.url);
    const expected: Record<string, string> = {
      refunds_provider_calls_total: 'counter',
      refunds_provider_call_duration_seconds: 'histogram',
      refunds_loader_batch_size: 'histogram',
      refunds_graphql_operations_total: 'counter',
      refunds_graphql_operation_duration_seconds: 'histogram',
      refunds_graphql_errors_total: 'counter',
      refunds_provider_breaker_state: 'gauge',
      process_cpu_user_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      process_start_time_seconds: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
    };
    const found = Object.fromEntries(Object.keys(expected).map((name) => [name, exposition.families.get(name)?.type]));
    expect(found).toEqual(expected);
    for (const name of Object.keys(expected)) expect(exposition.families.get(name)?.help, name).not.toBe('');
    expect(valueOf(exposition, 'refunds_provider_breaker_state', { provider: 'WOOSHPAY' })).toBe(0);
  });

  it('counts provider calls, latency, batch sizes, operations and CPU time after a query', async () => {
    const before = await scrape(stack.url);
    // The subgraph runs in this process, so CPU time spent here is the subgraph's.
    burnCpu(CPU_WORK_S);
    const response = await stack.graphql(
      `query TwoRefunds { refunds(ids: ["${WOOSHPAY_USD_DOCS_EXAMPLE.id}", "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}"]) { id } }`,
    );
    expect(response.body.errors).toBeUndefined();
    const after = await scrape(stack.url);
    const delta = (name: string, labels: Record<string, string> = {}) => counterDelta(before, after, name, labels);

    for (const provider of ['WOOSHPAY', 'EFUNDPAY']) {
      expect(delta('refunds_provider_calls_total', { provider, outcome: 'ok', status_class: '2xx' }), provider).toBe(1);
      expect(delta('refunds_provider_call_duration_seconds_count', { provider, outcome: 'ok' }), provider).toBe(1);
      expect(
        delta('refunds_provider_call_duration_seconds_sum', { provider, outcome: 'ok' }),
        provider,
      ).toBeGreaterThan(0);
      expect(
        delta('refunds_provider_call_duration_seconds_bucket', { provider, outcome: 'ok', le: '+Inf' }),
        provider,
      ).toBe(1);
    }
    // One DataLoader batch holding both refunds.
    expect(delta('refunds_loader_batch_size_count')).toBe(1);
    expect(delta('refunds_loader_batch_size_sum')).toBe(2);
    expect(delta('refunds_loader_batch_size_bucket', { le: '1' })).toBe(0);
    expect(delta('refunds_loader_batch_size_bucket', { le: '2' })).toBe(1);
    expect(delta('refunds_graphql_operations_total', { operation_type: 'query', outcome: 'success' })).toBe(1);
    expect(delta('refunds_graphql_operation_duration_seconds_count', { operation_type: 'query' })).toBe(1);
    expect(delta('process_cpu_user_seconds_total')).toBeGreaterThan(CPU_WORK_S / 2);
  });

  it('counts errors by code, failed provider calls by status class, and partial operations', async () => {
    stack.simulators.wooshpay.injectFault(WOOSHPAY_FAILED_LOST_CARD.providerRefundId, { kind: 'status', status: 500 });
    const before = await scrape(stack.url);
    const response = await stack.graphql(
      `{ broken: refund(id: "${WOOSHPAY_FAILED_LOST_CARD.id}") { id } bad: refund(id: "wooshpay:not a refund id") { id } fine: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id } }`,
    );
    expect(response.body.errors?.map((error) => error.extensions?.code).sort()).toEqual([
      'BAD_USER_INPUT',
      'PROVIDER_UNAVAILABLE',
    ]);
    const after = await scrape(stack.url);
    const delta = (name: string, labels: Record<string, string> = {}) => counterDelta(before, after, name, labels);

    expect(delta('refunds_graphql_errors_total', { code: 'PROVIDER_UNAVAILABLE' })).toBe(1);
    expect(delta('refunds_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(delta('refunds_provider_calls_total', { provider: 'WOOSHPAY', outcome: 'error', status_class: '5xx' })).toBe(
      1,
    );
    expect(delta('refunds_provider_call_duration_seconds_count', { provider: 'WOOSHPAY', outcome: 'error' })).toBe(1);
    expect(delta('refunds_provider_calls_total', { provider: 'EFUNDPAY', outcome: 'ok', status_class: '2xx' })).toBe(1);
    expect(delta('refunds_graphql_operations_total', { operation_type: 'query', outcome: 'partial' })).toBe(1);
    // No success counted: that series may be absent from both scrapes, which also means none.
    const success = { operation_type: 'query', outcome: 'success' };
    expect(valueOf(after, 'refunds_graphql_operations_total', success) ?? 0).toBe(
      valueOf(before, 'refunds_graphql_operations_total', success) ?? 0,
    );
  });

  it('counts a refund the provider does not have as not_found with a 4xx status class', async () => {
    const before = await scrape(stack.url);
    const response = await stack.graphql(`{ refund(id: "${WOOSHPAY_NOT_SEEDED.id}") { id } }`);
    expect(response.body).toEqual({ data: { refund: null } });
    const after = await scrape(stack.url);
    const labels = { provider: 'WOOSHPAY', outcome: 'not_found', status_class: '4xx' };
    expect(counterDelta(before, after, 'refunds_provider_calls_total', labels)).toBe(1);
  });
});
