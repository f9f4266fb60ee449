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

/** What the parts of one server share: its settings, its parts and its logger. */
interface WsEnv {
  readonly settings: GraphqlWsSettings;
  readonly parts: GraphqlWsParts;
  readonly logger: Logger;
}

/** Why an upgrade is refused: the HTTP status, the metric's and log line's reason, the client's message. */
interface Refusal {
  readonly status: number;
  readonly reason: string;
  readonly message: string;
}

/**
 * Subscriptions over WebSocket on `httpServer`'s upgrades to /graphql. The factory wires the pieces
 * below together: upgrade admission (admitUpgrade), graphql-ws's connection and subscription hooks
 * (carriesRouterSecret, subscriptionArgs), one keep-alive timer, each connection's socket
 * (serveConnection), and the shutdown (completeAndClose per connection).
 */
export function attachGraphqlWs(
  httpServer: Server,
  settings: GraphqlWsSettings,
  parts: GraphqlWsParts,
  options: GraphqlWsOptions = {},
): GraphqlWsServer {
  const logger = parts.logger.child({ component: 'graphql-ws' });
  const env: WsEnv = { settings, parts, logger };
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

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(request) !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const refusal = admitUpgrade(request, settings, { closing, connections: wss.clients.size, secretMatches });
    if (refusal !== null) return refuse(env, socket, refusal);
    const authorized = secretMatches === null || request.headers['router-authorization'] !== undefined;
    const authorization = request.headers.authorization;
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, { authorized, authorization }));
  };
  httpServer.on('upgrade', onUpgrade);

  const server = makeServer<ConnectionInit, Extra>({
    schema: parts.schema,
    connectionInitWaitTimeout: options.connectionInitWaitMs ?? CONNECTION_INIT_WAIT_MS,
    onConnect: (ctx) => {
      if (carriesRouterSecret(ctx, secretMatches)) {
        // Kept for shutdown, which completes the connection's subscriptions.
        contexts.set(ctx.extra.socket, ctx);
        return true;
      }
      return refuseConnection(env);
    },
    onSubscribe: (ctx, _id, payload) => subscriptionArgs(env, ctx, payload, prepareCached),
    onNext: (_ctx, _id, _payload, args, result) => formatResult(logger, result, args),
    onError: (_ctx, _id, _payload, errors) => errors.map((error) => toClientError(logger, error)),
  });

  const prepareCached = createDocumentCache(settings.limits, parts.schema, rules);
  const keepAlive = startKeepAlive(wss, logger, options.keepAliveMs ?? KEEP_ALIVE_MS);

  const onConnection = (socket: WebSocket, facts: Omit<Extra, 'socket'>) =>
    serveConnection(env, server, socket, facts, {
      onClose: () => {
        keepAlive.forget(socket);
        contexts.delete(socket);
      },
      onPong: () => keepAlive.forget(socket),
    });

  return {
    connections: () => wss.clients.size,
    async close(timeoutMs) {
      closing = true;
      keepAlive.stop();
      httpServer.off('upgrade', onUpgrade);
      const sockets = [...wss.clients];
      await Promise.all(sockets.map((socket) => completeAndClose(socket, contexts.get(socket) ?? null, timeoutMs)));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Why an upgrade to /graphql is refused, or null to accept it. In this order: the server is closing
 * (503), the process holds MAX_WS_CONNECTIONS (503), a browser's Origin is another site's (403), a
 * Router-Authorization header is sent and wrong (401). A missing header is no refusal here: the
 * connection_init payload may still carry the secret.
 */
function admitUpgrade(
  request: IncomingMessage,
  settings: GraphqlWsSettings,
  state: {
    readonly closing: boolean;
    readonly connections: number;
    readonly secretMatches: ((given: unknown) => boolean) | null;
  },
): Refusal | null {
  if (state.closing) return { status: 503, reason: 'shutting_down', message: 'The server is shutting down' };
  if (state.connections >= settings.live.maxConnections) {
    return {
      status: 503,
      reason: 'max_connections',
      message: `This process holds its limit of ${settings.live.maxConnections} WebSocket connections (MAX_WS_CONNECTIONS); retry on another replica or later`,
    };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, request.headers.host)) {
    return {
      status: 403,
      reason: 'origin',
      message: 'A browser may open a WebSocket to this subgraph only from its own pages',
    };
  }
  const header = request.headers['router-authorization'];
  if (state.secretMatches && header !== undefined && !state.secretMatches(header)) {
    return {
      status: 401,
      reason: 'router_secret',
      message: 'This subgraph only answers the router: the Router-Authorization header is wrong',
    };
  }
  return null;
}

/** Counts and logs a refused upgrade, then answers it with the refusal's status and a JSON error body. */
function refuse({ parts, logger }: WsEnv, socket: Duplex, { status, reason, message }: Refusal): void {
  parts.metrics.refused(reason);
  logger.warn({ event: 'ws.refused', reason, status }, `WebSocket upgrade refused: ${message}`);
  const body = JSON.stringify({ errors: [{ message }] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Whether a connection may start: its upgrade carried the router secret, or its connection_init payload does. */
function carriesRouterSecret(ctx: Ctx, secretMatches: ((given: unknown) => boolean) | null): boolean {
  return ctx.extra.authorized || secretMatches?.(headerLike(ctx.connectionParams, 'router-authorization')) === true;
}

/** Counts and logs a connection closed for want of the router secret; graphql-ws closes it 4403. */
function refuseConnection({ parts, logger }: WsEnv): false {
  parts.metrics.refused('router_secret');
  logger.warn(
    { event: 'ws.refused', reason: 'router_secret' },
    'WebSocket connection closed: no router secret in the upgrade or the connection_init payload',
  );
  return false;
}

type SubscribePayload = Parameters<
  NonNullable<Parameters<typeof makeServer<ConnectionInit, Extra>>[0]['onSubscribe']>
>[2];
type PrepareCached = ReturnType<typeof createDocumentCache>;

/**
 * The execution arguments of one subscription, or the errors that refuse it: one past
 * MAX_SUBSCRIPTIONS_PER_CONNECTION, or a document that does not prepare. Each subscription gets a
 * fresh request id and a context whose full part is made on first use.
 */
function subscriptionArgs(
  env: WsEnv,
  ctx: Ctx,
  payload: SubscribePayload,
  prepareCached: PrepareCached,
): ExecutionArgs | GraphQLError[] {
  const { settings, parts } = env;
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
    onSlowConsumer: () => closeSlowConsumer(env, ctx.extra.socket, requestId),
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
}

/**
 * Parsed and validated documents by their text (at most PREPARED_DOCUMENTS, least recently used
 * go first): many subscribers send the same few documents, and each then shares one tree. The
 * returned function also refuses variables nested deeper than MAX_JSON_DEPTH.
 */
function createDocumentCache(
  limits: GraphqlWsSettings['limits'],
  schema: GraphQLSchema,
  rules: readonly ValidationRule[],
) {
  const prepared = new Map<string, DocumentNode | GraphQLError[]>();
  return (
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
      result = prepare(limits, schema, rules, query, operationName);
      // Only documents that fit the limit are kept, so the map holds at most its count times that.
      if (!Array.isArray(result)) prepared.set(key, result);
      if (prepared.size > PREPARED_DOCUMENTS) prepared.delete(prepared.keys().next().value!);
    } else {
      prepared.delete(key);
      prepared.set(key, result);
    }
    return result;
  };
}

/**
 * The document of a subscription, or the errors that refuse it: over MAX_DOCUMENT_BYTES, not
 * parsed within the token limit, not valid under graphql's and our rules, no single operation to
 * run, or an operation other than a subscription.
 */
function prepare(
  limits: GraphqlWsSettings['limits'],
  schema: GraphQLSchema,
  rules: readonly ValidationRule[],
  query: string,
  operationName: string | null,
): DocumentNode | GraphQLError[] {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so a short string needs no exact count.
  if (query.length * 3 > limits.maxDocumentBytes) {
    const bytes = Buffer.byteLength(query, 'utf8');
    if (bytes > limits.maxDocumentBytes) {
      return [
        clientError(
          `The GraphQL document is ${bytes} bytes, ${bytes - limits.maxDocumentBytes} more than the limit of ${limits.maxDocumentBytes} (MAX_DOCUMENT_BYTES; comments and whitespace count too)`,
          'BAD_REQUEST',
        ),
      ];
    }
  }
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return [clientError((error as Error).message, 'GRAPHQL_PARSE_FAILED')];
  }
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, rules);
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
  return runnableSubscription(document, operationName);
}

/** The document if the operation it names (or its only one) is a subscription, else the error that says why not. */
function runnableSubscription(document: DocumentNode, operationName: string | null): DocumentNode | GraphQLError[] {
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
}

/** Results as queries answer them: every error through the GraphQL error boundary. */
function formatResult(logger: Logger, result: ExecutionResult, args: ExecutionArgs) {
  if (!result.errors?.length) return undefined;
  const requestId = (args.contextValue as RequestContext | undefined)?.requestId;
  return { ...result, errors: result.errors.map((error) => toClientError(logger, error, requestId)) };
}

/**
 * An error as the client sees it, through the GraphQL error boundary; graphql's own request errors
 * get BAD_USER_INPUT. An internal one is logged and, with a request id, carries it.
 */
function toClientError(logger: Logger, error: GraphQLError, requestId?: string): GraphQLFormattedError {
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
}

/** Closes an open connection whose subscriber stopped reading, with SLOW_CONSUMER_CLOSE_CODE, counted and logged. */
function closeSlowConsumer({ parts, logger }: WsEnv, socket: WebSocket, requestId: string): void {
  if (socket.readyState !== socket.OPEN) return;
  parts.metrics.refused('slow_consumer');
  logger.warn(
    { event: 'ws.slow_consumer', requestId, closeCode: SLOW_CONSUMER_CLOSE_CODE },
    'Closed a WebSocket connection that does not read: a subscriber let its queue of events fill up',
  );
  closeWithin(socket, SLOW_CONSUMER_CLOSE_CODE, 'Not reading: too many events waiting', CLOSE_GRACE_MS);
}

/**
 * One keep-alive timer for every connection (unref'd): a connection that has not answered the last
 * ping by the next round is dropped. `forget` marks a socket as answered (or gone); `stop` ends the timer.
 */
function startKeepAlive(
  wss: WebSocketServer,
  logger: Logger,
  intervalMs: number,
): { forget(socket: WebSocket): void; stop(): void } {
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
  }, intervalMs);
  pinger.unref();
  return {
    forget: (socket) => unanswered.delete(socket),
    stop: () => clearInterval(pinger),
  };
}

/**
 * Hands an accepted socket to graphql-ws: counts it open, sends with backpressure (a send resolves
 * once written out), closes it 1011 on an unexpected message error, and on close calls `onClose`,
 * counts it closed and tells graphql-ws.
 */
function serveConnection(
  { parts, logger }: WsEnv,
  server: ReturnType<typeof makeServer<ConnectionInit, Extra>>,
  socket: WebSocket,
  facts: Omit<Extra, 'socket'>,
  hooks: { readonly onPong: () => void; readonly onClose: () => void },
): void {
  parts.metrics.connectionOpened();
  socket.on('pong', hooks.onPong);
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
    hooks.onClose();
    parts.metrics.connectionClosed();
    closed(code, reason.toString()).catch((error: unknown) => {
      logger.error({ err: error }, 'Unexpected error closing a WebSocket connection');
    });
  });
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
