/**
 * startServer(settings, parts): the HTTP transport only — GraphQL at /graphql (Apollo Server 5, over
 * plain node:http for the requests http/graphql-http.ts takes, over express 5 for the rest), the
 * GraphiQL page, the webhooks and the operators' endpoints — over parts the composition root
 * (src/app/) built. Every request gets its own loaders. Stopping it stops HTTP; the parts are the
 * composition root's to close.
 */
import { setMaxListeners } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { ProviderClients } from '../providers/port.js';
import type { LiveMetrics } from '../observability/live-metrics.js';
import type { RefundCreation } from '../refunds/create/refund-creation.js';
import type { LiveSettings } from '../refunds/live/live-settings.js';
import type { LiveStatus } from '../refunds/live/live-status.js';
import type { PaymentRefunds } from '../refunds/payments/payment-refunds.js';
import type { RefundReader } from '../refunds/read/refund-reader.js';
import type { RefundSearch } from '../refunds/search/refund-search.js';
import {
  createApolloServer,
  createSubgraphSchema,
  graphqlProtection,
  type GraphqlSettings,
} from './graphql/apollo-server.js';
import { createRequestContext, type RequestContext } from './graphql/context.js';
import { createGraphqlHttpHandler, type GraphqlHttpHandler } from './http/graphql-http.js';
import { providerOfTag, type CachedAnswer, type OperationCache } from './http/operation-cache.js';
import { createGraphiqlRouter } from './http/graphiql.js';
import { createOperationsRouter, type ReadinessReport } from './http/operations-routes.js';
import { createWebhookRouter } from './http/webhook-routes.js';
import { createThrottledWarning } from '../observability/throttled-warning.js';
import type { Ledger } from '../refunds/ledger/ledger.js';
import type { WebhookReceiver } from '../refunds/webhooks/webhook-receiver.js';
import { createRequestGuards } from './http/request-guards.js';
import { requestIdFrom } from './http/request-id.js';
import { createRouterAuth } from './http/router-auth.js';
import { createOperationSpanMiddleware, startOperationSpan } from './http/tracing-middleware.js';
import { attachGraphqlWs, type GraphqlWsOptions } from './ws/graphql-ws-server.js';
import { refuseHttpSubscriptions } from './ws/refuse-http-subscriptions.js';

export interface ServerSettings extends GraphqlSettings {
  readonly host: string;
  readonly port: number;
  /** When set, GraphQL requests must carry `Router-Authorization` with this value. */
  readonly routerSecret: string | null;
  readonly graphiql: boolean;
  /** Subscriptions over WebSocket: the poll interval and the connection limits. */
  readonly live: LiveSettings;
}

/** What the transport serves, built once by the composition root. */
export interface ServerParts {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clients: ProviderClients;
  readonly reader: RefundReader;
  readonly creation: RefundCreation;
  readonly tracing: Tracing | null;
  /** What /ready reports beside the providers and the cache (Redis, the idempotency records). */
  readonly readiness: () => ReadinessReport;
  /** The ledger (for `lastChangedAt`) and the providers' webhook receiver (POST /webhooks/<provider>). */
  readonly ledger: { readonly ledger: Pick<Ledger, 'getMany'>; readonly webhooks: WebhookReceiver };
  /** Live refund status, served as subscriptions over WebSocket. */
  readonly live: LiveStatus;
  readonly liveMetrics: LiveMetrics;
  /** The refunds of payments (Payment.refunds and totals); absent: not served. */
  readonly paymentRefunds?: PaymentRefunds;
  /** refundSearch and refundSummary over the ledger; null or absent: not served. */
  readonly refundSearch?: RefundSearch | null;
  /** Identical reads answered whole from memory; null or absent: every operation runs. */
  readonly operationCache?: OperationCache | null;
}

/** The payment and search use cases of the parts, for a request context. */
function paymentsAndSearch(parts: ServerParts) {
  return {
    ...(parts.paymentRefunds ? { paymentRefunds: parts.paymentRefunds } : {}),
    ...(parts.refundSearch ? { refundSearch: parts.refundSearch } : {}),
  };
}

