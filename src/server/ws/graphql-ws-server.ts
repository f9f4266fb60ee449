/**
 * Subscriptions over WebSocket: the graphql-transport-ws protocol (the `graphql-ws` library over
 * `ws`) on the same path as queries, `/graphql`, beside the HTTP server, over the same schema,
 * validation rules and request context.
 *
 * The upgrade request is checked like a query before any WebSocket exists:
 * - the path is /graphql;
 * - a browser's `Origin` must be the origin the request was sent to (the same rule that keeps
 *   other sites from using a signed-in page's queries: nothing but our own GraphiQL page may open
 *   one from a browser);
 * - with ROUTER_SECRET, a `Router-Authorization` header, when sent, must match; without the header
 *   the connection_init payload must carry it (`{"Router-Authorization": "<secret>"}`), or the
 *   connection is closed 4403;
 * - at most MAX_WS_CONNECTIONS connections are open (503 otherwise).
 * Per connection: messages up to MAX_DOCUMENT_BYTES plus an envelope for the id and variables (a
 * larger one closes it, 1009); connection_init within 10 s (4408); ping/pong keep-alive (a peer
 * that does not answer is dropped); at most MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions (one
 * more gets an error, the connection stays up); subscriptions only (queries and mutations go over
 * HTTP, where their limits are enforced). Each document is held to the document size, token, depth,
 * alias and cost limits of queries. Each subscriber has a bounded queue (src/refunds/live/): one that
 * does not read is closed with SLOW_CONSUMER_CLOSE_CODE and a warn line, and memory never grows.
 *
 * `close()` completes every subscription (the client gets `complete` for each) and then closes every
 * connection with 1001.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  OperationTypeNode,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CloseCode, makeServer, type Context as WsContext } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { LiveMetrics } from '../../observability/live-metrics.js';
import type { LiveSettings } from '../../refunds/live/live-settings.js';
import type { LiveStatus } from '../../refunds/live/live-status.js';
import type { RequestContext } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { nestsDeeperThan, MAX_JSON_DEPTH } from '../http/request-guards.js';
import { createRouterSecretCheck } from '../http/router-auth.js';
import type { RequestLimits } from '../request-limits.js';

/** The close code for a subscriber that does not read (its queue of events is full). */
export const SLOW_CONSUMER_CLOSE_CODE = 4413;
/** The close code of a graceful shutdown ("going away"). */
export const SHUTDOWN_CLOSE_CODE = 1001;
/** Room in a message beside the document: the message type, the id, the operation name and variables. */
export const MESSAGE_ENVELOPE_BYTES = 4096;
/** Parsed and validated subscription documents kept for reuse. */
const PREPARED_DOCUMENTS = 100;
/** How long connection_init may take (graphql-ws closes 4408 after it). */
const CONNECTION_INIT_WAIT_MS = 10_000;
/** Ping interval; a peer that has not answered a ping by the next one is dropped. */
const KEEP_ALIVE_MS = 12_000;
/** How long a closed connection may take to finish its closing handshake before it is cut. */
const CLOSE_GRACE_MS = 5_000;

export interface GraphqlWsSettings {
  readonly limits: Pick<RequestLimits, 'maxDocumentBytes' | 'maxTokens'>;
  readonly live: Pick<LiveSettings, 'maxSubscriptionsPerConnection' | 'maxConnections'>;
  readonly routerSecret: string | null;
}

export interface GraphqlWsParts {
  readonly schema: GraphQLSchema;
  /** The validation rules queries are held to beyond graphql's own (depth, aliases, cost). */
  readonly validationRules: readonly ValidationRule[];
  readonly logger: Logger;
  readonly metrics: LiveMetrics;
  readonly live: LiveStatus;
  /**
   * A fresh full context for one subscription. Made only when a resolver needs more than the
   * request id, live status and subscription hooks (which most subscriptions never do): an open
   * subscription then holds no loaders.
   */
  readonly createContext: (connection: ConnectionFacts, subscription: SubscriptionHooks) => RequestContext;
}

/** What a connection keeps of its upgrade request (the request itself is not kept). */
export interface ConnectionFacts {
  /** The `Authorization` header of the upgrade, if any. */
  readonly authorization: string | undefined;
}

export interface SubscriptionHooks {
  readonly requestId: string;
  /** The subscriber stopped reading: its connection is closed. */
  readonly onSlowConsumer: () => void;
}

/** Timings tests shorten; the defaults are the contract. */
export interface GraphqlWsOptions {
  readonly connectionInitWaitMs?: number;
  readonly keepAliveMs?: number;
}

