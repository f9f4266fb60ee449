/**
 * Configuration: every setting is validated once, at start. A bad value gives a message that names
 * the variable, says what was wrong (quoting what was received, unless it is a secret) and how to
 * fix it; all problems are reported together. No credentials means the sandbox, except in
 * production, which never serves made-up data.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type AppConfig } from '../../src/app/config.js';
import { problemsOf } from '../helpers/config-problems.js';
import type { EfundpaySettings } from '../../src/providers/efundpay/settings.js';
import type { WooshPaySettings } from '../../src/providers/wooshpay/settings.js';

const wooshpay = (config: AppConfig) => config.providers.WOOSHPAY as WooshPaySettings;
const efundpay = (config: AppConfig) => config.providers.EFUNDPAY as EfundpaySettings;

const WOOSHPAY_KEY = 'sk_test_51Hconfig0000abcd';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS8_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PKCS1_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

const tempDir = mkdtempSync(join(tmpdir(), 'refunds-config-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** The one problem reported for `env`. */
function problemOf(env: Record<string, string>): string {
  const problems = problemsOf(env);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('defaults', () => {
  it('runs the sandbox on port 4001 with the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: 'sandbox',
      isProduction: false,
      host: '0.0.0.0',
      port: 4001,
      logLevel: 'info',
      logFormat: 'json',
      providers: {
        WOOSHPAY: { configured: false, baseUrl: 'https://apitest.wooshpay.com', secretKey: null },
        EFUNDPAY: {
          configured: false,
          baseUrl: 'https://sandbox.efundpay.com/v4',
          merchantAccountId: 'default',
          auth: null,
        },
      },
      http: {
        // Unset: each provider's concurrency limit adapts.
        concurrency: null,
        attemptTimeoutMs: 2000,
        deadlineMs: 5000,
        maxRetries: 2,
        retryBaseDelayMs: 200,
        retryAfterCapMs: 2000,
      },
      routerSecret: null,
      graphiql: true,
      introspection: true,
      sandboxLatencyMs: 0,
    });
  });

  it('treats empty and blank variables as unset', () => {
    const config = loadConfig({
      PORT: '',
      PROVIDER_CONCURRENCY: '  ',
      WOOSHPAY_SECRET_KEY: ' ',
      EFUNDPAY_BASE_URL: '',
    });
    expect(config.port).toBe(4001);
    expect(config.http.concurrency).toBeNull();
    expect(config.mode).toBe('sandbox');
    expect(efundpay(config).baseUrl).toBe('https://sandbox.efundpay.com/v4');
  });

  it('is frozen, so nothing can change it after start', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
    expect(Object.isFrozen(efundpay(config))).toBe(true);
  });

  it('reads the settings it is given', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      PROVIDER_CONCURRENCY: '3',
      WOOSHPAY_BASE_URL: 'http://127.0.0.1:9999/',
      EFUNDPAY_BASE_URL: 'https://api.sandbox.acme.efundpay.com/v4/',
      EFUNDPAY_MERCHANT_ACCOUNT_ID: 'acme-eu',
      GRAPHIQL: 'false',
      INTROSPECTION: 'TRUE',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      logLevel: 'debug',
      http: { concurrency: 3 },
      // Trailing slashes are dropped: the clients append their own paths.
      providers: {
        WOOSHPAY: { baseUrl: 'http://127.0.0.1:9999' },
        EFUNDPAY: { baseUrl: 'https://api.sandbox.acme.efundpay.com/v4', merchantAccountId: 'acme-eu' },
      },
      graphiql: false,
      introspection: true,
    });
  });
});

