/**
 * The only reader of process.env. Validates every setting once, at start, and fails fast with a
 * message per problem saying what was wrong and how to fix it. The result is frozen.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type EfundpayAuthConfig =
  | { readonly kind: 'api-key'; readonly apiKey: string }
  | { readonly kind: 'jwt'; readonly keyId: string; readonly privateKeyPem: string };

export interface AppConfig {
  /** `sandbox`: no credentials at all, the built-in simulators serve; `providers`: real providers. */
  readonly mode: 'sandbox' | 'providers';
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly wooshpay: { readonly baseUrl: string; readonly secretKey: string | null };
  readonly efundpay: {
    readonly baseUrl: string;
    readonly merchantAccountId: string;
    readonly auth: EfundpayAuthConfig | null;
  };
  readonly http: {
    /** Concurrent GETs per provider, shared by the whole process. */
    readonly concurrency: number;
    readonly attemptTimeoutMs: number;
    /** Overall time one refund may take, retries included. */
    readonly deadlineMs: number;
    readonly maxRetries: number;
    readonly retryBaseDelayMs: number;
    /** A `Retry-After` longer than this fails the call at once with PROVIDER_RATE_LIMITED. */
    readonly retryAfterCapMs: number;
  };
  readonly breaker: {
    readonly errorThresholdPercentage: number;
    readonly volumeThreshold: number;
    readonly windowMs: number;
    readonly resetTimeoutMs: number;
  };
  readonly limits: {
    readonly maxIdsPerField: number;
    readonly maxRefundsPerOperation: number;
    readonly maxEntityRepresentations: number;
    readonly maxBodyBytes: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxTokens: number;
  };
  /** When set, GraphQL requests must carry `Router-Authorization` with this value. */
  readonly routerSecret: string | null;
  readonly graphiql: boolean;
  readonly introspection: boolean;
  readonly shutdownTimeoutMs: number;
  /** Latency the sandbox simulators add to every response. */
  readonly sandboxLatencyMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from ${min} to ${max}, received ${JSON.stringify(raw)}; unset it for the default ${fallback}`,
        });
        return z.NEVER;
      }
      return value;
    });

const boolean = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const value = raw.trim().toLowerCase();
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, received ${JSON.stringify(raw)}` });
      return z.NEVER;
    });

const optionalText = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined || raw.trim() === '' ? null : raw.trim()));

