/**
 * Who may search, with a real JWKS on loopback: with AUTH_JWKS_URL set, refundSearch and
 * refundSummary need a verified JWT carrying `refunds:read` (the verifier createRefund uses); no
 * token is UNAUTHENTICATED, a token without the scope FORBIDDEN. Without AUTH_JWKS_URL outside
 * production (the sandbox) anyone may search.
 */
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, useLocalJwks } from '../helpers/local-jwks.js';
import { useStack, type Stack } from '../helpers/stack.js';

const jwks = useLocalJwks();
const bearer = async (scope: string) => `Bearer ${await jwks.token({ scope, sub: 'analyst-7' })}`;

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
        return jwks.url();
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