describe('sandbox or providers', () => {
  it('uses the real providers as soon as any credential is set', () => {
    const config = loadConfig({ WOOSHPAY_SECRET_KEY: WOOSHPAY_KEY });
    expect(config.mode).toBe('providers');
    expect(wooshpay(config).secretKey).toBe(WOOSHPAY_KEY);
    expect(efundpay(config).auth).toBeNull();
  });

  it('reads an efundpay API key alone as providers mode too', () => {
    const config = loadConfig({ EFUNDPAY_API_KEY: 'efundpay_live_key' });
    expect(config.mode).toBe('providers');
    expect(wooshpay(config).secretKey).toBeNull();
    expect(efundpay(config).auth).toEqual({ kind: 'api-key', apiKey: 'efundpay_live_key' });
  });

  it('refuses NODE_ENV=production without credentials, naming the settings to provide', () => {
    const problem = problemOf({ NODE_ENV: 'production', ALLOW_WITHOUT_ROUTER_SECRET: 'true' });
    expect(problem).toContain('NODE_ENV=production never serves sandbox data');
    for (const setting of [
      'WOOSHPAY_SECRET_KEY',
      'EFUNDPAY_API_KEY',
      'EFUNDPAY_KEY_ID',
      'EFUNDPAY_PRIVATE_KEY',
      'EFUNDPAY_PRIVATE_KEY_FILE',
    ]) {
      expect(problem).toContain(setting);
    }
    expect(problem).toContain('unset NODE_ENV to run the sandbox');
  });

  it('starts in production with credentials, with GraphiQL and introspection off by default', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      WOOSHPAY_SECRET_KEY: WOOSHPAY_KEY,
      ROUTER_SECRET: 'r'.repeat(32),
    });
    expect(config).toMatchObject({ mode: 'providers', isProduction: true, graphiql: false, introspection: false });
  });

  it('lists every problem at once in the error message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', PROVIDER_CONCURRENCY: '0', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems).toHaveLength(3);
    expect(message.split('\n')[0]).toBe('Invalid configuration:');
    for (const name of ['PORT', 'PROVIDER_CONCURRENCY', 'LOG_LEVEL']) expect(message).toContain(`  - ${name} must`);
  });
});

