/**
 * Provider credentials end to end: a provider without credentials answers PROVIDER_NOT_CONFIGURED
 * (and is never called) while the other keeps working; efundpay accepts our RS512 JWTs, minted
 * from a key id and an RSA private key and reused across requests; credentials a provider refuses
 * give PROVIDER_AUTH_FAILED, and never show up in a response or a log line.
 */
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { REFUND_FIELDS, startStack, type Stack } from '../helpers/stack.js';
import { efundpayJwtSimulator } from '../helpers/efundpay-jwt.js';
import type { EfundpaySettings } from '../../src/providers/efundpay/settings.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  EFUNDPAY_USD_PROCESSING,
  WOOSHPAY_NOT_SEEDED,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

const BOTH_QUERY = /* GraphQL */ `{
  wooshpay: refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.id}") { id }
  efundpay: refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.id}") { id }
}`;

const stacks: Stack[] = [];
async function stackWith(options: Parameters<typeof startStack>[0]): Promise<Stack> {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
}
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.stop()));
});

describe('a provider without credentials', () => {
  it('answers PROVIDER_NOT_CONFIGURED for efundpay, never calls it, and WooshPay still works', async () => {
    const stack = await stackWith({ env: { EFUNDPAY_API_KEY: undefined } });
    expect(stack.config.mode).toBe('providers');
    const { body } = await stack.graphql(BOTH_QUERY);
    expect(body.data).toEqual({ wooshpay: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id }, efundpay: null });
    expect(body.errors).toEqual([
      {
        message: 'efundpay: no credentials are configured for this provider',
        locations: expect.any(Array) as unknown,
        path: ['efundpay'],
        extensions: { code: 'PROVIDER_NOT_CONFIGURED', provider: 'EFUNDPAY' },
      },
    ]);
    expect(stack.simulators.efundpay.requestCount()).toBe(0);
    expect(stack.simulators.wooshpay.requestCount()).toBe(1);
  });

  it('answers PROVIDER_NOT_CONFIGURED for WooshPay when only efundpay has credentials', async () => {
    const stack = await stackWith({ env: { WOOSHPAY_SECRET_KEY: undefined } });
    const { body } = await stack.graphql<{ refunds: unknown[] }>(
      `{ refunds(ids: ["${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}", "${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}", "${WOOSHPAY_NOT_SEEDED.providerRefundId}"]) { id } }`,
    );
    expect(body.data?.refunds).toEqual([null, { id: EFUNDPAY_EUR_DOCS_EXAMPLE.id }, null]);
    expect(body.errors?.map((error) => [error.path, error.extensions])).toEqual([
      [['refunds', 0], { code: 'PROVIDER_NOT_CONFIGURED', provider: 'WOOSHPAY' }],
      [['refunds', 2], { code: 'PROVIDER_NOT_CONFIGURED', provider: 'WOOSHPAY' }],
    ]);
    expect(stack.simulators.wooshpay.requestCount()).toBe(0);
  });
});

