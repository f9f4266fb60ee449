/**
 * The only reader of process.env. Validates every setting once, at start, and fails fast with a
 * message per problem saying what was wrong and how to fix it. The result is frozen.
 */
import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS, type LogSettings } from '../observability/logger.js';
import type { CacheSettings } from '../refunds/read/cache/cache-settings.js';
import { DEFAULT_LEDGER_PATH, type LedgerSettings } from '../refunds/ledger/ledger-settings.js';
import { DEFAULT_REDIS_TIMEOUT_MS } from '../store/redis-store.js';
import type { RedisSettings } from '../store/redis-connection.js';
import type { RequestLimits } from '../server/request-limits.js';
import type { RouterInvalidationSettings } from '../refunds/changes/router-invalidation.js';
import type { LiveSettings } from '../refunds/live/live-settings.js';
import type { TracingSettings } from '../observability/tracing.js';
import type { RefundProviderName } from '../domain/refund.js';
import type { BreakerSettings, ProviderHttpSettings } from '../providers/http/types.js';
import type { ProviderSettings } from '../providers/definition.js';
import { PROVIDERS } from '../providers/registry.js';
import { DEFAULT_SETTLE_MS } from '../simulator-kit/settle.js';
import {
  boolean,
  integer,
  optionalInteger,
  optionalText,
  optionalUrl,
  parseEnv,
  type Env,
} from '../providers/settings-fields.js';

