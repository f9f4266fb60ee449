/**
 * Starts the real thing on ephemeral loopback ports for a test: both provider simulators, and the
 * subgraph configured (through loadConfig, like production) with credentials for them, so every
 * request goes through the real clients over real HTTP. Log lines are captured as parsed JSON.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { startEfundpaySimulator, type EfundpaySimulatorOptions } from '../../src/providers/efundpay/simulator.js';
import { startWooshPaySimulator } from '../../src/providers/wooshpay/simulator.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/create-server.js';
import { createLogger } from '../../src/server/logger.js';

export const TEST_WOOSHPAY_KEY = 'sk_test_stack0123456789abcdef';
export const TEST_EFUNDPAY_KEY = 'efundpay_test_key_0123456789abcdef';

export interface StackOptions {
  /** Extra environment for loadConfig (e.g. PROVIDER_CONCURRENCY); `undefined` removes a variable. */
  readonly env?: Record<string, string | undefined>;
  /** Replaces the efundpay simulator's auth (e.g. to test JWTs). */
  readonly efundpay?: Partial<EfundpaySimulatorOptions>;
  readonly latencyMs?: number;
  readonly server?: ServerOptions;
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: TData | null;
    errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

export interface Stack {
  readonly url: string;
  readonly config: AppConfig;
  readonly server: RunningServer;
  readonly wooshpay: SimulatorHandle;
  readonly efundpay: SimulatorHandle;
  /** Every log line the server wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Every raw log line, for leak checks. */
  readonly rawLogs: string[];
  graphql<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TData>>;
  /** Provider GETs so far, both simulators together. */
  providerCalls(): number;
  resetCounters(): void;
  stop(): Promise<void>;
}

/** The environment that points the subgraph at both simulators with the test credentials, on an ephemeral loopback port. */
export function providerEnv(wooshpay: SimulatorHandle, efundpay: SimulatorHandle): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    WOOSHPAY_BASE_URL: wooshpay.url,
    WOOSHPAY_SECRET_KEY: TEST_WOOSHPAY_KEY,
    EFUNDPAY_BASE_URL: efundpay.url,
    EFUNDPAY_API_KEY: TEST_EFUNDPAY_KEY,
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const latencyMs = options.latencyMs ?? 0;
  const wooshpay = await startWooshPaySimulator({ secretKey: TEST_WOOSHPAY_KEY, latencyMs });
  const efundpay = await startEfundpaySimulator({
    merchantAccountId: 'default',
    apiKey: TEST_EFUNDPAY_KEY,
    latencyMs,
    ...options.efundpay,
  });
  const env: Record<string, string | undefined> = {
    ...providerEnv(wooshpay, efundpay),
    PROVIDER_RETRY_BASE_DELAY_MS: '20',
    ...options.env,
  };
  const config = loadConfig(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)));
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        rawLogs.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const server = await startServer(config, { logger: createLogger(config, destination), ...options.server });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    config,
    server,
    wooshpay,
    efundpay,
    logs,
    rawLogs,
    async graphql(query, variables, headers) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as never };
    },
    providerCalls: () => wooshpay.requestCount() + efundpay.requestCount(),
    resetCounters() {
      wooshpay.resetRequests();
      efundpay.resetRequests();
    },
    async stop() {
      await server.stop();
      await Promise.all([wooshpay.close(), efundpay.close()]);
    },
  };
}

/** The fields of the public contract, with both union members through fragments. */
export const REFUND_FIELDS = /* GraphQL */ `
  id
  provider
  providerRefundId
  status
  providerStatus
  reason
  createdAt
  amount { minorUnits currencyCode decimal }
  details {
    __typename
    ... on WooshPayRefundDetails {
      paymentIntentId reason failureReason description receiptNumber metadata { key value }
    }
    ... on EfundpayRefundDetails {
      transactionId merchantAccountId externalIdentifier transactionExternalIdentifier
    }
  }
`;

/**
 * The usual lifecycle of a suite: one stack for the `describe` block (started before its tests,
 * stopped after them) with the simulators' request counters reset before each test. Returns a
 * handle that forwards to the running stack.
 */
export function useStack(options: StackOptions = {}): Stack {
  let current: Stack | undefined;
  beforeAll(async () => {
    current = await startStack(options);
  });
  afterAll(async () => {
    await current?.stop();
  });
  beforeEach(() => current?.resetCounters());
  return new Proxy({} as Stack, {
    get(_target, key) {
      if (!current) throw new Error('Expected the stack to be started: use it inside a test or hook');
      const value = Reflect.get(current, key) as unknown;
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}