describe('efundpay JWT auth', () => {
  const KEY_ID = 'd757c76a-cbd7-4b56-95a3-40125b51b29c';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('reads refunds with an RS512 JWT minted from EFUNDPAY_KEY_ID and EFUNDPAY_PRIVATE_KEY, reused across requests', async () => {
    const stack = await stackWith({
      replace: { efundpay: efundpayJwtSimulator(KEY_ID, publicKey) },
      env: { EFUNDPAY_API_KEY: undefined, EFUNDPAY_KEY_ID: KEY_ID, EFUNDPAY_PRIVATE_KEY: privateKeyPem },
    });
    expect((stack.config.providers.EFUNDPAY as EfundpaySettings).auth?.kind).toBe('jwt');

    const first = await stack.graphql<{ refund: { id: string; amount: { decimal: string } } }>(
      `query ($id: ID!) { refund(id: $id) { ${REFUND_FIELDS} } }`,
      { id: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId },
    );
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.refund).toMatchObject({
      id: EFUNDPAY_EUR_DOCS_EXAMPLE.id,
      amount: { decimal: '12.99' },
    });
    const second = await stack.graphql(`{ refund(id: "${EFUNDPAY_USD_PROCESSING.providerRefundId}") { id } }`);
    expect(second.body.errors).toBeUndefined();

    const [a, b] = stack.simulators.efundpay.requests;
    const token = String(a?.headers.authorization).replace(/^Bearer /, '');
    expect(decodeProtectedHeader(token)).toEqual({ typ: 'JWT', alg: 'RS512', kid: KEY_ID });
    expect(decodeJwt(token)).toMatchObject({ scopes: ['transactions.read'], merchantId: 'default' });
    expect(a?.headers['x-merchant-account-id']).toBe('default');
    expect(b?.headers.authorization).toBe(a?.headers.authorization);
  });

  it('answers PROVIDER_AUTH_FAILED when efundpay does not know the key id', async () => {
    const stack = await stackWith({
      replace: { efundpay: efundpayJwtSimulator('another-key-id', publicKey) },
      env: { EFUNDPAY_API_KEY: undefined, EFUNDPAY_KEY_ID: KEY_ID, EFUNDPAY_PRIVATE_KEY: privateKeyPem },
    });
    const { body } = await stack.graphql(`{ refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}") { id } }`);
    expect(body.data).toEqual({ refund: null });
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_AUTH_FAILED', provider: 'EFUNDPAY' });
    expect(JSON.stringify(body)).not.toContain('Unknown signing key id');
  });

  it('answers PROVIDER_AUTH_FAILED when the JWT is signed with the wrong private key', async () => {
    const wrongPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const stack = await stackWith({
      replace: { efundpay: efundpayJwtSimulator(KEY_ID, publicKey) },
      env: { EFUNDPAY_API_KEY: undefined, EFUNDPAY_KEY_ID: KEY_ID, EFUNDPAY_PRIVATE_KEY: wrongPem },
    });
    const { body } = await stack.graphql(`{ refund(id: "${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}") { id } }`);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'PROVIDER_AUTH_FAILED', provider: 'EFUNDPAY' });
    expect(stack.rawLogs.join('\n')).not.toContain('PRIVATE KEY');
  });
});

describe('credentials a provider refuses', () => {
  const WRONG_WOOSHPAY_KEY = 'sk_test_wrongwrongwrong0000';
  const WRONG_EFUNDPAY_KEY = 'efundpay_wrong_key_zz99';

  it('answers PROVIDER_AUTH_FAILED per provider, without retrying and without leaking the keys', async () => {
    const stack = await stackWith({
      env: { WOOSHPAY_SECRET_KEY: WRONG_WOOSHPAY_KEY, EFUNDPAY_API_KEY: WRONG_EFUNDPAY_KEY },
    });
    const { status, body } = await stack.graphql(BOTH_QUERY);
    expect(status).toBe(200);
    expect(body.data).toEqual({ wooshpay: null, efundpay: null });
    expect(body.errors?.map((error) => [error.path, error.extensions])).toEqual(
      expect.arrayContaining([
        [['wooshpay'], { code: 'PROVIDER_AUTH_FAILED', provider: 'WOOSHPAY' }],
        [['efundpay'], { code: 'PROVIDER_AUTH_FAILED', provider: 'EFUNDPAY' }],
      ]),
    );
    expect(body.errors).toHaveLength(2);
    // A refused credential is not retried: retrying cannot fix it.
    expect(stack.simulators.wooshpay.requestCount(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toBe(1);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toBe(1);

    const everything = JSON.stringify(body) + stack.rawLogs.join('\n');
    for (const secret of [
      WRONG_WOOSHPAY_KEY,
      WRONG_EFUNDPAY_KEY,
      Buffer.from(`${WRONG_WOOSHPAY_KEY}:`).toString('base64'),
    ]) {
      expect(everything).not.toContain(secret);
    }
    // The operator learns which settings to check.
    expect(stack.logs.some((line) => String(line.msg).includes('WOOSHPAY_SECRET_KEY'))).toBe(true);
    expect(stack.logs.some((line) => String(line.msg).includes('EFUNDPAY_API_KEY'))).toBe(true);
  });
});