export interface AppConfig {
  /** `sandbox`: no credentials at all, the built-in simulators serve; `providers`: real providers. */
  readonly mode: 'sandbox' | 'providers';
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogSettings['logLevel'];
  readonly logFormat: NonNullable<LogSettings['logFormat']>;
  /** Each registered provider's own settings, by provider (opaque here: the provider reads them). */
  readonly providers: Readonly<Record<RefundProviderName, ProviderSettings>>;
  readonly http: ProviderHttpSettings;
  readonly breaker: BreakerSettings;
  readonly limits: RequestLimits;
  /** The refund cache; TTLs in milliseconds. */
  readonly cache: CacheSettings;
  /**
   * Identical reads answered whole from memory for up to `ttlMs` (OPERATION_CACHE_TTL_MS), never past
   * their refunds' freshness; 0: off. Off whenever the refund cache is, and with REDIS_URL unless set.
   */
  readonly operationCache: { readonly ttlMs: number };
  /** The shared store for every replica; a null url keeps everything in process. */
  readonly redis: RedisSettings;
  /** OpenTelemetry tracing from the standard OTEL_* variables; off without an OTLP endpoint. */
  readonly tracing: TracingSettings;
  /** When set, GraphQL requests must carry `Router-Authorization` with this value. */
  readonly routerSecret: string | null;
  /** Apollo Router's response-cache invalidation (ROUTER_INVALIDATION_URL and ROUTER_INVALIDATION_KEY); null when off. */
  readonly routerInvalidation: RouterInvalidationSettings | null;
  /** Production without ROUTER_SECRET was allowed explicitly (ALLOW_WITHOUT_ROUTER_SECRET=true). */
  readonly allowWithoutRouterSecret: boolean;
  readonly graphiql: boolean;
  readonly introspection: boolean;
  readonly shutdownTimeoutMs: number;
  /** Latency the sandbox simulators add to every response. */
  readonly sandboxLatencyMs: number;
  /** How long refunds created in the sandbox stay pending before they succeed. */
  readonly sandboxSettleMs: number;
  /** Who may call createRefund (see src/auth). */
  readonly auth: {
    /** The JWKS that verifies callers' JWTs; null: anyone outside production, nobody in production. */
    readonly jwksUrl: string | null;
    readonly issuer: string | null;
    readonly audience: string | null;
  };
  readonly idempotency: {
    /** How long a call waits for another call with the same key to finish before IDEMPOTENCY_KEY_IN_USE. */
    readonly waitMs: number;
    /** Time box of each Redis call for the idempotency records, longer than a cache read's: a record is read on every mutation. */
    readonly storeTimeoutMs: number;
  };
  /** Live refund status (subscriptions over WebSocket): the poll of watched refunds and the connection limits. */
  readonly live: LiveSettings;
  /** The ledger (PostgreSQL or SQLite) and its reconciler. */
  readonly ledger: LedgerSettings;
  /** Provider webhooks (POST /webhooks/<provider>). */
  readonly webhooks: {
    /** How far a signed timestamp may be from now, either way, in seconds (WEBHOOK_TOLERANCE_S). */
    readonly toleranceS: number;
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** A Redis URL; the messages never echo the value, which may hold a password. */
const redisUrl = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined || raw.trim() === '') return null;
    const value = raw.trim();
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (url === null || !['redis:', 'rediss:'].includes(url.protocol) || url.hostname === '') {
      ctx.addIssue({
        code: 'custom',
        message:
          'REDIS_URL must be redis://[user:password@]host:port[/db] or rediss://… for TLS; the value set is not one (not shown: it may hold a password)',
      });
      return z.NEVER;
    }
    return value;
  });

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  HOST: optionalText,
  PORT: integer('PORT', 4001, 0, 65535),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, {
      error: (issue) =>
        `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, received ${JSON.stringify(issue.input)}; unset it for the default info`,
    })
    .optional(),
  LOG_FORMAT: z
    .enum(LOG_FORMATS, {
      error: (issue) =>
        `LOG_FORMAT must be json or pretty, received ${JSON.stringify(issue.input)}; unset it for pretty lines on a terminal and JSON otherwise`,
    })
    .optional(),
  PROVIDER_CONCURRENCY: optionalInteger('PROVIDER_CONCURRENCY', 1, 1024, 'adaptive concurrency per provider'),
  PROVIDER_ATTEMPT_TIMEOUT_MS: integer('PROVIDER_ATTEMPT_TIMEOUT_MS', 2000, 1, 60_000),
  PROVIDER_DEADLINE_MS: integer('PROVIDER_DEADLINE_MS', 5000, 1, 120_000),
  PROVIDER_MAX_RETRIES: integer('PROVIDER_MAX_RETRIES', 2, 0, 10),
  PROVIDER_RETRY_BASE_DELAY_MS: integer('PROVIDER_RETRY_BASE_DELAY_MS', 200, 0, 10_000),
  PROVIDER_RETRY_AFTER_CAP_MS: integer('PROVIDER_RETRY_AFTER_CAP_MS', 2000, 0, 60_000),
  BREAKER_ERROR_THRESHOLD_PERCENT: integer('BREAKER_ERROR_THRESHOLD_PERCENT', 50, 1, 100),
  BREAKER_VOLUME_THRESHOLD: integer('BREAKER_VOLUME_THRESHOLD', 10, 1, 100_000),
  BREAKER_WINDOW_MS: integer('BREAKER_WINDOW_MS', 10_000, 100, 600_000),
  BREAKER_RESET_MS: integer('BREAKER_RESET_MS', 5000, 10, 600_000),
  MAX_REFUNDS_PER_OPERATION: integer('MAX_REFUNDS_PER_OPERATION', 100, 1, 10_000),
  MAX_ENTITY_REPRESENTATIONS: integer('MAX_ENTITY_REPRESENTATIONS', 500, 1, 100_000),
  MAX_BODY_BYTES: integer('MAX_BODY_BYTES', 1_048_576, 1024, 104_857_600),
  MAX_QUERY_DEPTH: integer('MAX_QUERY_DEPTH', 10, 2, 100),
  MAX_QUERY_ALIASES: integer('MAX_QUERY_ALIASES', 120, 1, 10_000),
  MAX_QUERY_TOKENS: integer('MAX_QUERY_TOKENS', 5000, 100, 1_000_000),
  MAX_REFUNDS_RESOLVED_PER_OPERATION: integer('MAX_REFUNDS_RESOLVED_PER_OPERATION', 1000, 1, 100_000),
  MAX_DOCUMENT_BYTES: integer('MAX_DOCUMENT_BYTES', 32_768, 1024, 1_048_576),
  CACHE_ENABLED: boolean('CACHE_ENABLED'),
  CACHE_TTL_SETTLED_S: integer('CACHE_TTL_SETTLED_S', 300, 0, 86_400),
  CACHE_TTL_PENDING_S: integer('CACHE_TTL_PENDING_S', 5, 0, 3600),
  CACHE_TTL_NOT_FOUND_S: integer('CACHE_TTL_NOT_FOUND_S', 5, 0, 3600),
  CACHE_STALE_IF_ERROR_S: integer('CACHE_STALE_IF_ERROR_S', 3600, 0, 604_800),
  CACHE_MAX_ENTRIES: integer('CACHE_MAX_ENTRIES', 10_000, 1, 1_000_000),
  OPERATION_CACHE_TTL_MS: integer('OPERATION_CACHE_TTL_MS', 1000, 0, 60_000),
  REDIS_URL: redisUrl,
  REDIS_TIMEOUT_MS: integer('REDIS_TIMEOUT_MS', DEFAULT_REDIS_TIMEOUT_MS, 1, 10_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalText,
  OTEL_SERVICE_NAME: optionalText,
  OTEL_SDK_DISABLED: boolean('OTEL_SDK_DISABLED'),
  OTEL_TRACES_EXPORTER: optionalText,
  ROUTER_SECRET: optionalText,
  ROUTER_INVALIDATION_URL: optionalUrl('ROUTER_INVALIDATION_URL', 'http://router:4000/invalidation'),
  ROUTER_INVALIDATION_KEY: optionalText,
  ALLOW_WITHOUT_ROUTER_SECRET: boolean('ALLOW_WITHOUT_ROUTER_SECRET'),
  GRAPHIQL: boolean('GRAPHIQL'),
  INTROSPECTION: boolean('INTROSPECTION'),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  SANDBOX_LATENCY_MS: integer('SANDBOX_LATENCY_MS', 0, 0, 60_000),
  SANDBOX_SETTLE_MS: integer('SANDBOX_SETTLE_MS', DEFAULT_SETTLE_MS, 0, 3_600_000),
  AUTH_JWKS_URL: optionalUrl('AUTH_JWKS_URL', 'https://auth.example.com/.well-known/jwks.json'),
  AUTH_ISSUER: optionalText,
  AUTH_AUDIENCE: optionalText,
  IDEMPOTENCY_WAIT_MS: integer('IDEMPOTENCY_WAIT_MS', 3000, 0, 60_000),
  IDEMPOTENCY_STORE_TIMEOUT_MS: integer('IDEMPOTENCY_STORE_TIMEOUT_MS', 500, 1, 10_000),
  WEBHOOK_TOLERANCE_S: integer('WEBHOOK_TOLERANCE_S', 300, 1, 86_400),
  LIVE_POLL_INTERVAL_S: integer('LIVE_POLL_INTERVAL_S', 10, 1, 3600),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: integer('MAX_SUBSCRIPTIONS_PER_CONNECTION', 50, 1, 10_000),
  MAX_WS_CONNECTIONS: integer('MAX_WS_CONNECTIONS', 10_000, 1, 1_000_000),
});

