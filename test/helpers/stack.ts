/**
 * Starts the real thing on ephemeral loopback ports for a test: every registered provider's
 * simulator (through `startSimulators()`, as the sandbox does), and the subgraph configured
 * (through loadConfig, like production) with the credentials the simulators accept, so every
 * request goes through the real clients over real HTTP. Log lines are captured as parsed JSON.
 * Names no provider: simulators are reached by their global-id prefix (`stack.simulators.wooshpay`).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/app/config.js';
import type { RefundProviderName } from '../../src/domain/refund.js';
import type { StartedProviderSimulator } from '../../src/providers/definition.js';
import { PROVIDERS } from '../../src/providers/registry.js';
import { startSimulators } from '../../src/sandbox/start-sandbox.js';
import { startApp, type RunningApp, type AppOptions } from '../../src/app/start-app.js';
import { createLogger } from '../../src/observability/logger.js';
import { DETAILS_FRAGMENTS } from './refund-details.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';

/** A provider's global-id prefix (`wooshpay:re_…`), by which tests reach its simulator. */
export type ProviderPrefix = Lowercase<RefundProviderName>;
export type Simulators = Readonly<Record<ProviderPrefix, SimulatorHandle>>;

export interface SimulatorsOptions {
  readonly latencyMs?: number;
  /** How long refunds created at the simulators stay pending (their default otherwise). */
  readonly settleMs?: number;
  /**
   * Replaces a provider's simulator with one the test starts itself (e.g. one that accepts JWTs),
   * with the variables that point the subgraph at it.
   */
  readonly replace?: Partial<Record<ProviderPrefix, () => Promise<StartedProviderSimulator>>>;
}

export interface TestSimulators {
  readonly simulators: Simulators;
  /**
   * An ephemeral loopback subgraph (HOST, PORT=0, LOG_LEVEL=info) plus every provider's variables
   * pointing at its simulator, credentials included.
   */
  readonly env: Readonly<Record<string, string>>;
  /** Provider GETs so far, all simulators together. */
  requestCount(): number;
  resetRequests(): void;
  close(): Promise<void>;
}

/** Every provider's simulator on loopback, and the environment that points a subgraph at them. */
export async function startTestSimulators(options: SimulatorsOptions = {}): Promise<TestSimulators> {
  const running = await startSimulators({
    latencyMs: options.latencyMs ?? 0,
    ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
  });
  const env: Record<string, string> = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...running.env };
  const handles: SimulatorHandle[] = [];
  const simulators = {} as Record<ProviderPrefix, SimulatorHandle>;
  for (const definition of PROVIDERS) {
    const prefix = prefixOf(definition.name, definition.globalIdPrefix);
    let handle = running.simulators.get(definition.name);
    if (handle === undefined)
      throw new Error(`Expected a simulator for ${definition.name}, startSimulators() started none`);
    const replacement = options.replace?.[prefix];
    if (replacement !== undefined) {
      await handle.close();
      for (const variable of definition.variables) delete env[variable.name];
      const started = await replacement();
      handle = started.handle;
      Object.assign(env, started.env);
    }
    handles.push(handle);
    simulators[prefix] = handle;
  }
  return {
    simulators,
    env,
    requestCount: () => handles.reduce((sum, handle) => sum + handle.requestCount(), 0),
    resetRequests: () => handles.forEach((handle) => handle.resetRequests()),
    close: async () => {
      await Promise.all(handles.map((handle) => handle.close()));
    },
  };
}

/** The global-id prefix, which tests use as the key; it must be the lower-case provider name. */
function prefixOf(name: RefundProviderName, globalIdPrefix: string): ProviderPrefix {
  const prefix = name.toLowerCase() as ProviderPrefix;
  if (globalIdPrefix !== prefix) {
    throw new Error(
      `Expected ${name}'s global-id prefix to be its lower-case name "${prefix}" (the test stack's key), received "${globalIdPrefix}"`,
    );
  }
  return prefix;
}

/** The values of the secret variables (as the registry marks them) set in `env`, for leak checks. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return PROVIDERS.flatMap((definition) => definition.variables)
    .filter((variable) => variable.secret)
    .flatMap((variable) => {
      const value = env[variable.name];
      return value === undefined || value === '' ? [] : [value];
    });
}

export interface StackOptions extends SimulatorsOptions {
  /** Extra environment for loadConfig (e.g. PROVIDER_CONCURRENCY); `undefined` removes a variable. */
  readonly env?: Record<string, string | undefined>;
  readonly server?: AppOptions;
  /** Simulators the test already started (e.g. behind relays); the stack then leaves them running on stop(). */
  readonly simulators?: TestSimulators;
  /**
   * Receives each log line instead of `logs`/`rawLogs` keeping it (a long run, e.g. the load test,
   * must not grow its heap with them).
   */
  readonly onLogLine?: (line: string) => void;
  /** Points each simulator's webhooks at this subgraph, as the sandbox does (off by default: most suites count provider calls). */
  readonly deliverWebhooks?: boolean;
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: TData | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
    extensions?: Record<string, unknown>;
  };
}

export interface Stack {
  readonly url: string;
  readonly config: AppConfig;
  readonly server: RunningApp;
  /** Each provider's simulator by its global-id prefix. */
  readonly simulators: Simulators;
  /** The environment the subgraph was configured with. */
  readonly env: Readonly<Record<string, string>>;
  /** The credentials the simulators accept and the subgraph was given (secret variables per the registry). */
  readonly secrets: readonly string[];
  /** Every log line the server wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Every raw log line, for leak checks. */
  readonly rawLogs: string[];
  graphql<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<TData>>;
  /** Provider GETs so far, all simulators together. */
  providerCalls(): number;
  resetCounters(): void;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulators = options.simulators ?? (await startTestSimulators(options));
  const merged: Record<string, string | undefined> = {
    ...simulators.env,
    PROVIDER_RETRY_BASE_DELAY_MS: '20',
    // Most suites count provider GETs per operation or inject provider faults between operations;
    // the refund cache would answer for the provider there. Cache suites turn it on explicitly.
    CACHE_ENABLED: 'false',
    ...options.env,
  };
  const env = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const config = loadConfig(env);
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        if (options.onLogLine) {
          options.onLogLine(line);
          continue;
        }
        rawLogs.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const server = await startApp(config, { logger: createLogger(config, destination), ...options.server });
  const url = `http://127.0.0.1:${server.port}`;
  if (options.deliverWebhooks) {
    // As in the sandbox: each simulator delivers its signed events to this subgraph.
    for (const [prefix, handle] of Object.entries(simulators.simulators)) {
      handle.webhooks?.setTarget(`${url}/webhooks/${prefix}`);
    }
  }
  return {
    url,
    config,
    server,
    simulators: simulators.simulators,
    env,
    secrets: [...new Set([...secretValues(simulators.env), ...secretValues(env)])],
    logs,
    rawLogs,
    graphql: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    providerCalls: () => simulators.requestCount(),
    resetCounters: () => simulators.resetRequests(),
    async stop() {
      await server.stop();
      if (options.simulators === undefined) await simulators.close();
    },
  };
}

/** The fields of the public contract, with every provider's details through its fragment. */
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
    ${DETAILS_FRAGMENTS}
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
      return typeof value === 'function'
        ? ((value as (...args: unknown[]) => unknown).bind(current) as unknown)
        : value;
    },
  });
}

/** POSTs one GraphQL operation to a subgraph at `url` (its origin), as a router or a browser would. */
export async function postGraphQL<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}
