/**
 * GraphQL over HTTP has two fronts: plain node:http for what src/server/http/graphql-http.ts takes
 * (POST with a plain JSON body, GET from a non-browser), express and body-parser for the rest
 * (here: a gzip-encoded body). Both answer the same request the same way, the router secret,
 * body limits, malformed JSON, guards and subscriptions included.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useStack } from '../helpers/stack.js';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const SECRET = 'router-secret-for-the-graphql-http-test';
const QUERY = `query One($id: ID!) { refund(id: $id) { id status } }`;

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
  readonly lean: boolean;
}

describe('GraphQL over HTTP: the lean front and express answer alike', () => {
  const stack = useStack({ env: { ROUTER_SECRET: SECRET, MAX_BODY_BYTES: '4096', MAX_DOCUMENT_BYTES: '2048' } });

  /** POSTs `text` as it is (lean) and gzip-encoded (express), with the router secret unless `secret` is null. */
  async function both(text: string, secret: string | null = SECRET): Promise<[Answer, Answer]> {
    const send = async (encoded: boolean): Promise<Answer> => {
      const response = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(encoded ? { 'content-encoding': 'gzip' } : {}),
          ...(secret === null ? {} : { 'router-authorization': secret }),
        },
        body: encoded ? gzipSync(text) : text,
      });
      const raw = await response.text();
      // Express's res.send adds an ETag; the lean front sends none.
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: JSON.parse(raw) as unknown,
        lean: response.headers.get('etag') === null,
      };
    };
    const lean = await send(false);
    const viaExpress = await send(true);
    expect(lean.lean, 'a plain JSON body is answered by the lean front').toBe(true);
    expect(viaExpress.lean, 'an encoded body is answered by express').toBe(false);
    return [lean, viaExpress];
  }

  const same = ([lean, viaExpress]: [Answer, Answer]) => {
    expect({ ...lean, lean: undefined }).toEqual({ ...viaExpress, lean: undefined });
    return lean;
  };

  it('answers a query the same, with Content-Length', async () => {
    const body = JSON.stringify({ query: QUERY, variables: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id } });
    const answer = same(await both(body));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { refund: { id: WOOSHPAY_USD_SPEC_EXAMPLE.id, status: 'SUCCEEDED' } } });
    const response = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'router-authorization': SECRET },
      body,
    });
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(await response.text()));
  });

  it('refuses a request without the router secret with 401 and the same body', async () => {
    const answer = same(await both(JSON.stringify({ query: '{ __typename }' }), null));
    expect(answer.status).toBe(401);
  });

  it('refuses a body over MAX_BODY_BYTES with 413, malformed JSON and non-object JSON with 400', async () => {
    const large = same(await both(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(5000) })));
    expect(large).toMatchObject({
      status: 413,
      body: { errors: [{ message: 'The request body is too large', extensions: { code: 'BAD_REQUEST' } }] },
    });
    for (const text of ['{"query": "{ __typename }"', '"a string"', ' 42', 'null']) {
      const malformed = same(await both(text));
      expect(malformed, text).toMatchObject({
        status: 400,
        body: { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] },
      });
    }
  });

  it("answers an empty body, a document over MAX_DOCUMENT_BYTES, deep JSON and a subscription with Apollo's or the guards' 4xx", async () => {
    const cases = [
      '',
      '  ',
      JSON.stringify({ query: `{ __typename } # ${'x'.repeat(2100)}` }),
      `{"query":"{ __typename }","variables":{"v":${'['.repeat(70)}${']'.repeat(70)}}}`,
      JSON.stringify({ query: 'subscription { refundUpdated(id: "re_1") { id } }' }),
      JSON.stringify([{ query: '{ __typename }' }]),
    ];
    for (const text of cases) {
      const answer = same(await both(text));
      expect(answer.status, text.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(answer.status, text.slice(0, 80)).toBeLessThan(500);
    }
  });

  it('answers a GET query from a non-browser client on the lean front, and leaves a browser to express', async () => {
    const url = `${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const client = await fetch(url, { headers: { 'router-authorization': SECRET, 'apollo-require-preflight': '1' } });
    expect(client.status).toBe(200);
    expect(client.headers.get('etag')).toBeNull();
    expect(await client.json()).toEqual({ data: { __typename: 'Query' } });
    const browser = await fetch(url, {
      headers: { 'router-authorization': SECRET, accept: 'text/html', 'apollo-require-preflight': '1' },
    });
    expect(browser.headers.get('etag')).not.toBeNull();
  });
});
