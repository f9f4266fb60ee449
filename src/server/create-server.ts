/**
 * createServer(config): the whole subgraph as one HTTP server — GraphQL at /graphql (Apollo
 * Server 5 over express 5), the GraphiQL page, and the operators' endpoints. It builds the
 * provider clients once per process; every request gets its own loaders.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { parse, type ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import { createBudgetsFromConfig } from '../budget/create-budgets.js';
import { createRefundCacheFromConfig } from '../refunds/read/cache/create-cache.js';
import type { RefundReader } from '../refunds/read/cache/refund-cache.js';
import { combineAttemptHooks } from '../observability/attempt-hooks.js';
import { startTracing } from '../observability/tracing.js';
import { createOperationSpanMiddleware, createOperationSpanPlugin } from './http/tracing-middleware.js';
import type { AppConfig } from '../app/config.js';
import type { RefundProviderName } from '../domain/refund.js';
import type { ProviderClients } from '../refunds/read/refund-loader.js';
import { PROVIDERS } from '../providers/registry.js';
import type { BreakerState, ProviderCallObserver } from '../providers/port.js';
import { resolvers } from '../resolvers/index.js';
import { assembleRefundCreation, type AssembledRefundCreation } from '../app/refund-creation-wiring.js';
import { createRequestContext, type RequestContext } from './graphql/context.js';
import { createErrorMaskingPlugin, formatError } from './graphql/errors.js';
import { createGraphiqlRouter } from './http/graphiql.js';
import { createLogger } from '../observability/logger.js';
import { createDocumentStore, createPersistedQueryCache } from './graphql/document-caches.js';
import { createKnownOperationTypesPlugin } from './graphql/known-operation-types.js';
import { createOperationLimitsPlugin } from './graphql/operation-limits.js';
import { createRequestGuards } from './http/request-guards.js';
import { createCacheControlPlugin } from './graphql/cache-control.js';
import { createDebugPlugin, createOperationLogPlugin } from './graphql/operation-plugins.js';
import { requestIdFrom } from './http/request-id.js';
import { createRouterAuth } from './http/router-auth.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { createOperationsRouter } from './http/operations-routes.js';
import { packageRoot } from './package-root.js';

export interface ServerOptions {
  readonly logger?: Logger;
  /** Where GraphiQL's built assets are; defaults to dist/graphiql. */
  readonly graphiqlAssetsDir?: string;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:4001 */
  readonly url: string;
  readonly port: number;
  readonly app: Express;
  readonly httpServer: Server;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clients: ProviderClients;
  /** Refund creation: its authorizer mode and idempotency store, for the start log and /ready. */
  readonly refunds: AssembledRefundCreation;
  /** The refund cache (e.g. to `remember()` a refund created outside a GraphQL request). */
  readonly refundCache: RefundReader;
  /** Stops accepting, lets in-flight requests finish (bounded), then closes provider connections. */
  stop(): Promise<void>;
}

/** Reads the contract; works from src/ (tsx) and from dist/src/ (compiled) alike. */
export function loadSchemaSource(): string {
  return readFileSync(join(packageRoot(), 'schema.graphql'), 'utf8');
}

