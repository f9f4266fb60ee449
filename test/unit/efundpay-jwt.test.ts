/**
 * efundpay bearer credentials. A minted token must be exactly what efundpay's SDK sends (RS512,
 * typ/kid header, iss/iat/nbf/exp/jti/scopes/merchantId) and verify with the merchant's public
 * key; it is reused until shortly before it expires, then replaced. A static API key is sent as is.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { createEfundpayBearer, mintEfundpayJwt } from '../../src/providers/efundpay/auth.js';

const KEY_ID = 'd757c76a-cbd7-4b56-95a3-40125b51b29c';
const NOW_S = 1_714_030_274;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS8_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PKCS1_PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

/** Verifies as efundpay would, with the clock at `atS`: signature, RS512 only, nbf and exp. */
async function verify(token: string, atS: number, key: KeyObject = publicKey): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, key, { algorithms: ['RS512'], currentDate: new Date(atS * 1000) });
  return payload;
}

/** A clock the test moves by hand. */
function manualClock(startS: number) {
  let nowS = startS;
  return { now: () => nowS, set: (s: number) => (nowS = s) };
}

describe('mintEfundpayJwt', () => {
  it('signs RS512 with the header efundpay expects', async () => {
    const token = await mintEfundpayJwt(
      privateKey,
      { keyId: KEY_ID, merchantAccountId: 'default', scopes: ['transactions.read'] },
      NOW_S,
    );
    expect(decodeProtectedHeader(token)).toEqual({ typ: 'JWT', alg: 'RS512', kid: KEY_ID });
  });

  it('carries the SDK claims: iss, iat, nbf = iat - 60, exp = iat + 3600, jti, scopes, merchantId', async () => {
    const token = await mintEfundpayJwt(
      privateKey,
      { keyId: KEY_ID, merchantAccountId: 'acme-eu', scopes: ['transactions.read'] },
      NOW_S,
    );
    const payload = await verify(token, NOW_S);
    expect(payload).toEqual({
      iss: expect.any(String) as unknown,
      iat: NOW_S,
      nbf: NOW_S - 60,
      exp: NOW_S + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      scopes: ['transactions.read'],
      merchantId: 'acme-eu',
    });
    expect(payload.iss).not.toBe('');
  });

  it('gives every token its own jti', async () => {
    const claims = { keyId: KEY_ID, merchantAccountId: 'default', scopes: ['transactions.read'] };
    const tokens = await Promise.all(Array.from({ length: 5 }, () => mintEfundpayJwt(privateKey, claims, NOW_S)));
    const jtis = await Promise.all(tokens.map(async (token) => (await verify(token, NOW_S)).jti));
    expect(new Set(jtis).size).toBe(5);
  });

  it('does not verify with another key pair', async () => {
    const token = await mintEfundpayJwt(
      privateKey,
      { keyId: KEY_ID, merchantAccountId: 'default', scopes: ['transactions.read'] },
      NOW_S,
    );
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    await expect(verify(token, NOW_S, other)).rejects.toThrow(/signature verification failed/);
  });

  it('is accepted from 60 s before iat (clock skew) until exp, and refused after', async () => {
    const token = await mintEfundpayJwt(
      privateKey,
      { keyId: KEY_ID, merchantAccountId: 'default', scopes: ['transactions.read'] },
      NOW_S,
    );
    await expect(verify(token, NOW_S - 60)).resolves.toBeDefined();
    await expect(verify(token, NOW_S - 61)).rejects.toThrow(/"nbf" claim/);
    await expect(verify(token, NOW_S + 3599)).resolves.toBeDefined();
    await expect(verify(token, NOW_S + 3600)).rejects.toThrow(/"exp" claim/);
  });
});

describe('createEfundpayBearer', () => {
  it('sends a static API key as it is, and signs nothing', async () => {
    const bearer = createEfundpayBearer({ kind: 'api-key', apiKey: 'sk_test_efundpay_key' }, 'default');
    expect(await bearer()).toBe('sk_test_efundpay_key');
    expect(await bearer()).toBe('sk_test_efundpay_key');
  });

  it('mints a JWT for the configured key id and merchant account with the transactions.read scope', async () => {
    const clock = manualClock(NOW_S);
    const bearer = createEfundpayBearer({ kind: 'jwt', keyId: KEY_ID, privateKeyPem: PKCS8_PEM }, 'acme-eu', clock.now);
    const token = await bearer();
    expect(decodeProtectedHeader(token).kid).toBe(KEY_ID);
    expect(await verify(token, NOW_S)).toMatchObject({
      iat: NOW_S,
      scopes: ['transactions.read'],
      merchantId: 'acme-eu',
    });
  });

  it('accepts a PKCS#1 (BEGIN RSA PRIVATE KEY) PEM as well as PKCS#8', async () => {
    const bearer = createEfundpayBearer(
      { kind: 'jwt', keyId: KEY_ID, privateKeyPem: PKCS1_PEM },
      'default',
      () => NOW_S,
    );
    expect(await verify(await bearer(), NOW_S)).toMatchObject({ merchantId: 'default' });
  });

  it('reuses one token until a minute before it expires, then mints a fresh one', async () => {
    const clock = manualClock(NOW_S);
    const bearer = createEfundpayBearer({ kind: 'jwt', keyId: KEY_ID, privateKeyPem: PKCS8_PEM }, 'default', clock.now);
    const first = await bearer();

    clock.set(NOW_S + 1800);
    expect(await bearer()).toBe(first);
    clock.set(NOW_S + 3539);
    const lastReuse = await bearer();
    expect(lastReuse).toBe(first);
    // Still valid when reused for the last time: efundpay would accept it.
    await expect(verify(lastReuse, NOW_S + 3539)).resolves.toBeDefined();

    clock.set(NOW_S + 3540);
    const renewed = await bearer();
    expect(renewed).not.toBe(first);
    const payload = await verify(renewed, NOW_S + 3540);
    expect(payload.iat).toBe(NOW_S + 3540);
    expect(payload.exp).toBe(NOW_S + 3540 + 3600);
    expect(payload.jti).not.toBe((await verify(first, NOW_S)).jti);

    clock.set(NOW_S + 3541);
    expect(await bearer()).toBe(renewed);
  });

  it('shares one signing between concurrent callers', async () => {
    const bearer = createEfundpayBearer(
      { kind: 'jwt', keyId: KEY_ID, privateKeyPem: PKCS8_PEM },
      'default',
      () => NOW_S,
    );
    const tokens = await Promise.all(Array.from({ length: 10 }, () => bearer()));
    expect(new Set(tokens).size).toBe(1);
  });

  it('fails at creation, not on the first request, when the private key is not a key', () => {
    const broken = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n';
    expect(() => createEfundpayBearer({ kind: 'jwt', keyId: KEY_ID, privateKeyPem: broken }, 'default')).toThrow();
  });
});
