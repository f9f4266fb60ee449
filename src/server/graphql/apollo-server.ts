/**
 * The GraphQL server: the contract (schema.graphql) with our resolvers as a subgraph schema, under
 * Apollo Server 5 with the limits, error masking, logging and Cache-Control plugins.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { parse, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.js';
import { resolvers } from '../../resolvers/index.js';
import { createOperationSpanPlugin } from '../http/tracing-middleware.js';
import { packageRoot } from '../package-root.js';
import type { RequestLimits } from '../request-limits.js';
import { createCacheControlPlugin } from './cache-control.js';
import type { RequestContext } from './context.js';
import { createDocumentStore, createPersistedQueryCache } from './document-caches.js';
import { createErrorMaskingPlugin, formatError } from './errors.js';
import { createKnownOperationTypesPlugin } from './known-operation-types.js';
import { createOperationLimitsPlugin } from './operation-limits.js';
import { createDebugPlugin, createOperationLogPlugin } from './operation-plugins.js';

export interface GraphqlSettings {
  readonly limits: RequestLimits;
  readonly introspection: boolean;
  readonly isProduction: boolean;
  readonly shutdownTimeoutMs: number;
}

export interface GraphqlParts {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Drained on stop: in-flight requests finish within the shutdown timeout. */
  readonly httpServer: Server;
  /** True when tracing is on: each operation gets its span. */
  readonly traced: boolean;
  /** The subgraph schema (createSubgraphSchema), built once and shared with the WebSocket transport. */
  readonly schema: GraphQLSchema;
}

/** The contract with our resolvers as a subgraph schema: built once per server, for HTTP and WebSocket alike. */
export function createSubgraphSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(readContract()), resolvers: resolvers as never });
}

export function createApolloServer(settings: GraphqlSettings, parts: GraphqlParts): ApolloServer<RequestContext> {
  const protection = graphqlProtection(settings);
  return new ApolloServer<RequestContext>({
    // Apollo's own messages (e.g. "Enabling inline tracing…") as JSON log lines, not console output.
    logger: parts.logger.child({ component: 'apollo-server' }),
    // src/index.ts owns SIGTERM/SIGINT. Apollo's own handlers (on unless NODE_ENV=test) would race
    // it: they stop Apollo and re-send the signal, and the graceful stop then never finished.
    stopOnTerminationSignals: false,
    schema: parts.schema,
    introspection: settings.introspection,
    parseOptions: { maxTokens: settings.limits.maxTokens },
    // Bounded by the bytes the entries really hold (document-caches.ts).
    documentStore: createDocumentStore(),
    persistedQueries: { cache: createPersistedQueryCache() },
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    // Compact JSON: Apollo's default indents every response, which costs CPU and bytes on the
    // socket for the same JSON value.
    stringifyResult: (result) => JSON.stringify(result),
    validationRules: protection.validationRules,
    plugins: [
      ...protection.plugins,
      ApolloServerPluginLandingPageDisabled(),
      // No @cacheControl in the schema: skip the per-field cache-hint wrapper on the hot path.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({
        httpServer: parts.httpServer,
        stopGracePeriodMillis: settings.shutdownTimeoutMs,
      }),
      createKnownOperationTypesPlugin(),
      createOperationLimitsPlugin(settings.limits),
      createErrorMaskingPlugin(),
      createOperationLogPlugin(parts.metrics),
      createDebugPlugin(),
      createCacheControlPlugin(),
      ...(parts.traced ? [createOperationSpanPlugin()] : []),
    ],
  });
}

/** The contract; read from the package root, so it works from src/ (tsx) and dist/src/ alike. */
function readContract(): string {
  return readFileSync(join(packageRoot(), 'schema.graphql'), 'utf8');
}

/**
 * The depth, alias, directive and cost limits (graphql-armor): validation rules, the same for every
 * transport, and Apollo plugins.
 */
export function graphqlProtection(settings: Pick<GraphqlSettings, 'limits' | 'isProduction'>) {
  const armor = new ApolloArmor({
    maxDepth: { n: settings.limits.maxDepth },
    maxAliases: { n: settings.limits.maxAliases },
    // armor's token counter throws from a plugin hook, which Apollo answers with HTTP 500; graphql's
    // own parser limit (parseOptions above) rejects the same documents as GRAPHQL_PARSE_FAILED, 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: 20_000 },
    blockFieldSuggestion: { enabled: settings.isProduction },
  });
  // graphql-armor is typed against Apollo Server's CommonJS build; the plugins are the same objects.
  return armor.protect() as unknown as {
    plugins: Array<ApolloServerPlugin<RequestContext>>;
    validationRules: ValidationRule[];
  };
}