export async function startServer(config: AppConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const metrics = createMetrics();
  const observe: ProviderCallObserver = (record) => metrics.observeProviderCall(record);
  const onBreakerStateChange = (provider: RefundProviderName, state: BreakerState) =>
    metrics.setBreakerState(provider, state);
  const shared = { http: config.http, breaker: config.breaker };
  const budgets = await createBudgetsFromConfig(config, logger, metrics);
  const tracing = await startTracing(config.tracing);
  const attemptHooks = combineAttemptHooks(budgets.hooks, tracing?.attemptHooks);
  const clients: ProviderClients = new Map(
    PROVIDERS.map((definition) => {
      const settings = config.providers[definition.name];
      const client = settings.configured
        ? definition.createClient(settings, shared, {
            logger,
            observe,
            onBreakerStateChange,
            ...(attemptHooks ? { attemptHooks } : {}),
          })
        : null;
      return [definition.name, client];
    }),
  );
  for (const [provider, client] of clients)
    metrics.setBreakerState(provider, client ? client.breakerState() : 'not-configured');
  for (const [provider, client] of clients) if (client) budgets.setAccount(provider, client.account);
  const reader = createRefundCacheFromConfig(config, clients, {
    logger,
    instrumentation: metrics.cache,
    ...(tracing ? { span: tracing.span } : {}),
  });
  metrics.watchCacheState(() => reader.state());
  // A created refund enters the refund cache (best effort: a store failure is only logged).
  const refunds = assembleRefundCreation(config, clients, logger, metrics.registry, async (refund) => {
    await reader.remember(refund);
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const httpServer = createHttpServer(app);
  let ready = false;

  const armor = new ApolloArmor({
    maxDepth: { n: config.limits.maxDepth },
    maxAliases: { n: config.limits.maxAliases },
    // armor's token counter throws from a plugin hook, which Apollo answers with HTTP 500; graphql's
    // own parser limit (parseOptions below) rejects the same documents as GRAPHQL_PARSE_FAILED, 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: 20_000 },
    blockFieldSuggestion: { enabled: config.isProduction },
  });
  // graphql-armor is typed against Apollo Server's CommonJS build; the plugins are the same objects.
  const protection = armor.protect() as unknown as {
    plugins: Array<ApolloServerPlugin<RequestContext>>;
    validationRules: ValidationRule[];
  };

  const apollo = new ApolloServer<RequestContext>({
    // Apollo's own messages (e.g. "Enabling inline tracing…") as JSON log lines, not console output.
    logger: logger.child({ component: 'apollo-server' }),
    // src/index.ts owns SIGTERM/SIGINT. Apollo's own handlers (on unless NODE_ENV=test) would race
    // it: they stop Apollo and re-send the signal, and the graceful stop then never finished.
    stopOnTerminationSignals: false,
    schema: buildSubgraphSchema({ typeDefs: parse(loadSchemaSource()), resolvers: resolvers as never }),
    introspection: config.introspection,
    parseOptions: { maxTokens: config.limits.maxTokens },
    // Bounded by the bytes the entries really hold (src/server/document-caches.ts).
    documentStore: createDocumentStore(),
    persistedQueries: { cache: createPersistedQueryCache() },
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: protection.validationRules,
    plugins: [
      ...protection.plugins,
      ApolloServerPluginLandingPageDisabled(),
      // No @cacheControl in the schema: skip the per-field cache-hint wrapper on the hot path.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      createKnownOperationTypesPlugin(),
      createOperationLimitsPlugin(config.limits),
      createErrorMaskingPlugin(),
      createOperationLogPlugin(metrics),
      createDebugPlugin(),
      createCacheControlPlugin(),
      ...(tracing ? [createOperationSpanPlugin()] : []),
    ],
  });
  await apollo.start();

  app.use(createOperationsRouter({ isReady: () => ready, clients, metrics, cacheState: () => reader.state() }));
  if (config.graphiql) {
    app.use(createGraphiqlRouter(options.graphiqlAssetsDir ? { assetsDir: options.graphiqlAssetsDir } : {}));
  }
  app.use(
    '/graphql',
    createRouterAuth(config.routerSecret),
    express.json({ limit: config.limits.maxBodyBytes }),
    createRequestGuards({ maxDocumentBytes: config.limits.maxDocumentBytes }),
    ...(tracing ? [createOperationSpanMiddleware(tracing)] : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const aborted = new AbortController();
        // Every provider call of the operation listens to this one signal.
        setMaxListeners(config.limits.maxRefundsPerOperation + 10, aborted.signal);
        res.on('close', () => {
          if (!res.writableFinished) aborted.abort();
        });
        return createRequestContext({
          config,
          reader,
          logger,
          requestId: requestIdFrom(req.headers),
          debug: !config.isProduction && req.headers['x-refunds-debug'] === '1',
          signal: aborted.signal,
          onBatch: (size) => metrics.observeBatch(size),
          refundCreation: refunds.creation,
          ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
          ...(tracing ? { span: tracing.span } : {}),
        });
      },
    }),
  );
  app.use(jsonErrorHandler(logger));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  ready = true;
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    app,
    httpServer,
    logger,
    metrics,
    clients,
    refunds,
    refundCache: reader,
    stop: () => {
      stopping ??= (async () => {
        ready = false;
        await apollo.stop();
        await Promise.all([...clients.values()].map(async (client) => client?.close()));
        await refunds.close();
        await reader.close();
        await budgets.close();
        await tracing?.shutdown();
      })();
      return stopping;
    },
  };
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