describe('messages for bad values', () => {
  it.each([
    ['PORT', 'http', 'PORT must be a whole number from 0 to 65535, received "http"; unset it for the default 4001'],
    ['PORT', '70000', 'PORT must be a whole number from 0 to 65535, received "70000"; unset it for the default 4001'],
    ['PORT', '80.5', 'PORT must be a whole number from 0 to 65535, received "80.5"; unset it for the default 4001'],
    [
      'PROVIDER_CONCURRENCY',
      '0',
      'PROVIDER_CONCURRENCY must be a whole number from 1 to 1024, received "0"; unset it for adaptive concurrency per provider',
    ],
    [
      'PROVIDER_CONCURRENCY',
      '-3',
      'PROVIDER_CONCURRENCY must be a whole number from 1 to 1024, received "-3"; unset it for adaptive concurrency per provider',
    ],
    [
      'PROVIDER_DEADLINE_MS',
      '5s',
      'PROVIDER_DEADLINE_MS must be a whole number from 1 to 120000, received "5s"; unset it for the default 5000',
    ],
    [
      'PROVIDER_MAX_RETRIES',
      '11',
      'PROVIDER_MAX_RETRIES must be a whole number from 0 to 10, received "11"; unset it for the default 2',
    ],
    ['GRAPHIQL', 'yes', 'GRAPHIQL must be true or false, received "yes"'],
    ['INTROSPECTION', 'on', 'INTROSPECTION must be true or false, received "on"'],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, received "loud"; unset it for the default info',
    ],
    [
      'WOOSHPAY_BASE_URL',
      'apitest.wooshpay.com',
      'WOOSHPAY_BASE_URL must be an absolute http(s) URL such as https://apitest.wooshpay.com, received "apitest.wooshpay.com"',
    ],
    [
      'WOOSHPAY_BASE_URL',
      'ftp://apitest.wooshpay.com',
      'WOOSHPAY_BASE_URL must be a plain http(s) URL with no credentials, query or fragment, such as https://apitest.wooshpay.com',
    ],
    [
      'EFUNDPAY_BASE_URL',
      'https://sandbox.efundpay.com/v4?debug=1',
      'EFUNDPAY_BASE_URL must be a plain http(s) URL with no credentials, query or fragment, such as https://sandbox.efundpay.com/v4',
    ],
  ])('%s=%j', (name, value, message) => {
    expect(problemOf({ [name]: value })).toBe(message);
  });

  it('refuses credentials inside a base URL without repeating them', () => {
    const problem = problemOf({ EFUNDPAY_BASE_URL: 'https://merchant:hunter2@sandbox.efundpay.com/v4' });
    expect(problem).toMatch(/^EFUNDPAY_BASE_URL must be a plain http\(s\) URL with no credentials/);
    expect(problem).not.toContain('hunter2');
  });

  it('refuses a WooshPay key that is not a secret key, without quoting it', () => {
    const problem = problemOf({ WOOSHPAY_SECRET_KEY: 'pk_live_publishable0123' });
    expect(problem).toBe(
      'WOOSHPAY_SECRET_KEY must be a WooshPay secret key (sk_test_… or sk_live_…); the value set does not look like one',
    );
    expect(problem).not.toContain('pk_live_publishable0123');
  });

  it('refuses a per-attempt timeout longer than the overall deadline', () => {
    expect(problemsOf({ PROVIDER_ATTEMPT_TIMEOUT_MS: '3000', PROVIDER_DEADLINE_MS: '1000' })).toEqual([
      'PROVIDER_ATTEMPT_TIMEOUT_MS (3000) must not exceed PROVIDER_DEADLINE_MS (1000)',
    ]);
  });

  it('refuses a short ROUTER_SECRET and says how to make a good one', () => {
    expect(problemsOf({ ROUTER_SECRET: 'short' })).toEqual([
      'ROUTER_SECRET must be at least 16 characters long; generate one with `openssl rand -hex 32`',
    ]);
  });

  it('refuses production without ROUTER_SECRET unless ALLOW_WITHOUT_ROUTER_SECRET=true', () => {
    const production = { NODE_ENV: 'production', WOOSHPAY_SECRET_KEY: WOOSHPAY_KEY };
    expect(problemsOf(production)).toEqual([
      'NODE_ENV=production needs ROUTER_SECRET, so that only the router can query this subgraph: set it (generate one with `openssl rand -hex 32`) and have the router send it as Router-Authorization, or set ALLOW_WITHOUT_ROUTER_SECRET=true if the network already keeps everyone but the router out',
    ]);
    expect(loadConfig({ ...production, ALLOW_WITHOUT_ROUTER_SECRET: 'true' })).toMatchObject({
      routerSecret: null,
      allowWithoutRouterSecret: true,
    });
    expect(loadConfig({ ...production, ROUTER_SECRET: 'a'.repeat(32) }).routerSecret).toBe('a'.repeat(32));
    expect(problemsOf({ ...production, ALLOW_WITHOUT_ROUTER_SECRET: 'false' })).toHaveLength(1);
    // Outside production nothing is required.
    expect(loadConfig({ WOOSHPAY_SECRET_KEY: WOOSHPAY_KEY }).routerSecret).toBeNull();
  });

  it('reads MAX_DOCUMENT_BYTES and MAX_REFUNDS_RESOLVED_PER_OPERATION, with defaults of 32 KB and 1,000', () => {
    expect(loadConfig({}).limits).toMatchObject({ maxDocumentBytes: 32_768, maxRefundsResolvedPerOperation: 1000 });
    expect(loadConfig({ MAX_DOCUMENT_BYTES: '65536', MAX_REFUNDS_RESOLVED_PER_OPERATION: '500' }).limits).toMatchObject(
      { maxDocumentBytes: 65_536, maxRefundsResolvedPerOperation: 500 },
    );
    expect(problemsOf({ MAX_DOCUMENT_BYTES: '10' })).toEqual([
      'MAX_DOCUMENT_BYTES must be a whole number from 1024 to 1048576, received "10"; unset it for the default 32768',
    ]);
  });
});

