/**
 * Graceful shutdown of the real process (`node --import tsx src/index.ts`) against provider
 * simulators this test starts: on SIGTERM/SIGINT the subgraph stops accepting connections,
 * finishes the request in flight, closes its provider connections and exits 0 within
 * SHUTDOWN_TIMEOUT_MS. Only the process spawned here is ever signalled.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';
import { startStack, startTestSimulators, type TestSimulators } from '../helpers/stack.js';
import { killSpawnedSubgraphs, spawnSubgraph as spawnProcess } from '../helpers/subgraph-process.js';
import { EFUNDPAY_EUR_DOCS_EXAMPLE, WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const SLOW_MS = 1500;

/** The subgraph process, started and ready. */
async function spawnSubgraph(env: Record<string, string>) {
  const subgraph = spawnProcess(env);
  const { port } = await subgraph.ready(30_000);
  return { ...subgraph, port };
}

/** `'connected'`, or the code (else the message) of the error the connection attempt met. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

async function postGraphql(
  port: number,
  query: string,
): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: unknown[] } }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Expected ${what} within ${timeoutMs} ms, it did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('graceful shutdown of the process', () => {
  let running: TestSimulators;
  let wooshpay: SimulatorHandle;
  beforeAll(async () => {
    running = await startTestSimulators();
    wooshpay = running.simulators.wooshpay;
  });
  afterEach(() => {
    wooshpay.clearFaults();
    wooshpay.resetRequests();
  });
  afterAll(async () => {
    killSpawnedSubgraphs();
    await running?.close();
  });

  it('on SIGTERM finishes the slow request in flight, refuses new connections, and exits 0 within SHUTDOWN_TIMEOUT_MS', async () => {
    const shutdownTimeoutMs = 8000;
    const subgraph = await spawnSubgraph({
      ...running.env,
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    expect(await tryConnect(subgraph.port)).toBe('connected');

    wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'latency', ms: SLOW_MS });
    let finishedAt: number | null = null;
    const slow = postGraphql(
      subgraph.port,
      `query Slow { refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.id}") { id amount { decimal currencyCode } } }`,
    ).then((result) => {
      finishedAt = performance.now();
      return result;
    });
    // In flight for sure: the provider has the request and is sitting on it.
    await waitFor(
      () => wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId) === 1,
      'the slow provider call to arrive',
    );

    const signalledAt = performance.now();
    expect(subgraph.child.kill('SIGTERM')).toBe(true);

    let refusedAt: number | null = null;
    for (let attempt = 0; attempt < 100 && refusedAt === null; attempt += 1) {
      if ((await tryConnect(subgraph.port)) === 'ECONNREFUSED') refusedAt = performance.now();
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refusedAt, 'new connections are refused after SIGTERM').not.toBeNull();
    expect(finishedAt, 'the slow request was still in flight when connections were refused').toBeNull();

    const result = await slow;
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      data: { refund: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id, amount: { decimal: '15.00', currencyCode: 'USD' } } },
    });

    const exit = await subgraph.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(shutdownTimeoutMs);

    const messages = subgraph.logs.map((line) => line.msg);
    expect(
      subgraph.logs.filter((line) => 'notJson' in line),
      'every stdout line is a JSON log line',
    ).toEqual([]);
    expect(messages).toContainEqual(expect.stringContaining('inline tracing'));
    const shuttingDown = messages.indexOf('Shutting down: finishing in-flight requests');
    const operation = subgraph.logs.findIndex(
      (line) => line.msg === 'graphql operation' && line.operationName === 'Slow',
    );
    const stopped = messages.indexOf('Stopped');
    expect(shuttingDown).toBeGreaterThan(-1);
    expect(operation).toBeGreaterThan(shuttingDown);
    expect(stopped).toBeGreaterThan(operation);
    expect(subgraph.stderr()).toBe('');
  });

  it('on SIGINT with nothing in flight stops and exits 0', async () => {
    const subgraph = await spawnSubgraph(running.env);
    expect(
      (await postGraphql(subgraph.port, `{ refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id } }`)).body.data,
    ).toEqual({
      refund: { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id },
    });
    subgraph.child.kill('SIGINT');
    expect(await subgraph.exited).toMatchObject({ code: 0, signal: null });
    expect(subgraph.logs.map((line) => line.msg)).toContain('Stopped');
  });

  it('cuts a request still running at SHUTDOWN_TIMEOUT_MS and still exits 0', async () => {
    const shutdownTimeoutMs = 1000;
    const subgraph = await spawnSubgraph({
      ...running.env,
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    wooshpay.injectFault(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId, { kind: 'hang' });
    const stuck = postGraphql(subgraph.port, `{ refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.id}") { id } }`).then(
      () => 'answered',
      (error: Error) => `failed: ${error.message}`,
    );
    await waitFor(
      () => wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId) === 1,
      'the hung provider call to arrive',
    );
    const signalledAt = performance.now();
    subgraph.child.kill('SIGTERM');

    const exit = await subgraph.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // Bounded by SHUTDOWN_TIMEOUT_MS (plus the time to close everything), not by the hung call.
    expect(exit.at - signalledAt).toBeLessThan(shutdownTimeoutMs + 3000);
    expect(await stuck).toMatch(/^failed: /);
  });
});

describe('server.stop()', () => {
  /** A TCP relay in front of a simulator that counts the client connections open through it. */
  async function startRelay(
    target: SimulatorHandle,
  ): Promise<{ url: string; open: () => number; close: () => Promise<void> }> {
    const targetUrl = new URL(target.url);
    const sockets = new Set<Socket>();
    const server: Server = createServer((client) => {
      sockets.add(client);
      const upstream = connect(Number(targetUrl.port), targetUrl.hostname);
      client.pipe(upstream).pipe(client);
      const end = () => {
        sockets.delete(client);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}${targetUrl.pathname === '/' ? '' : targetUrl.pathname}`,
      open: () => sockets.size,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }

  it('closes the keep-alive connections to both providers', async () => {
    const sims = await startTestSimulators();
    const wooshpayRelay = await startRelay(sims.simulators.wooshpay);
    const efundpayRelay = await startRelay(sims.simulators.efundpay);
    const stack = await startStack({
      simulators: sims,
      env: { WOOSHPAY_BASE_URL: wooshpayRelay.url, EFUNDPAY_BASE_URL: efundpayRelay.url },
    });
    const { server } = stack;
    try {
      const response = await postGraphql(
        server.port,
        `{ refunds(ids: ["${WOOSHPAY_USD_SPEC_EXAMPLE.id}", "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}"]) { id } }`,
      );
      expect(response.body.errors).toBeUndefined();
      // Kept alive for the next request.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(wooshpayRelay.open()).toBe(1);
      expect(efundpayRelay.open()).toBe(1);

      await server.stop();
      await waitFor(() => wooshpayRelay.open() + efundpayRelay.open() === 0, 'the provider connections to close', 5000);
    } finally {
      await stack.stop();
      await Promise.all([wooshpayRelay.close(), efundpayRelay.close(), sims.close()]);
    }
  });
});