export interface ServerOptions {
  /** Where GraphiQL's built assets are; defaults to dist/graphiql. */
  readonly graphiqlAssetsDir?: string;
  /** WebSocket timings (tests shorten them). */
  readonly ws?: GraphqlWsOptions;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:4001 */
  readonly url: string;
  readonly port: number;
  readonly app: Express;
  readonly httpServer: Server;
  /** Stops accepting and lets in-flight requests finish (bounded by the shutdown timeout). */
  stop(): Promise<void>;
}

export async function startServer(
  settings: ServerSettings,
  parts: ServerParts,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // GraphQL requests go to the lean handler (http/graphql-http.ts), everything else to express.
  let graphqlHttp: GraphqlHttpHandler | null = null;
  const httpServer = createHttpServer((req, res) => {
    if (graphqlHttp?.takes(req)) graphqlHttp.handle(req, res);
    else app(req, res);
  });
  let ready = false;
  // One schema for HTTP and WebSocket.
  const schema = createSubgraphSchema();
  const apollo = createApolloServer(settings, { ...parts, schema, httpServer, traced: parts.tracing !== null });
  await apollo.start();
  const ws = attachSubscriptions(httpServer, schema, settings, parts, options);
  mountRoutes(app, settings, parts, () => ready, options);
  const operationContext = createOperationContext(settings, parts);
  const tracing = parts.tracing;
  graphqlHttp = createGraphqlHttpHandler({
    apollo,
    maxBodyBytes: settings.limits.maxBodyBytes,
    maxDocumentBytes: settings.limits.maxDocumentBytes,
    maxTokens: settings.limits.maxTokens,
    routerSecret: settings.routerSecret,
    context: operationContext,
    logger: parts.logger,
    ...(tracing ? { startSpan: (req, res, path) => startOperationSpan(tracing, req, res, path) } : {}),
    ...(parts.operationCache
      ? { operationCache: parts.operationCache, onCachedAnswer: cachedAnswerObserver(parts) }
      : {}),
  });
  // The GraphQL requests the lean handler leaves (GET with a body, an encoded or non-UTF-8 body,
  // /graphql/…): the same checks over express and body-parser.
  app.use(
    '/graphql',
    createRouterAuth(settings.routerSecret),
    express.json({ limit: settings.limits.maxBodyBytes }),
    createRequestGuards({ maxDocumentBytes: settings.limits.maxDocumentBytes }),
    refuseHttpSubscriptions({ maxTokens: settings.limits.maxTokens }),
    ...(tracing ? [createOperationSpanMiddleware(tracing)] : []),
    expressMiddleware(apollo, { context: ({ req, res }) => operationContext(req, res) }),
  );
  app.use(jsonErrorHandler(parts.logger));

  await listen(httpServer, settings);
  ready = true;
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = settings.host === '0.0.0.0' || settings.host === '::' ? 'localhost' : settings.host;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    app,
    httpServer,
    stop: () => {
      stopping ??= (async () => {
        ready = false;
        // Subscriptions complete and their connections close (1001) before HTTP drains.
        await ws.close(settings.shutdownTimeoutMs);
        await apollo.stop();
      })();
      return stopping;
    },
  };
}

/** graphql-ws at /graphql on the same server and schema, each subscription with its own context. */
function attachSubscriptions(
  httpServer: Server,
  schema: ReturnType<typeof createSubgraphSchema>,
  settings: ServerSettings,
  parts: ServerParts,
  options: ServerOptions,
) {
  return attachGraphqlWs(
    httpServer,
    settings,
    {
      schema,
      validationRules: graphqlProtection(settings).validationRules,
      logger: parts.logger,
      metrics: parts.liveMetrics,
      live: parts.live,
      createContext: (connection, subscription) =>
        createRequestContext({
          reader: parts.reader,
          logger: parts.logger,
          requestId: subscription.requestId,
          debug: false,
          onBatch: (size) => parts.metrics.observeBatch(size),
          refundCreation: parts.creation,
          live: parts.live,
          onSlowConsumer: subscription.onSlowConsumer,
          ...paymentsAndSearch(parts),
          ...(connection.authorization === undefined ? {} : { authorization: connection.authorization }),
          ...(parts.tracing ? { span: parts.tracing.span } : {}),
        }),
    },
    options.ws,
  );
}