export interface GraphqlWsServer {
  /** Open connections. */
  connections(): number;
  /** Completes every subscription, closes every connection with 1001, and accepts no more. */
  close(timeoutMs: number): Promise<void>;
}

type ConnectionInit = Readonly<Record<string, unknown>>;

/** What graphql-ws's context carries for one of our connections. */
interface Extra extends ConnectionFacts {
  readonly socket: WebSocket;
  /** The upgrade carried the router secret. */
  readonly authorized: boolean;
}

type Ctx = WsContext<ConnectionInit, Extra>;

export function attachGraphqlWs(
  httpServer: Server,
  settings: GraphqlWsSettings,
  parts: GraphqlWsParts,
  options: GraphqlWsOptions = {},
): GraphqlWsServer {
  const logger = parts.logger.child({ component: 'graphql-ws' });
  const secretMatches = settings.routerSecret === null ? null : createRouterSecretCheck(settings.routerSecret);
  const rules = [...specifiedRules, ...parts.validationRules];
  const contexts = new Map<WebSocket, Ctx>();
  let closing = false;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: settings.limits.maxDocumentBytes + MESSAGE_ENVELOPE_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
  });

  const refuse = (socket: Duplex, status: number, reason: string, message: string) => {
    parts.metrics.refused(reason);
    logger.warn({ event: 'ws.refused', reason, status }, `WebSocket upgrade refused: ${message}`);
    const body = JSON.stringify({ errors: [{ message }] });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(request) !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (closing) return refuse(socket, 503, 'shutting_down', 'The server is shutting down');
    if (wss.clients.size >= settings.live.maxConnections) {
      return refuse(
        socket,
        503,
        'max_connections',
        `This process holds its limit of ${settings.live.maxConnections} WebSocket connections (MAX_WS_CONNECTIONS); retry on another replica or later`,
      );
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, request.headers.host)) {
      return refuse(socket, 403, 'origin', 'A browser may open a WebSocket to this subgraph only from its own pages');
    }
    const header = request.headers['router-authorization'];
    if (secretMatches && header !== undefined && !secretMatches(header)) {
      return refuse(
        socket,
        401,
        'router_secret',
        'This subgraph only answers the router: the Router-Authorization header is wrong',
      );
    }
    const authorized = secretMatches === null || header !== undefined;
    const authorization = request.headers.authorization;
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, { authorized, authorization }));
  };
  httpServer.on('upgrade', onUpgrade);

  const server = makeServer<ConnectionInit, Extra>({
    schema: parts.schema,
    connectionInitWaitTimeout: options.connectionInitWaitMs ?? CONNECTION_INIT_WAIT_MS,
    onConnect: (ctx) => {
      if (ctx.extra.authorized || secretMatches?.(headerLike(ctx.connectionParams, 'router-authorization'))) {
        // Kept for shutdown, which completes the connection's subscriptions.
        contexts.set(ctx.extra.socket, ctx);
        return true;
      }
      parts.metrics.refused('router_secret');
      logger.warn(
        { event: 'ws.refused', reason: 'router_secret' },
        'WebSocket connection closed: no router secret in the upgrade or the connection_init payload',
      );
      return false;
    },
    onSubscribe: (ctx, id, payload) => {
      const count = Object.keys(ctx.subscriptions).length;
      if (count > settings.live.maxSubscriptionsPerConnection) {
        parts.metrics.refused('max_subscriptions');
        return [
          clientError(
            `This connection already holds ${settings.live.maxSubscriptionsPerConnection} subscriptions (MAX_SUBSCRIPTIONS_PER_CONNECTION): complete one first, or open another connection`,
            'BAD_REQUEST',
          ),
        ];
      }
      const document = prepareCached(payload.query, payload.operationName ?? null, payload.variables ?? null);
      if (Array.isArray(document)) return document;
      const requestId = randomUUID();
      const hooks: SubscriptionHooks = {
        requestId,
        onSlowConsumer: () => closeSlowConsumer(ctx.extra.socket, requestId),
      };
      const contextValue = lazyContext(
        { requestId, live: parts.live, subscription: { onSlowConsumer: hooks.onSlowConsumer } },
        () => parts.createContext(ctx.extra, hooks),
      );
      return {
        schema: parts.schema,
        document,
        operationName: payload.operationName ?? null,
        variableValues: payload.variables ?? null,
        contextValue,
      } satisfies ExecutionArgs;
    },
    onNext: (_ctx, _id, _payload, args, result) => formatResult(result, args),
    onError: (_ctx, _id, _payload, errors) => errors.map((error) => toClientError(error)),
  });

  /**
   * Parsed and validated documents by their text (at most PREPARED_DOCUMENTS, least recently used
   * go first): many subscribers send the same few documents, and each then shares one tree.
   */
  const prepared = new Map<string, DocumentNode | GraphQLError[]>();
  const prepareCached = (
    query: string,
    operationName: string | null,
    variables: Record<string, unknown> | null,
  ): DocumentNode | GraphQLError[] => {
    if (nestsDeeperThan(variables, MAX_JSON_DEPTH)) {
      return [clientError(`The variables nest deeper than ${MAX_JSON_DEPTH} levels`, 'BAD_REQUEST')];
    }
    const key = `${operationName ?? ''}\n${query}`;
    let result = prepared.get(key);
    if (result === undefined) {
      result = prepare(query, operationName);
      // Only documents that fit the limit are kept, so the map holds at most its count times that.
      if (!Array.isArray(result)) prepared.set(key, result);
      if (prepared.size > PREPARED_DOCUMENTS) prepared.delete(prepared.keys().next().value!);
    } else {
      prepared.delete(key);
      prepared.set(key, result);
    }
    return result;
  };

  /** The document of a subscription, or the errors that refuse it. */
  const prepare = (query: string, operationName: string | null): DocumentNode | GraphQLError[] => {
    // A UTF-16 unit is at most 3 UTF-8 bytes, so a short string needs no exact count.
    if (query.length * 3 > settings.limits.maxDocumentBytes) {
      const bytes = Buffer.byteLength(query, 'utf8');
      if (bytes > settings.limits.maxDocumentBytes) {
        return [
          clientError(
            `The GraphQL document is ${bytes} bytes, ${bytes - settings.limits.maxDocumentBytes} more than the limit of ${settings.limits.maxDocumentBytes} (MAX_DOCUMENT_BYTES; comments and whitespace count too)`,
            'BAD_REQUEST',
          ),
        ];
      }
    }
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: settings.limits.maxTokens });
    } catch (error) {
      return [clientError((error as Error).message, 'GRAPHQL_PARSE_FAILED')];
    }
    let errors: readonly GraphQLError[];
    try {
      errors = validate(parts.schema, document, rules);
    } catch (error) {
      // graphql 16's single-root-field rule throws on a root field skipped by an undefined variable.
      if (!(error instanceof GraphQLError)) throw error;
      errors = [error];
    }
    if (errors.length > 0) {
      return errors.map((error) =>
        error.extensions.code === undefined
          ? new GraphQLError(error.message, {
              nodes: error.nodes ?? null,
              extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
            })
          : error,
      );
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      return [
        clientError(
          operationName === null
            ? 'The document must hold exactly one operation, or name the one to run in operationName'
            : `No operation named ${JSON.stringify(operationName)} in the document`,
          'OPERATION_RESOLUTION_FAILURE',
        ),
      ];
    }
    if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      return [
        clientError(
          `Only subscriptions are served over WebSocket; send the ${operation.operation} as an HTTP POST to /graphql`,
          'BAD_REQUEST',
        ),
      ];
    }
    return document;
  };

  /** Results as queries answer them: every error through the GraphQL error boundary. */
  const formatResult = (result: ExecutionResult, args: ExecutionArgs) => {
    if (!result.errors?.length) return undefined;
    const requestId = (args.contextValue as RequestContext | undefined)?.requestId;
    return { ...result, errors: result.errors.map((error) => toClientError(error, requestId)) };
  };

  const toClientError = (error: GraphQLError, requestId?: string): GraphQLFormattedError => {
    const formatted = error.toJSON();
    // graphql's own request errors (variables that do not coerce) carry no code: bad input.
    const withCode =
      formatted.extensions?.code === undefined && error.originalError === undefined && error.path === undefined
        ? { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } }
        : formatted;
    const client = formatError(withCode, error);
    if (client.extensions?.code === 'INTERNAL_SERVER_ERROR') {
      logger.error({ err: error.originalError ?? error, requestId }, 'Unexpected error in a subscription');
      return requestId ? { ...client, extensions: { ...client.extensions, requestId } } : client;
    }
    return client;
  };

  const closeSlowConsumer = (socket: WebSocket, requestId: string) => {
    if (socket.readyState !== socket.OPEN) return;
    parts.metrics.refused('slow_consumer');
    logger.warn(
      { event: 'ws.slow_consumer', requestId, closeCode: SLOW_CONSUMER_CLOSE_CODE },
      'Closed a WebSocket connection that does not read: a subscriber let its queue of events fill up',
    );
    closeWithin(socket, SLOW_CONSUMER_CLOSE_CODE, 'Not reading: too many events waiting', CLOSE_GRACE_MS);
  };

  // One keep-alive timer for every connection: a connection that has not answered the last ping by
  // the next round is dropped.
  const unanswered = new Set<WebSocket>();
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (unanswered.has(socket)) {
        logger.info({ event: 'ws.keepalive_timeout' }, 'Dropped a WebSocket connection that stopped answering pings');
        socket.terminate();
        continue;
      }
      unanswered.add(socket);
      socket.ping();
    }
  }, options.keepAliveMs ?? KEEP_ALIVE_MS);
  pinger.unref();

  const onConnection = (socket: WebSocket, facts: Omit<Extra, 'socket'>) => {
    parts.metrics.connectionOpened();
    socket.on('pong', () => unanswered.delete(socket));
    socket.on('error', (error) => {
      logger.debug({ event: 'ws.socket_error', err: error }, 'A WebSocket connection failed');
    });
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // Resolves once written out: the next event of this subscription waits for it (backpressure).
            socket.send(data, () => resolve());
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) => {
          socket.on('message', (data: Buffer) => {
            handle(data.toString('utf8')).catch((error: unknown) => {
              logger.error({ err: error }, 'Unexpected error handling a WebSocket message');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          });
        },
      },
      { socket, ...facts },
    );
    socket.once('close', (code, reason) => {
      unanswered.delete(socket);
      contexts.delete(socket);
      parts.metrics.connectionClosed();
      closed(code, reason.toString()).catch((error: unknown) => {
        logger.error({ err: error }, 'Unexpected error closing a WebSocket connection');
      });
    });
  };

  return {
    connections: () => wss.clients.size,
    async close(timeoutMs) {
      closing = true;
      clearInterval(pinger);
      httpServer.off('upgrade', onUpgrade);
      const sockets = [...wss.clients];
      await Promise.all(sockets.map((socket) => completeAndClose(socket, contexts.get(socket) ?? null, timeoutMs)));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * A subscription's context: the request id, live status and subscription hooks at once, the rest of
 * the request context (loaders, …) made on first use.
 */
function lazyContext(
  eager: Pick<RequestContext, 'requestId' | 'live' | 'subscription'>,
  make: () => RequestContext,
): RequestContext {
  let full: RequestContext | null = null;
  return new Proxy(eager as RequestContext, {
    get(target, key, receiver) {
      if (Object.hasOwn(target, key)) return Reflect.get(target, key, receiver) as unknown;
      full ??= make();
      return Reflect.get(full, key) as unknown;
    },
  });
}

/** Completes the connection's subscriptions (each client gets `complete`), then closes it with 1001. */
async function completeAndClose(socket: WebSocket, ctx: Ctx | null, timeoutMs: number): Promise<void> {
  if (ctx) {
    const subscriptions = Object.values(ctx.subscriptions).filter(
      (subscription): subscription is AsyncGenerator => subscription !== null && 'return' in subscription,
    );
    await Promise.all(subscriptions.map((subscription) => subscription.return(undefined).catch(() => undefined)));
    await until(() => Object.keys(ctx.subscriptions).length === 0 || socket.readyState !== socket.OPEN, timeoutMs);
  }
  closeWithin(socket, SHUTDOWN_CLOSE_CODE, 'Server shutting down', timeoutMs);
  await until(() => socket.readyState === socket.CLOSED, timeoutMs + 100);
}

/** Starts the closing handshake; cuts the connection if it has not finished within `graceMs`. */
function closeWithin(socket: WebSocket, code: number, reason: string, graceMs: number): void {
  socket.close(code, reason);
  const timer = setTimeout(() => {
    if (socket.readyState !== socket.CLOSED) socket.terminate();
  }, graceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Resolves when `done()` holds, checking every 10 ms, or after `timeoutMs` at the latest. */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function clientError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function pathOf(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

/** Whether a browser's Origin is the origin the request was sent to (scheme aside: a proxy may end TLS). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/** A connection_init payload value by header name, whatever the case of the key. */
function headerLike(params: ConnectionInit | undefined, name: string): unknown {
  if (!params) return undefined;
  const key = Object.keys(params).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : params[key];
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};