const baseUrl = (name: string, fallback: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be an absolute http(s) URL such as ${fallback}, received ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a plain http(s) URL with no credentials, query or fragment, such as ${fallback}`,
        });
        return z.NEVER;
      }
      return value.replace(/\/+$/, '');
    });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  HOST: z.string().optional(),
  PORT: integer('PORT', 4001, 0, 65535),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, {
      error: (issue) =>
        `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, received ${JSON.stringify(issue.input)}; unset it for the default info`,
    })
    .optional(),
  WOOSHPAY_BASE_URL: baseUrl('WOOSHPAY_BASE_URL', 'https://apitest.wooshpay.com'),
  WOOSHPAY_SECRET_KEY: optionalText,
  EFUNDPAY_BASE_URL: baseUrl('EFUNDPAY_BASE_URL', 'https://sandbox.efundpay.com/v4'),
  EFUNDPAY_MERCHANT_ACCOUNT_ID: optionalText,
  EFUNDPAY_API_KEY: optionalText,
  EFUNDPAY_KEY_ID: optionalText,
  EFUNDPAY_PRIVATE_KEY: optionalText,
  EFUNDPAY_PRIVATE_KEY_FILE: optionalText,
  PROVIDER_CONCURRENCY: integer('PROVIDER_CONCURRENCY', 16, 1, 1024),
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
  ROUTER_SECRET: optionalText,
  GRAPHIQL: boolean('GRAPHIQL'),
  INTROSPECTION: boolean('INTROSPECTION'),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
  SANDBOX_LATENCY_MS: integer('SANDBOX_LATENCY_MS', 0, 0, 60_000),
});

const CREDENTIAL_SETTINGS =
  'WOOSHPAY_SECRET_KEY, and EFUNDPAY_API_KEY or EFUNDPAY_KEY_ID with EFUNDPAY_PRIVATE_KEY (or EFUNDPAY_PRIVATE_KEY_FILE)';

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
  const vars = parsed.data;
  const problems: string[] = [];
  const isProduction = vars.NODE_ENV === 'production';

  const efundpayAuth = readEfundpayAuth(vars, problems);
  const anyCredentials = vars.WOOSHPAY_SECRET_KEY !== null || efundpayAuth !== null;
  if (vars.WOOSHPAY_SECRET_KEY !== null && !/^sk_(test|live)_\S+$/.test(vars.WOOSHPAY_SECRET_KEY)) {
    problems.push(
      'WOOSHPAY_SECRET_KEY must be a WooshPay secret key (sk_test_… or sk_live_…); the value set does not look like one',
    );
  }
  if (isProduction && !anyCredentials) {
    problems.push(
      `NODE_ENV=production never serves sandbox data: set provider credentials (${CREDENTIAL_SETTINGS}), or unset NODE_ENV to run the sandbox`,
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
  if (problems.length > 0) throw new ConfigError(problems);

  const graphiql = vars.GRAPHIQL ?? !isProduction;
  return Object.freeze({
    mode: anyCredentials ? 'providers' : 'sandbox',
    isProduction,
    host: vars.HOST?.trim() || '0.0.0.0',
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL ?? 'info',
    wooshpay: Object.freeze({ baseUrl: vars.WOOSHPAY_BASE_URL, secretKey: vars.WOOSHPAY_SECRET_KEY }),
    efundpay: Object.freeze({
      baseUrl: vars.EFUNDPAY_BASE_URL,
      merchantAccountId: vars.EFUNDPAY_MERCHANT_ACCOUNT_ID ?? 'default',
      auth: efundpayAuth,
    }),
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
    limits: Object.freeze({
      maxIdsPerField: 100,
      maxRefundsPerOperation: vars.MAX_REFUNDS_PER_OPERATION,
      maxEntityRepresentations: vars.MAX_ENTITY_REPRESENTATIONS,
      maxBodyBytes: vars.MAX_BODY_BYTES,
      maxDepth: vars.MAX_QUERY_DEPTH,
      maxAliases: vars.MAX_QUERY_ALIASES,
      maxTokens: vars.MAX_QUERY_TOKENS,
    }),
    routerSecret: vars.ROUTER_SECRET,
    graphiql,
    introspection: vars.INTROSPECTION ?? (graphiql || !isProduction),
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    sandboxLatencyMs: vars.SANDBOX_LATENCY_MS,
  });
}

function readEfundpayAuth(vars: z.infer<typeof envSchema>, problems: string[]): EfundpayAuthConfig | null {
  const {
    EFUNDPAY_API_KEY: apiKey,
    EFUNDPAY_KEY_ID: keyId,
    EFUNDPAY_PRIVATE_KEY: pem,
    EFUNDPAY_PRIVATE_KEY_FILE: pemFile,
  } = vars;
  const wantsJwt = keyId !== null || pem !== null || pemFile !== null;
  if (apiKey !== null && wantsJwt) {
    problems.push('Set either EFUNDPAY_API_KEY or EFUNDPAY_KEY_ID with a private key, not both');
    return null;
  }
  if (apiKey !== null) return { kind: 'api-key', apiKey };
  if (!wantsJwt) return null;
  if (pem !== null && pemFile !== null) {
    problems.push('Set either EFUNDPAY_PRIVATE_KEY (PEM text) or EFUNDPAY_PRIVATE_KEY_FILE (a path), not both');
    return null;
  }
  let privateKeyPem = pem?.replace(/\\n/g, '\n') ?? null;
  if (pemFile !== null) {
    try {
      privateKeyPem = readFileSync(pemFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(
        `EFUNDPAY_PRIVATE_KEY_FILE could not be read (${reason}): check the path ${JSON.stringify(pemFile)}`,
      );
      return null;
    }
  }
  if (keyId === null) {
    problems.push(
      'EFUNDPAY_KEY_ID is required with an efundpay private key: set it to the key id shown in the efundpay dashboard',
    );
    return null;
  }
  const keySource =
    pemFile !== null ? `The file EFUNDPAY_PRIVATE_KEY_FILE names (${JSON.stringify(pemFile)})` : 'EFUNDPAY_PRIVATE_KEY';
  const expected = 'an RSA private key in PEM form (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)';
  if (privateKeyPem === null || !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKeyPem)) {
    problems.push(`${keySource} must hold ${expected}`);
    return null;
  }
  // Parsed here so a corrupt or non-RSA key fails at start with a fixable message, not on the
  // first efundpay call. The message never quotes the key.
  let keyType: string | undefined;
  try {
    keyType = createPrivateKey(privateKeyPem).asymmetricKeyType;
  } catch {
    problems.push(
      `${keySource} could not be parsed as ${expected}: check that the whole PEM, header to footer, was copied`,
    );
    return null;
  }
  if (keyType !== 'rsa') {
    problems.push(
      `${keySource} holds a key of type ${keyType ?? 'unknown'}; efundpay signs RS512 JWTs, which need ${expected}`,
    );
    return null;
  }
  return { kind: 'jwt', keyId, privateKeyPem };
}