/** Everything but GraphQL: the providers' webhooks, the operators' endpoints, GraphiQL. */
function mountRoutes(
  app: Express,
  settings: ServerSettings,
  parts: ServerParts,
  isReady: () => boolean,
  options: ServerOptions,
): void {
  // The providers call the webhooks, not the router: outside the router secret, limited per source.
  app.use(createWebhookRouter({ receiver: parts.ledger.webhooks }));
  app.use(
    createOperationsRouter({
      isReady,
      clients: parts.clients,
      metrics: parts.metrics,
      report: () => ({ cache: parts.reader.state(), ...parts.readiness() }),
    }),
  );
  if (settings.graphiql) {
    app.use(createGraphiqlRouter(options.graphiqlAssetsDir ? { assetsDir: options.graphiqlAssetsDir } : {}));
  }
}

/** Each HTTP operation's context: its loaders, its client-abort signal, its request id. */
function createOperationContext(
  settings: ServerSettings,
  parts: ServerParts,
): (req: IncomingMessage, res: ServerResponse) => Promise<RequestContext> {
  const ledgerReadWarning = createThrottledWarning(
    parts.logger,
    'Ledger unavailable: lastChangedAt answers null until it is back',
    60_000,
  );
  return async (req, res) => {
    const aborted = new AbortController();
    // Every provider call of the operation listens to this one signal.
    setMaxListeners(settings.limits.maxRefundsPerOperation + 10, aborted.signal);
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    return createRequestContext({
      reader: parts.reader,
      logger: parts.logger,
      requestId: requestIdFrom(req.headers),
      debug: !settings.isProduction && req.headers['x-refunds-debug'] === '1',
      signal: aborted.signal,
      onBatch: (size) => parts.metrics.observeBatch(size),
      refundCreation: parts.creation,
      ledger: parts.ledger.ledger,
      onLedgerReadFailure: (reason) => ledgerReadWarning({ event: 'ledger.read_failed', reason }),
      ...paymentsAndSearch(parts),
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
      ...(parts.tracing ? { span: parts.tracing.span } : {}),
    });
  };
}

/** An answer from the operation cache gets the operation's log line and metrics, as if it had run. */
function cachedAnswerObserver(parts: ServerParts) {
  return (req: IncomingMessage, answer: CachedAnswer, durationMs: number) => {
    const { logged } = answer;
    const operationType = typeof logged.operationType === 'string' ? logged.operationType : 'query';
    parts.metrics.operationCacheHit();
    parts.metrics.observeOperation(operationType, 'success', durationMs);
    // Each refund it answers came from memory: a refund-cache hit, so the hit ratio stays true.
    for (const tag of answer.tags ?? []) parts.metrics.cache.lookup(providerOfTag(tag), 'hit');
    parts.logger.info(
      {
        requestId: requestIdFrom(req.headers),
        ...logged,
        durationMs: Math.round(durationMs * 10) / 10,
        providerCalls: 0,
        refundsFromCache: logged.refundsRequested,
        operationCache: 'hit',
      },
      'graphql operation',
    );
  };
}

function listen(httpServer: Server, { port, host }: { port: number; host: string }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
}

/** Body-parser and other HTTP-level failures as GraphQL-shaped JSON: 400 malformed, 413 too large. */
function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const given = (error as { status?: unknown } | null | undefined)?.status;
    const status = typeof given === 'number' && given >= 400 && given < 500 ? given : 500;
    const message =
      status === 413
        ? 'The request body is too large'
        : status === 400
          ? 'The request body is not valid JSON'
          : status === 500
            ? 'Internal server error'
            : 'The request could not be processed';
    if (status === 500) logger.error({ err: error }, 'Unhandled error in an HTTP request');
    res
      .status(status)
      .json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  };
}
