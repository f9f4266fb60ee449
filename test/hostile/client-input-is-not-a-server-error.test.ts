/**
 * Client input is never reported as a server bug (issue 8, items 3–7), over real HTTP: an
 * operation type the schema lacks, entity representations with non-string key fields, JSON nested
 * 100,000 deep, and bidi or invisible characters in quoted input each get a client error (4xx, or
 * BAD_USER_INPUT at their own index), no error-level log line, no internal-error metric, no
 * provider call. Also: introspection and `_service.sdl` describe the scalars as schema.graphql does.
 */
import { readFileSync } from 'node:fs';
import { Kind, parse, type ScalarTypeDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';
import { useStack, type GraphQLResponse } from '../helpers/stack.js';

const W1 = WOOSHPAY_USD_SPEC_EXAMPLE.id;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Refund {
        id
      }
    }
  }
`;

/** `[[[…"x"…]]]`, `depth` arrays deep, as JSON text (built without recursion). */
const nestedArrayJson = (depth: number, inner = '"x"') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('client input is never an internal error', () => {
  const stack = useStack();

  async function post(body: string) {
    const response = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
  }

  async function internalErrorsCounted(): Promise<number> {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((row) => row.startsWith('refunds_graphql_errors_total{code="INTERNAL_SERVER_ERROR"}'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  function expectNoErrorLogSince(mark: number): void {
    const lines = stack.logs.slice(mark).filter((line) => line.level === 'error' || line.level === 'fatal');
    expect(lines, JSON.stringify(lines).slice(0, 2000)).toEqual([]);
  }

  it('answers a subscription over HTTP (served over WebSocket only) with BAD_REQUEST and HTTP 400', async () => {
    const mark = stack.logs.length;
    const before = await internalErrorsCounted();
    const response = await post(JSON.stringify({ query: 'subscription Watch { refundUpdated(id: "re_1") { id } }' }));

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        message:
          'Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql, not over HTTP',
        locations: [{ line: 1, column: 1 }],
        extensions: { code: 'BAD_REQUEST' },
      },
    ]);
    expectNoErrorLogSince(mark);
    expect(await internalErrorsCounted()).toBe(before);
    expect(stack.providerCalls()).toBe(0);
  });

  it('refuses a non-string id in a representation at its own index; its siblings still resolve', async () => {
    const response = await stack.graphql<{ _entities: Array<{ id: string } | null> }>(ENTITIES, {
      representations: [
        { __typename: 'Refund', id: [W1] },
        { __typename: 'Refund', id: W1 },
        { __typename: 'Refund', id: { toString: W1 } },
      ],
    });

    expect(response.status).toBe(200);
    expect(response.body.data?._entities).toEqual([null, { id: W1 }, null]);
    expect(response.body.errors).toEqual([
      {
        message: 'Invalid Refund key field id "[\\"wooshpay:re_1787731200000000001\\"]": expected a string',
        locations: expect.any(Array) as unknown,
        path: ['_entities', 0],
        extensions: { code: 'BAD_USER_INPUT' },
      },
      {
        message:
          'Invalid Refund key field id "{\\"toString\\":\\"wooshpay:re_1787731200000000001\\"}": expected a string',
        locations: expect.any(Array) as unknown,
        path: ['_entities', 2],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(stack.providerCalls()).toBe(1);
  });

  it.each([
    [
      'a provider in lower case',
      { provider: 'wooshpay', providerRefundId: 're_1787731200000000001' },
      'Invalid provider "wooshpay"',
    ],
    [
      'a provider in a list',
      { provider: ['WOOSHPAY'], providerRefundId: 're_1787731200000000001' },
      'Invalid provider "[\\"WOOSHPAY\\"]"',
    ],
    [
      'a numeric providerRefundId',
      { provider: 'EFUNDPAY', providerRefundId: 42 },
      'Invalid providerRefundId "42": expected a string',
    ],
    ['no key at all', { status: 'SUCCEEDED' }, 'A Refund representation needs a key'],
  ])('refuses %s at its own index with BAD_USER_INPUT', async (_name, fields, message) => {
    const response = await stack.graphql<{ _entities: unknown[] }>(ENTITIES, {
      representations: [
        { __typename: 'Refund', id: W1 },
        { __typename: 'Refund', ...fields },
      ],
    });

    expect(response.body.data?._entities).toEqual([{ id: W1 }, null]);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]).toMatchObject({ path: ['_entities', 1], extensions: { code: 'BAD_USER_INPUT' } });
    expect(response.body.errors?.[0]?.message).toContain(message);
    expect(stack.providerCalls()).toBe(1);
  });

  it('answers a __typename nested 100,000 arrays deep with HTTP 400, not a stack overflow', async () => {
    const mark = stack.logs.length;
    const body = `{"query":${JSON.stringify(ENTITIES)},"variables":{"representations":[{"__typename":${nestedArrayJson(100_000)},"id":"re_1"}]}}`;
    const response = await post(body);

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { message: "The request's JSON nests deeper than 64 levels", extensions: { code: 'BAD_REQUEST' } },
    ]);
    expectNoErrorLogSince(mark);
    expect(stack.providerCalls()).toBe(0);
  });

  it('refuses JSON nested too deep in a GET request too', async () => {
    const url = new URL(`${stack.url}/graphql`);
    url.searchParams.set('query', ENTITIES);
    url.searchParams.set('variables', `{"representations":[{"__typename":${nestedArrayJson(2000)}}]}`);
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: "The request's JSON nests deeper than 64 levels", extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('quotes a __typename nested just under the JSON limit without overflowing, as bad input', async () => {
    const mark = stack.logs.length;
    const body = `{"query":${JSON.stringify(ENTITIES)},"variables":{"representations":[{"__typename":${nestedArrayJson(60)}}]}}`;
    const response = await post(body);

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        message:
          '_entities representation 0 must be an object with __typename "Refund" or "Payment", the only entities this subgraph resolves; received "[[[[[…]]]]]"',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expectNoErrorLogSince(mark);
  });

  it('shows bidi, zero-width and other invisible characters of quoted input as \\uXXXX', async () => {
    const id = 're_1\u202e2\u200b3\u2066\ufeff\u00a0\u2028\u0007';
    const response = await stack.graphql('query ($id: ID!) { refund(id: $id) { id } }', { id });

    const error = response.body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toContain('"re_1\\u202E2\\u200B3\\u2066\\uFEFF\\u00A0\\u2028\\u0007"');
    // eslint-disable-next-line no-control-regex -- a control character (BEL) is what this looks for
    expect(error?.message).not.toMatch(/[\u202e\u200b\u2066\ufeff\u00a0\u2028\u0007]/);
    expect(stack.rawLogs.join('\n')).not.toMatch(/[\u202e\u200b\u2066\ufeff\u2028]/);
  });

  it("escapes graphql's and Apollo's own echoes of client input too: variable values and operation names", async () => {
    const mark = stack.logs.length;
    const coercion = await stack.graphql('query ($flag: Boolean!) { __typename @skip(if: $flag) }', {
      flag: 'yes\u202eon',
    });
    expect(coercion.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(coercion.body.errors?.[0]?.message).toContain('yes\\u202Eon');

    const response = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B\u202eA\u200b' }),
    });
    const body = (await response.json()) as GraphQLResponse['body'];
    expect(body.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(body.errors?.[0]?.message).toContain('B\\u202EA\\u200B');

    const text = JSON.stringify([coercion.body, body]) + stack.rawLogs.slice(mark).join('\n');
    expect(text).not.toMatch(/[\u202e\u200b]/);
    expect(stack.logs.slice(mark).some((line) => line.operationName === 'B\\u202EA\\u200B')).toBe(true);
  });

  it('describes DateTime and SafeInt as schema.graphql does, in introspection and in _service.sdl alike', async () => {
    const contract = readFileSync('schema.graphql', 'utf8');
    const descriptionOf = (sdl: string, scalar: string) =>
      parse(sdl).definitions.find(
        (definition): definition is ScalarTypeDefinitionNode =>
          definition.kind === Kind.SCALAR_TYPE_DEFINITION && definition.name.value === scalar,
      )?.description?.value;

    const response = await stack.graphql<{
      dateTime: { description: string };
      safeInt: { description: string };
      _service: { sdl: string };
    }>(
      '{ dateTime: __type(name: "DateTime") { description } safeInt: __type(name: "SafeInt") { description } _service { sdl } }',
    );

    const sdl = response.body.data!._service.sdl;
    for (const [scalar, introspected] of [
      ['DateTime', response.body.data!.dateTime.description],
      ['SafeInt', response.body.data!.safeInt.description],
    ] as const) {
      const expected = descriptionOf(contract, scalar);
      expect(expected).toBeTruthy();
      expect(introspected).toBe(expected);
      expect(descriptionOf(sdl, scalar)).toBe(expected);
    }
    expect(response.body.data!.dateTime.description).toContain('millisecond precision');
  });
});