describe('efundpay credentials', () => {
  it('reads a JWT key id with a PKCS#8 PEM', () => {
    const config = loadConfig({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY: PKCS8_PEM });
    expect(config.mode).toBe('providers');
    expect(efundpay(config).auth).toEqual({ kind: 'jwt', keyId: 'key-1', privateKeyPem: PKCS8_PEM.trim() });
  });

  it('reads a PKCS#1 (BEGIN RSA PRIVATE KEY) PEM', () => {
    const config = loadConfig({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY: PKCS1_PEM });
    expect(efundpay(config).auth).toMatchObject({ kind: 'jwt', keyId: 'key-1' });
  });

  it('reads a PEM whose line breaks were written as \\n escapes (one-line env files)', () => {
    const oneLine = PKCS8_PEM.trim().replaceAll('\n', '\\n');
    const config = loadConfig({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY: oneLine });
    expect(efundpay(config).auth).toEqual({ kind: 'jwt', keyId: 'key-1', privateKeyPem: PKCS8_PEM.trim() });
  });

  it('reads the key from EFUNDPAY_PRIVATE_KEY_FILE', () => {
    const path = join(tempDir, 'efundpay.pem');
    writeFileSync(path, PKCS1_PEM);
    const config = loadConfig({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY_FILE: path });
    expect(efundpay(config).auth).toEqual({ kind: 'jwt', keyId: 'key-1', privateKeyPem: PKCS1_PEM });
  });

  it('says which path could not be read and why', () => {
    const path = join(tempDir, 'missing.pem');
    expect(problemOf({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY_FILE: path })).toBe(
      `EFUNDPAY_PRIVATE_KEY_FILE could not be read (ENOENT): check the path ${JSON.stringify(path)}`,
    );
    expect(problemOf({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY_FILE: tempDir })).toBe(
      `EFUNDPAY_PRIVATE_KEY_FILE could not be read (EISDIR): check the path ${JSON.stringify(tempDir)}`,
    );
  });

  it('refuses both an API key and a JWT key id', () => {
    expect(
      problemsOf({ EFUNDPAY_API_KEY: 'efundpay_key', EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY: PKCS8_PEM }),
    ).toEqual(['Set either EFUNDPAY_API_KEY or EFUNDPAY_KEY_ID with a private key, not both']);
    expect(problemsOf({ EFUNDPAY_API_KEY: 'efundpay_key', EFUNDPAY_KEY_ID: 'key-1' })).toEqual([
      'Set either EFUNDPAY_API_KEY or EFUNDPAY_KEY_ID with a private key, not both',
    ]);
  });

  it('refuses both the PEM text and a PEM file', () => {
    expect(
      problemsOf({
        EFUNDPAY_KEY_ID: 'key-1',
        EFUNDPAY_PRIVATE_KEY: PKCS8_PEM,
        EFUNDPAY_PRIVATE_KEY_FILE: '/etc/efundpay.pem',
      }),
    ).toEqual(['Set either EFUNDPAY_PRIVATE_KEY (PEM text) or EFUNDPAY_PRIVATE_KEY_FILE (a path), not both']);
  });

  it('asks for the key id when only a private key is set', () => {
    expect(problemsOf({ EFUNDPAY_PRIVATE_KEY: PKCS8_PEM })).toEqual([
      'EFUNDPAY_KEY_ID is required with an efundpay private key: set it to the key id shown in the efundpay dashboard',
    ]);
  });

  it('asks for a private key when only the key id is set', () => {
    expect(problemOf({ EFUNDPAY_KEY_ID: 'key-1' })).toMatch(
      /^EFUNDPAY_PRIVATE_KEY must hold an RSA private key in PEM form \(-----BEGIN PRIVATE KEY-----/,
    );
  });

  it('refuses a public key given by mistake', () => {
    const publicPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(problemOf({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY: publicPem })).toMatch(
      /^EFUNDPAY_PRIVATE_KEY must hold an RSA private key in PEM form/,
    );
  });

  it('refuses a corrupt PEM at start, without quoting it', () => {
    const corrupt = PKCS8_PEM.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!corrupted!!!!!!!');
    const problem = problemOf({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY: corrupt });
    expect(problem).toMatch(/^EFUNDPAY_PRIVATE_KEY could not be parsed as an RSA private key in PEM form/);
    expect(problem).toContain('check that the whole PEM, header to footer, was copied');
    expect(problem).not.toContain('corrupted');
  });

  it('refuses a non-RSA private key: efundpay tokens are RS512', () => {
    const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(problemsOf({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY: ecPem })).toEqual([
      'EFUNDPAY_PRIVATE_KEY holds a key of type ec; efundpay signs RS512 JWTs, which need an RSA private key in PEM form ' +
        '(-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)',
    ]);
  });

  it('names the file when the key in EFUNDPAY_PRIVATE_KEY_FILE is not usable', () => {
    const path = join(tempDir, 'not-a-key.txt');
    writeFileSync(path, 'hello\n');
    expect(problemOf({ EFUNDPAY_KEY_ID: 'key-1', EFUNDPAY_PRIVATE_KEY_FILE: path })).toBe(
      `The file EFUNDPAY_PRIVATE_KEY_FILE names (${JSON.stringify(path)}) must hold an RSA private key in PEM form ` +
        '(-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)',
    );
  });
});

describe('log format', () => {
  it('is pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(loadConfig({}, { stdoutIsTTY: true }).logFormat).toBe('pretty');
    expect(loadConfig({}, { stdoutIsTTY: false }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }, { stdoutIsTTY: true }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('refuses another value, saying which ones it takes', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json or pretty, received "xml"/);
  });
});