export interface LoadConfigOptions {
  /** Whether standard output is a terminal: the default log format is pretty there, JSON elsewhere. */
  readonly stdoutIsTTY?: boolean;
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
type EnvVars = z.infer<typeof envSchema>;

export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): AppConfig {
  const problems: string[] = [];
  const vars = parseEnv(envSchema, env, problems);
  const providers = Object.fromEntries(
    PROVIDERS.map((definition) => [definition.name, definition.readSettings(env, problems)]),
  ) as Record<RefundProviderName, ProviderSettings>;
  const ledger = ledgerSettings(env, env.NODE_ENV === 'production', problems);
  if (vars === null) throw new ConfigError(problems);

  const isProduction = vars.NODE_ENV === 'production';
  const anyCredentials = Object.values(providers).some((settings) => settings.configured);
  checkCombinations(vars, { isProduction, anyCredentials }, problems);
  const traces = tracesEndpoint(vars, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const graphiql = vars.GRAPHIQL ?? !isProduction;
  return Object.freeze({
    mode: anyCredentials ? 'providers' : 'sandbox',
    isProduction,
    host: vars.HOST ?? '0.0.0.0',
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL ?? 'info',
    logFormat: vars.LOG_FORMAT ?? ((options.stdoutIsTTY ?? false) ? 'pretty' : 'json'),
    providers: Object.freeze(providers),
    ...providerCallSettings(vars),
    limits: requestLimits(vars),
    cache: cacheSettings(vars),
    operationCache: operationCacheSettings(vars, env),
    redis: Object.freeze({ url: vars.REDIS_URL, timeoutMs: vars.REDIS_TIMEOUT_MS }),
    tracing: Object.freeze({ tracesEndpoint: traces, serviceName: vars.OTEL_SERVICE_NAME ?? 'refunds-subgraph' }),
    routerSecret: vars.ROUTER_SECRET,
    routerInvalidation:
      vars.ROUTER_INVALIDATION_URL !== null && vars.ROUTER_INVALIDATION_KEY !== null
        ? Object.freeze({ url: vars.ROUTER_INVALIDATION_URL, key: vars.ROUTER_INVALIDATION_KEY })
        : null,
    allowWithoutRouterSecret: vars.ALLOW_WITHOUT_ROUTER_SECRET ?? false,
    graphiql,
    introspection: vars.INTROSPECTION ?? (graphiql || !isProduction),
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    sandboxLatencyMs: vars.SANDBOX_LATENCY_MS,
    sandboxSettleMs: vars.SANDBOX_SETTLE_MS,
    auth: Object.freeze({ jwksUrl: vars.AUTH_JWKS_URL, issuer: vars.AUTH_ISSUER, audience: vars.AUTH_AUDIENCE }),
    idempotency: Object.freeze({
      waitMs: vars.IDEMPOTENCY_WAIT_MS,
      storeTimeoutMs: vars.IDEMPOTENCY_STORE_TIMEOUT_MS,
    }),
    webhooks: Object.freeze({ toleranceS: vars.WEBHOOK_TOLERANCE_S }),
    ledger,
    live: Object.freeze({
      pollIntervalMs: vars.LIVE_POLL_INTERVAL_S * 1000,
      maxSubscriptionsPerConnection: vars.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxConnections: vars.MAX_WS_CONNECTIONS,
    }),
  });
}

function providerCallSettings(vars: EnvVars): Pick<AppConfig, 'http' | 'breaker'> {
  return {
    http: Object.freeze({
      concurrency: vars.PROVIDER_CONCURRENCY,
      attemptTimeoutMs: vars.PROVIDER_ATTEMPT_TIMEOUT_MS,
      deadlineMs: vars.PROVIDER_DEADLINE_MS,
      maxRetries: vars.PROVIDER_MAX_RETRIES,
      retryBaseDelayMs: vars.PROVIDER_RETRY_BASE_DELAY_MS,
      retryAfterCapMs: vars.PROVIDER_RETRY_AFTER_CAP_MS,
    }),
    breaker: Object.freeze({
      errorThresholdPercentage: vars.BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: vars.BREAKER_VOLUME_THRESHOLD,
      windowMs: vars.BREAKER_WINDOW_MS,
      resetTimeoutMs: vars.BREAKER_RESET_MS,
    }),
  };
}

/** The most ids one `refunds` field takes (not a setting: schema.graphql's description states it). */
export const MAX_IDS_PER_FIELD = 100;

function requestLimits(vars: EnvVars): RequestLimits {
  return Object.freeze({
    maxIdsPerField: MAX_IDS_PER_FIELD,
    maxRefundsPerOperation: vars.MAX_REFUNDS_PER_OPERATION,
    maxEntityRepresentations: vars.MAX_ENTITY_REPRESENTATIONS,
    maxBodyBytes: vars.MAX_BODY_BYTES,
    maxDepth: vars.MAX_QUERY_DEPTH,
    maxAliases: vars.MAX_QUERY_ALIASES,
    maxTokens: vars.MAX_QUERY_TOKENS,
    maxRefundsResolvedPerOperation: vars.MAX_REFUNDS_RESOLVED_PER_OPERATION,
    maxDocumentBytes: vars.MAX_DOCUMENT_BYTES,
  });
}

/**
 * Off with the refund cache. With REDIS_URL (replicas sharing the refund cache) off unless set: a
 * change another replica sees would reach this one's kept answers only when they expire.
 */
function operationCacheSettings(vars: EnvVars, env: Env): AppConfig['operationCache'] {
  const set = (env.OPERATION_CACHE_TTL_MS ?? '').trim() !== '';
  const on = (vars.CACHE_ENABLED ?? true) && (vars.REDIS_URL === null || set);
  return Object.freeze({ ttlMs: on ? vars.OPERATION_CACHE_TTL_MS : 0 });
}

function cacheSettings(vars: EnvVars): CacheSettings {
  return Object.freeze({
    enabled: vars.CACHE_ENABLED ?? true,
    ttlSettledMs: vars.CACHE_TTL_SETTLED_S * 1000,
    ttlPendingMs: vars.CACHE_TTL_PENDING_S * 1000,
    ttlNotFoundMs: vars.CACHE_TTL_NOT_FOUND_S * 1000,
    staleIfErrorMs: vars.CACHE_STALE_IF_ERROR_S * 1000,
    maxEntries: vars.CACHE_MAX_ENTRIES,
  });
}

/** The rules between settings, each broken one a problem saying how to fix it. */
function checkCombinations(
  vars: EnvVars,
  { isProduction, anyCredentials }: { isProduction: boolean; anyCredentials: boolean },
  problems: string[],
): void {
  if ((vars.ROUTER_INVALIDATION_URL === null) !== (vars.ROUTER_INVALIDATION_KEY === null)) {
    problems.push(
      "ROUTER_INVALIDATION_URL and ROUTER_INVALIDATION_KEY go together: set both to invalidate Apollo Router's response cache when a refund changes, or neither",
    );
  }
  if (isProduction && !anyCredentials) {
    const credentialSettings = PROVIDERS.map((definition) => definition.credentialSettings).join(', and ');
    problems.push(
      `NODE_ENV=production never serves sandbox data: set provider credentials (${credentialSettings}), or unset NODE_ENV to run the sandbox`,
    );
  }
  if (vars.PROVIDER_ATTEMPT_TIMEOUT_MS > vars.PROVIDER_DEADLINE_MS) {
    problems.push(
      `PROVIDER_ATTEMPT_TIMEOUT_MS (${vars.PROVIDER_ATTEMPT_TIMEOUT_MS}) must not exceed PROVIDER_DEADLINE_MS (${vars.PROVIDER_DEADLINE_MS})`,
    );
  }
  if (vars.ROUTER_SECRET !== null && vars.ROUTER_SECRET.length < 16) {
    problems.push('ROUTER_SECRET must be at least 16 characters long; generate one with `openssl rand -hex 32`');
  }
  if (isProduction && vars.ROUTER_SECRET === null && vars.ALLOW_WITHOUT_ROUTER_SECRET !== true) {
    problems.push(
      'NODE_ENV=production needs ROUTER_SECRET, so that only the router can query this subgraph: set it (generate one with `openssl rand -hex 32`) and have the router send it as Router-Authorization, or set ALLOW_WITHOUT_ROUTER_SECRET=true if the network already keeps everyone but the router out',
    );
  }
}

/**
 * The ledger: DATABASE_URL (PostgreSQL, shared by replicas) or SQLite (LEDGER_PATH; in memory outside
 * production when unset), and the reconciler (RECONCILE_*). The URL is never echoed in a message:
 * it may hold a password.
 */
const ledgerEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return null;
      const value = raw.trim();
      let protocol: string | null = null;
      try {
        protocol = new URL(value).protocol;
      } catch {
        protocol = null;
      }
      if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
        ctx.addIssue({
          code: 'custom',
          message:
            'DATABASE_URL must be postgres://[user:password@]host[:port]/database (or postgresql://…) of a PostgreSQL 15 or later; the value set is not one (not shown: it may hold a password); unset it to keep the ledger in SQLite',
        });
        return z.NEVER;
      }
      return value;
    }),
  LEDGER_PATH: optionalText,
  RECONCILE_INTERVAL_S: integer('RECONCILE_INTERVAL_S', 30, 1, 86_400),
  RECONCILE_MAX_AGE_H: integer('RECONCILE_MAX_AGE_H', 72, 1, 8760),
  RECONCILE_ENABLED: boolean('RECONCILE_ENABLED'),
});

