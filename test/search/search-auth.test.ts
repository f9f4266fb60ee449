/**
 * Who may search, with a real JWKS on loopback: with AUTH_JWKS_URL set, refundSearch and
 * refundSummary need a verified JWT carrying `refunds:read` (the verifier createRefund uses); no
 * token is UNAUTHENTICATED, a token without the scope FORBIDDEN. Without AUTH_JWKS_URL outside
 * production (the sandbox) anyone may search.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useStack, type Stack } from '../helpers/stack.js';

const ISSUER = 'https://auth.test.example';
const AUDIENCE = 'refunds-subgraph';

let jwks: Server;
let jwksUrl: string;
let signingKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise((resolve) => jwks?.close(resolve));
});

const bearer = async (scope: string) =>
  `Bearer ${await new SignJWT({ scope, sub: 'analyst-7' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signingKey)}`;

const SEARCH = '{ refundSearch(first: 5) { nodes { id } } }';
const SUMMARY = '{ refundSummary(groupBy: [PROVIDER]) { provider count } }';

async function codes(stack: Stack, query: string, authorization?: string) {
  const { body, headers } = await stack.graphql(query, {}, authorization === undefined ? {} : { authorization });
  return {
    codes: (body.errors ?? []).map((error) => error.extensions?.code),
    data: body.data,
    cacheControl: headers.get('cache-control'),
  };
}

describe('refund search with AUTH_JWKS_URL', () => {
  const stack = useStack({
    env: {
      get AUTH_JWKS_URL() {
        return jwksUrl;
      },
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    },
  });

  it.each([SEARCH, SUMMARY])('refuses %s without a token: UNAUTHENTICATED', async (query) => {
    const answer = await codes(stack, query);
    expect(answer.codes).toEqual(['UNAUTHENTICATED']);
    expect(answer.data).toBeNull();
    expect(answer.cacheControl).toBe('private, no-store');
  });

  it.each([SEARCH, SUMMARY])('refuses %s with a token without refunds:read: FORBIDDEN', async (query) => {
    const answer = await codes(stack, query, await bearer('refunds:write'));
    expect(answer.codes).toEqual(['FORBIDDEN']);
  });

  it.each([SEARCH, SUMMARY])('answers %s with refunds:read', async (query) => {
    const answer = await codes(stack, query, await bearer('openid refunds:read'));
    expect(answer.codes).toEqual([]);
    expect(answer.data).not.toBeNull();
  });
});

describe('refund search in the sandbox (no AUTH_JWKS_URL)', () => {
  const stack = useStack();

  it.each([SEARCH, SUMMARY])('answers %s without a token', async (query) => {
    const answer = await codes(stack, query);
    expect(answer.codes).toEqual([]);
  });
});
