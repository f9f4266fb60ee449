/**
 * A JSON Web Key Set served on loopback for the tests of who may call what (AUTH_JWKS_URL), and
 * tokens signed with its key, or with a key it does not publish. Started before the calling test
 * file's tests, stopped after them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll } from 'vitest';

export const ISSUER = 'https://auth.test.example';
export const AUDIENCE = 'refunds-subgraph';
const KID = 'test-key-1';

export interface LocalJwks {
  /** The key set's URL, for AUTH_JWKS_URL (known once the file's tests start). */
  url(): string;
  /** A token for ISSUER and AUDIENCE, valid for five minutes, signed with the published key unless `key` says otherwise. */
  token(
    claims: JWTPayload,
    options?: { key?: 'published' | 'stranger'; expiresIn?: string; audience?: string },
  ): Promise<string>;
}

export function useLocalJwks(): LocalJwks {
  let server: Server | undefined;
  let url = '';
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    const jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    });
    server = jwks;
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });
  return {
    url: () => url,
    token: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: KID })
        .setIssuer(ISSUER)
        .setAudience(options.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.key === 'stranger' ? strangerKey : signingKey),
  };
}
