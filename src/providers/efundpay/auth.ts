/**
 * efundpay bearer credentials: either a static API key, or an RS512 JWT minted from a key id and
 * the merchant's RSA private key with the claims of efundpay's official SDK. A minted token is
 * reused until a minute before it expires; concurrent callers share one signing.
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { EfundpayAuthConfig } from './settings.js';

const TOKEN_LIFETIME_S = 60 * 60;
const NOT_BEFORE_SKEW_S = 60;
const RENEW_BEFORE_EXPIRY_S = 60;

export interface EfundpayJwtClaims {
  readonly keyId: string;
  readonly merchantAccountId: string;
  readonly scopes: readonly string[];
}

/** Signs one token: header `{typ: JWT, alg: RS512, kid}`; claims iss, iat, nbf, exp, jti, scopes, merchantId. */
export async function mintEfundpayJwt(privateKey: KeyObject, claims: EfundpayJwtClaims, nowS: number): Promise<string> {
  return new SignJWT({ scopes: [...claims.scopes], merchantId: claims.merchantAccountId })
    .setProtectedHeader({ typ: 'JWT', alg: 'RS512', kid: claims.keyId })
    .setIssuer('refunds-subgraph')
    .setIssuedAt(nowS)
    .setNotBefore(nowS - NOT_BEFORE_SKEW_S)
    .setExpirationTime(nowS + TOKEN_LIFETIME_S)
    .setJti(randomUUID())
    .sign(privateKey);
}

/** Resolves the bearer value for the next request. */
export type BearerSource = () => Promise<string>;

export function createEfundpayBearer(
  auth: EfundpayAuthConfig,
  merchantAccountId: string,
  now: () => number = () => Math.floor(Date.now() / 1000),
  /** `transactions.read`, plus `transactions.write` when refunds are enabled. */
  scopes: readonly string[] = ['transactions.read'],
): BearerSource {
  if (auth.kind === 'api-key') {
    const token = auth.apiKey;
    return async () => token;
  }
  // Parsed once, synchronously: a broken key fails at start, not on the first request.
  const privateKey = createPrivateKey(auth.privateKeyPem);
  const claims: EfundpayJwtClaims = { keyId: auth.keyId, merchantAccountId, scopes };
  let cached: { token: Promise<string>; renewAt: number } | null = null;
  return async () => {
    const nowS = now();
    if (cached === null || nowS >= cached.renewAt) {
      const token = mintEfundpayJwt(privateKey, claims, nowS);
      const entry = { token, renewAt: nowS + TOKEN_LIFETIME_S - RENEW_BEFORE_EXPIRY_S };
      cached = entry;
      token.catch(() => {
        if (cached === entry) cached = null;
      });
    }
    return cached.token;
  };
}
