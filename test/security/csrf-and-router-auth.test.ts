/**
 * Who may reach /graphql: Apollo's CSRF prevention stays on (a browser's "simple" request is
 * refused before anything runs), and with ROUTER_SECRET set only requests carrying the matching
 * `Router-Authorization` header get through; the health endpoints stay open.
 */
import { describe, expect, it } from 'vitest';
import { useStack } from '../helpers/stack.js';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const QUERY = `{ refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { id } }`;
const ROUTER_SECRET = 'router-secret-for-tests-0123456789abcdef';

async function post(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as {
      data?: unknown;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    },
  };
}

describe('CSRF prevention', () => {
  const stack = useStack();

  it('refuses a GET without a preflight-forcing header', async () => {
    const response = await fetch(`${stack.url}/graphql?query=${encodeURIComponent(QUERY)}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toContain('Cross-Site Request Forgery');
    expect(stack.providerCalls()).toBe(0);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses a simple POST with content-type %s',
    async (contentType) => {
      const response = await post(stack.url, { 'content-type': contentType }, JSON.stringify({ query: QUERY }));
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect(stack.providerCalls()).toBe(0);
    },
  );

  it('refuses a POST without any content-type', async () => {
    const response = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      body: new Blob([JSON.stringify({ query: QUERY })]),
    });
    expect(response.status).toBe(400);
    expect(stack.providerCalls()).toBe(0);
  });

  it('serves a GET with apollo-require-preflight, and a JSON POST', async () => {
    const get = await fetch(`${stack.url}/graphql?query=${encodeURIComponent(QUERY)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { refund: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id } } });

    const json = await post(stack.url, { 'content-type': 'application/json' }, JSON.stringify({ query: QUERY }));
    expect(json.status).toBe(200);
    expect(json.body.data).toEqual({ refund: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id } });
  });

  it('refuses a mutation over GET with 405 (GET is for queries only)', async () => {
    const response = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('mutation { __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(405);
  });
});

describe('ROUTER_SECRET', () => {
  const stack = useStack({ env: { ROUTER_SECRET } });

  const json = { 'content-type': 'application/json' };

  it.each([
    ['no header', {}],
    ['a wrong secret of the same length', { 'router-authorization': ROUTER_SECRET.replace(/.$/, 'X') }],
    ['a prefix of the secret', { 'router-authorization': ROUTER_SECRET.slice(0, 16) }],
    ['the secret plus a suffix', { 'router-authorization': `${ROUTER_SECRET}x` }],
    ['the secret with a Bearer scheme', { 'router-authorization': `Bearer ${ROUTER_SECRET}` }],
    ['the secret in Authorization instead', { authorization: ROUTER_SECRET }],
    ['an empty header', { 'router-authorization': '' }],
  ])('answers 401 to a GraphQL request with %s, before any work', async (_name, headers) => {
    const response = await post(stack.url, { ...json, ...headers }, JSON.stringify({ query: QUERY }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Router-Authorization');
    expect(response.body.errors).toEqual([
      {
        message: 'This subgraph only answers the router: send the Router-Authorization header',
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(stack.providerCalls()).toBe(0);
  });

  it('checks the secret before reading the body: an oversized body without it is 401, not 413', async () => {
    const response = await post(stack.url, json, JSON.stringify({ query: QUERY, padding: 'x'.repeat(1_100_000) }));
    expect(response.status).toBe(401);
  });

  it('serves GraphQL with the matching Router-Authorization header', async () => {
    const response = await post(
      stack.url,
      { ...json, 'router-authorization': ROUTER_SECRET },
      JSON.stringify({ query: QUERY }),
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ refund: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id } });
    expect(stack.providerCalls()).toBe(1);
  });

  it('keeps the health endpoints open', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      const response = await fetch(`${stack.url}${path}`);
      expect(response.status, path).toBe(200);
    }
  });

  it('never logs the secret', async () => {
    await post(stack.url, { ...json, 'router-authorization': ROUTER_SECRET }, JSON.stringify({ query: QUERY }));
    await post(
      stack.url,
      { ...json, 'router-authorization': 'wrong-secret-0123456789' },
      JSON.stringify({ query: QUERY }),
    );
    expect(stack.rawLogs.join('\n')).not.toContain(ROUTER_SECRET);
    expect(stack.rawLogs.join('\n')).not.toContain('wrong-secret-0123456789');
  });
});