/** The ledger's settings; pushes one problem per bad variable and answers the defaults for it. */
function ledgerSettings(env: Env, isProduction: boolean, problems: string[]): LedgerSettings {
  const vars = parseEnv(ledgerEnvSchema, env, problems) ?? parseEnv(ledgerEnvSchema, {}, []);
  if (vars === null) throw new Error('Expected the ledger settings to parse from an empty environment');
  return Object.freeze({
    databaseUrl: vars.DATABASE_URL,
    sqlitePath: vars.LEDGER_PATH ?? (isProduction ? DEFAULT_LEDGER_PATH : ':memory:'),
    reconcile: Object.freeze({
      enabled: vars.RECONCILE_ENABLED ?? true,
      intervalMs: vars.RECONCILE_INTERVAL_S * 1000,
      maxAgeMs: vars.RECONCILE_MAX_AGE_H * 3_600_000,
    }),
  });
}

/**
 * The OTLP/HTTP traces URL, per the OpenTelemetry spec: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or
 * OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`; null (tracing off) when neither is set, when
 * OTEL_SDK_DISABLED=true or when OTEL_TRACES_EXPORTER=none.
 */
function tracesEndpoint(
  vars: {
    OTEL_EXPORTER_OTLP_ENDPOINT: string | null;
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: string | null;
    OTEL_SDK_DISABLED: boolean | undefined;
    OTEL_TRACES_EXPORTER: string | null;
  },
  problems: string[],
): string | null {
  if (vars.OTEL_SDK_DISABLED === true || vars.OTEL_TRACES_EXPORTER === 'none') return null;
  const endpoint =
    vars.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (vars.OTEL_EXPORTER_OTLP_ENDPOINT === null
      ? null
      : `${vars.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (endpoint === null) return null;
  if (!/^https?:\/\/[^/]/.test(endpoint)) {
    problems.push(
      `OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL of an OTLP/HTTP receiver such as http://localhost:4318, received ${JSON.stringify(endpoint)}`,
    );
  }
  return endpoint;
}
