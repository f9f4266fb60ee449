/**
 * The real logger censors credentials if code ever logs them: credential-named fields at any
 * depth and in any letter case, and credential-shaped values anywhere in a line (message and
 * error stacks included). Checked on the raw JSON lines, as an operator's log store gets them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { SignJWT, importPKCS8 } from 'jose';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const PRIVATE_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
/** Credentials in the shapes the providers issue (values made up for this test). */
const TEST_WOOSHPAY_KEY = 'sk_test_stack0123456789abcdef';
const TEST_EFUNDPAY_KEY = 'efundpay_test_key_0123456789abcdef';
const BASIC = Buffer.from(`${TEST_WOOSHPAY_KEY}:`).toString('base64');
const ROUTER_SECRET = 'router-secret-0123456789abcdef';

function captureLogger(logFormat: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      callback();
    },
  });
  return { logger: createLogger({ logLevel: 'trace', logFormat }, sink), lines };
}

async function mintJwt(): Promise<string> {
  const key = await importPKCS8(PRIVATE_KEY_PEM, 'RS512');
  return new SignJWT({ scopes: ['transactions.read'] })
    .setProtectedHeader({ alg: 'RS512', kid: 'kid-1' })
    .setIssuedAt()
    .sign(key);
}

describe('log redaction', () => {
  it('censors credential-named fields at any depth and in any letter case, keeping the rest', async () => {
    const jwt = await mintJwt();
    const { logger, lines } = captureLogger();

    logger.info(
      {
        authorization: `Basic ${BASIC}`,
        headers: {
          Authorization: `Bearer ${jwt}`,
          'Router-Authorization': ROUTER_SECRET,
          'X-Api-Key': TEST_EFUNDPAY_KEY,
          accept: 'application/json',
        },
        request: { headers: { authorization: `Bearer ${TEST_EFUNDPAY_KEY}`, cookie: 'session=abc123' } },
        config: {
          wooshpay: { secretKey: TEST_WOOSHPAY_KEY, baseUrl: 'https://apitest.wooshpay.com' },
          efundpay: {
            auth: { kind: 'jwt', keyId: 'kid-1', privateKeyPem: PRIVATE_KEY_PEM },
            merchantAccountId: 'default',
          },
          routerSecret: ROUTER_SECRET,
        },
        env: {
          WOOSHPAY_SECRET_KEY: TEST_WOOSHPAY_KEY,
          EFUNDPAY_API_KEY: TEST_EFUNDPAY_KEY,
          EFUNDPAY_PRIVATE_KEY: PRIVATE_KEY_PEM,
        },
        tokens: [{ access_token: jwt }, { idToken: jwt }],
        token: jwt,
        apiKey: TEST_EFUNDPAY_KEY,
        password: 'hunter2-hunter2',
      },
      'credential shapes',
    );

    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const secret of [
      TEST_WOOSHPAY_KEY,
      TEST_EFUNDPAY_KEY,
      BASIC,
      jwt,
      ROUTER_SECRET,
      'session=abc123',
      'hunter2',
      'PRIVATE KEY',
      'eyJ',
    ]) {
      expect(line, `the line contains ${secret.slice(0, 20)}`).not.toContain(secret);
    }
    const parsed = JSON.parse(line) as { headers: unknown; config: Record<string, unknown>; msg: unknown };
    expect(parsed.headers).toEqual({
      Authorization: '[redacted]',
      'Router-Authorization': '[redacted]',
      'X-Api-Key': '[redacted]',
      accept: 'application/json',
    });
    expect(parsed.config.wooshpay).toEqual({ secretKey: '[redacted]', baseUrl: 'https://apitest.wooshpay.com' });
    expect(parsed.config.efundpay).toEqual({
      auth: { kind: 'jwt', keyId: 'kid-1', privateKeyPem: '[redacted]' },
      merchantAccountId: 'default',
    });
    expect(parsed.msg).toBe('credential shapes');
  });

  it('censors credential-shaped values in messages, free text and error stacks', async () => {
    const jwt = await mintJwt();
    const { logger, lines } = captureLogger();

    logger.warn({ note: `sent authorization: Basic ${BASIC}` }, `upstream said: invalid token ${jwt}`);
    logger.error({ err: new Error(`could not parse key ${PRIVATE_KEY_PEM}`) }, 'key trouble');
    logger.error({ detail: { nested: [`Bearer ${TEST_EFUNDPAY_KEY}`] } }, `key ${TEST_WOOSHPAY_KEY} refused`);

    expect(lines).toHaveLength(3);
    const all = lines.join('\n');
    for (const secret of [
      BASIC,
      jwt,
      'BEGIN PRIVATE KEY',
      PRIVATE_KEY_PEM.split('\n')[1]!,
      TEST_EFUNDPAY_KEY,
      TEST_WOOSHPAY_KEY,
      'eyJ',
    ]) {
      expect(all, `a line contains ${secret.slice(0, 20)}`).not.toContain(secret);
    }
    // What is not a credential survives, so the lines stay useful.
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', note: 'sent authorization: Basic [redacted]' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'key trouble', err: { type: 'Error' } });
    expect((JSON.parse(lines[2]!) as { msg: unknown }).msg).toBe('key [redacted] refused');
  });

  it('leaves ordinary log lines untouched', () => {
    const { logger, lines } = captureLogger();
    const fields = {
      provider: 'WOOSHPAY',
      code: 'PROVIDER_UNAVAILABLE',
      status: 503,
      maxTokens: 5000,
      tokenCount: 12,
      refundId: WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
    };

    logger.info(fields, 'WooshPay: the provider failed (HTTP 503 after 3 attempts)');

    expect(JSON.parse(lines[0]!)).toMatchObject({
      ...fields,
      msg: 'WooshPay: the provider failed (HTTP 503 after 3 attempts)',
    });
  });
});

describe('LOG_FORMAT=pretty', () => {
  it('writes readable lines for people, censored the same way', () => {
    const { logger, lines } = captureLogger('pretty');
    logger.info({ provider: 'WOOSHPAY', authorization: `Basic ${BASIC}` }, `refused ${TEST_WOOSHPAY_KEY}`);
    const text = lines.join('\n');
    expect(() => JSON.parse(lines[0] ?? '') as unknown).toThrow();
    expect(text).toMatch(/INFO.*refused \[redacted\]/);
    expect(text).toContain('provider: "WOOSHPAY"');
    expect(text).toContain('authorization: "[redacted]"');
    expect(text).not.toContain(TEST_WOOSHPAY_KEY);
    expect(text).not.toContain(BASIC);
  });
});
