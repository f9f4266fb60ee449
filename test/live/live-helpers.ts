/**
 * Helpers for the live-status suites: a stack whose simulators settle created refunds quickly, a
 * graphql-ws client over a real WebSocket, and a raw protocol client for provoking the limits.
 */
import { once } from 'node:events';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startSimulators } from '../../src/sandbox/start-sandbox.js';
import { startStack, type Stack, type StackOptions, type TestSimulators } from '../helpers/stack.js';

/** Every provider's simulator, settling created refunds after `settleMs`. */
export async function startSettlingSimulators(settleMs: number): Promise<TestSimulators> {
  const running = await startSimulators({ settleMs });
  const handles = [...running.simulators.values()];
  return {
    simulators: Object.fromEntries(
      [...running.simulators].map(([name, handle]) => [name.toLowerCase(), handle]),
    ) as TestSimulators['simulators'],
    env: { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...running.env },
    requestCount: () => handles.reduce((sum, handle) => sum + handle.requestCount(), 0),
    resetRequests: () => handles.forEach((handle) => handle.resetRequests()),
    close: () => running.close(),
  };
}

/** A stack over simulators of its own that settle after `settleMs`; stopping it stops them too. */
export async function startLiveStack(settleMs: number, options: StackOptions = {}): Promise<Stack> {
  const simulators = await startSettlingSimulators(settleMs);
  const stack = await startStack({ ...options, simulators });
  return {
    ...stack,
    async stop() {
      await stack.stop();
      await simulators.close();
    },
  };
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/graphql`;
}

/** A graphql-ws client (the library routers and browsers use) over a real WebSocket. */
export function graphqlWsClient(
  httpUrl: string,
  options: { connectionParams?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Client {
  const headers = options.headers;
  return createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        }
      : WebSocket,
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    retryAttempts: 0,
    lazy: true,
  });
}

export interface Next<T> {
  readonly data?: T | null;
  readonly errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** One subscription as an async iterator of its results (ends when the server completes it). */
export function subscribe<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): AsyncIterableIterator<Next<T>> {
  return client.iterate({ query, variables }) as AsyncIterableIterator<Next<T>>;
}

/** The next result of a subscription, or a failure naming what was awaited when it ended. */
export async function nextOf<T>(results: AsyncIterableIterator<Next<T>>, what: string): Promise<Next<T>> {
  const result = await results.next();
  if (result.done) throw new Error(`Expected ${what}, but the subscription ended`);
  return result.value;
}

/** A raw graphql-transport-ws connection: every message the server sends, and how it closed. */
export interface RawConnection {
  readonly socket: WebSocket;
  readonly messages: Array<Record<string, unknown>>;
  send(message: Record<string, unknown>): void;
  /** The next message of a type (waits for it). */
  message(type: string, id?: string): Promise<Record<string, unknown>>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function openRaw(
  httpUrl: string,
  options: { headers?: Record<string, string>; protocol?: string } = {},
): Promise<RawConnection> {
  const socket = new WebSocket(wsUrl(httpUrl), options.protocol ?? 'graphql-transport-ws', {
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, reason: reason.toString() });
    });
  });
  socket.once('error', () => undefined);
  await Promise.race([once(socket, 'open'), closed]);
  let seen = 0;
  return {
    socket,
    messages,
    send: (message) => socket.send(JSON.stringify(message)),
    async message(type, id) {
      for (;;) {
        for (; seen < messages.length; seen += 1) {
          const message = messages[seen]!;
          if (message.type === type && (id === undefined || message.id === id)) {
            seen += 1;
            return message;
          }
        }
        if (socket.readyState === WebSocket.CLOSED) {
          throw new Error(`Expected a ${type} message, but the connection closed (${JSON.stringify(messages)})`);
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    closed,
    close: () => socket.close(),
  };
}

/** Opens a raw connection and completes connection_init. */
export async function openAcknowledged(
  httpUrl: string,
  payload?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<RawConnection> {
  const connection = await openRaw(httpUrl, headers ? { headers } : {});
  connection.send({ type: 'connection_init', ...(payload ? { payload } : {}) });
  await connection.message('connection_ack');
  return connection;
}

export const REFUND_UPDATED = /* GraphQL */ `
  subscription Watch($id: ID!) {
    refundUpdated(id: $id) {
      id
      status
      providerStatus
      amount {
        minorUnits
        currencyCode
      }
    }
  }
`;

export const PAYMENT_REFUNDS_UPDATED = /* GraphQL */ `
  subscription WatchPayment($paymentId: ID!) {
    paymentRefundsUpdated(paymentId: $paymentId) {
      id
      status
    }
  }
`;

/** The HTTP status a WebSocket upgrade is answered with (101 when it is accepted). */
export function upgradeStatus(httpUrl: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(httpUrl), 'graphql-transport-ws', { headers });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.once('open', () => {
      resolve(101);
      socket.close();
    });
    socket.once('error', (error) => reject(error));
  });
}
