/**
 * Operation limits, over real HTTP: every oversized request is refused before any provider call,
 * with BAD_USER_INPUT (our limits), graphql-armor's GRAPHQL_VALIDATION_FAILED (depth, aliases,
 * directives) or graphql's GRAPHQL_PARSE_FAILED (tokens);
 * oversized bodies get HTTP 413 and malformed JSON HTTP 400.
 */
import { describe, expect, it } from 'vitest';
import { useStack, type GraphQLResponse } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_EUR_PENDING,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

/** Distinct, valid WooshPay ids (most are not in the seed: a null, but still one provider GET each). */
const wooshPayIds = (count: number, from = 0) => Array.from({ length: count }, (_, index) => `re_limit${from + index}`);

const REFUNDS = /* GraphQL */ `
  query Refunds($ids: [ID!]!) {
    refunds(ids: $ids) {
      id
    }
  }
`;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Refund {
        id
      }
    }
  }
`;

function onlyError(response: GraphQLResponse): { message: string; extensions?: Record<string, unknown> } {
  const errors = response.body.errors ?? [];
  expect(errors, JSON.stringify(errors).slice(0, 2000)).toHaveLength(1);
  return errors[0]!;
}

describe('operation limits', () => {
  const stack = useStack();

  async function postRaw(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
    const response = await fetch(`${stack.url}/graphql`, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as GraphQLResponse['body'] };
  }

  it('serves exactly MAX_REFUNDS_PER_OPERATION (100) ids in one refunds', async () => {
    const response = await stack.graphql<{ refunds: unknown[] }>(REFUNDS, { ids: wooshPayIds(100) });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.refunds).toHaveLength(100);
    expect(stack.providerCalls()).toBe(100);
  });

  it('refuses 101 ids in refunds with BAD_USER_INPUT and no provider call', async () => {
    const response = await stack.graphql(REFUNDS, { ids: wooshPayIds(101) });
    const error = onlyError(response);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe('refunds accepts at most 100 ids, received 101');
    expect(response.body.data ?? null).toBeNull();
    expect(stack.providerCalls()).toBe(0);
  });

  it('counts distinct refunds only: 300 ids naming 3 refunds through both id forms are fine', async () => {
    const named = [WOOSHPAY_USD_SPEC_EXAMPLE, WOOSHPAY_EUR_PENDING, EFUNDPAY_EUR_DOCS_EXAMPLE];
    // Three fields of 100 ids (the most one field takes), each naming the three refunds in turn,
    // by the provider's own id and by the global id alternately.
    const field = (offset: number) =>
      Array.from({ length: 100 }, (_, index) => {
        const refund = named[(index + offset) % named.length]!;
        return Math.floor(index / named.length) % 2 === 0 ? refund.providerRefundId : refund.id;
      });
    const fields = [field(0), field(1), field(2)];
    expect(new Set(fields.flat()).size).toBe(6); // 3 refunds, 2 forms each
    const response = await stack.graphql<Record<string, Array<{ id: string }>>>(
      `query ($a: [ID!]!, $b: [ID!]!, $c: [ID!]!) { a: refunds(ids: $a) { id } b: refunds(ids: $b) { id } c: refunds(ids: $c) { id } }`,
      { a: fields[0], b: fields[1], c: fields[2] },
    );
    expect(response.body.errors).toBeUndefined();
    const answered = (ids: string[]) =>
      ids.map((id) => ({ id: named.find((refund) => id.endsWith(refund.providerRefundId))!.id }));
    expect(response.body.data).toEqual({ a: answered(fields[0]!), b: answered(fields[1]!), c: answered(fields[2]!) });
    expect(stack.simulators.wooshpay.requestCount()).toBe(2);
    expect(stack.simulators.efundpay.requestCount()).toBe(1);
  });

  it('refuses more than 100 distinct refunds through aliases', async () => {
    const fields = wooshPayIds(101).map((id, index) => `r${index}: refund(id: "${id}") { id }`);
    const response = await stack.graphql(`query { ${fields.join(' ')} }`);
    const error = onlyError(response);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('asks for 101 distinct refunds; at most 100 are allowed per operation');
    expect(stack.providerCalls()).toBe(0);
  });

  it('refuses more than 100 distinct refunds spread over two refunds fields and a fragment', async () => {
    const query = `
      query Split($first: [ID!]!) { first: refunds(ids: $first) { id } ...More }
      fragment More on Query { second: refunds(ids: ${JSON.stringify(wooshPayIds(51, 50))}) { id } ... on Query { refund(id: "re_other") { id } } }
    `;
    const response = await stack.graphql(query, { first: wooshPayIds(50) });
    const error = onlyError(response);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('asks for 102 distinct refunds');
    expect(stack.providerCalls()).toBe(0);
  });

  it('refuses more than 100 distinct refunds through _entities, in either key shape', async () => {
    const representations = wooshPayIds(101).map((id, index) =>
      index % 2 === 0
        ? { __typename: 'Refund', id }
        : { __typename: 'Refund', provider: 'WOOSHPAY', providerRefundId: id },
    );
    const response = await stack.graphql(ENTITIES, { representations });
    const error = onlyError(response);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('asks for 101 distinct refunds');
    expect(stack.providerCalls()).toBe(0);
  });

  it('accepts 500 representations of few refunds, but refuses 501 representations', async () => {
    const few = wooshPayIds(10);
    const representations = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ __typename: 'Refund', id: few[index % few.length] }));

    const ok = await stack.graphql<{ _entities: unknown[] }>(ENTITIES, { representations: representations(500) });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?._entities).toHaveLength(500);
    expect(stack.providerCalls()).toBe(10);

    stack.resetCounters();
    const refused = await stack.graphql(ENTITIES, { representations: representations(501) });
    const error = onlyError(refused);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe('_entities accepts at most 500 representations, received 501');
    expect(stack.providerCalls()).toBe(0);
  });

  it('refuses a body over 1 MB with HTTP 413', async () => {
    const body = JSON.stringify({ query: REFUNDS, variables: { ids: ['re_1'] }, padding: 'x'.repeat(1_048_576) });
    const response = await postRaw(body);
    expect(response.status).toBe(413);
    expect(response.json().errors?.[0]).toMatchObject({
      message: 'The request body is too large',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(stack.providerCalls()).toBe(0);
  });

  it('refuses malformed JSON with HTTP 400', async () => {
    const response = await postRaw('{"query": "{ refund(id: \\"re_1\\") { id } }"');
    expect(response.status).toBe(400);
    expect(response.json().errors?.[0]).toMatchObject({
      message: 'The request body is not valid JSON',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(stack.providerCalls()).toBe(0);
  });

  describe('query shape', () => {
    /** A selection nested `levels` deep through inline fragments, which graphql-armor counts as depth. */
    const nested = (levels: number): string => (levels === 0 ? 'id' : `... on Refund { ${nested(levels - 1)} }`);

    it("refuses a query deeper than MAX_QUERY_DEPTH (10), with graphql-armor's code", async () => {
      const ok = await stack.graphql(
        `query { refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { ${nested(8)} } }`,
      );
      expect(ok.body.errors).toBeUndefined();
      stack.resetCounters();

      const response = await stack.graphql(
        `query { refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { ${nested(9)} } }`,
      );
      expect(response.status).toBe(400);
      const error = onlyError(response);
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toBe('Syntax Error: Query depth limit of 10 exceeded, found 11.');
      expect(stack.providerCalls()).toBe(0);
    });

    it('refuses more aliases than MAX_QUERY_ALIASES (120), even for one refund', async () => {
      const fields = Array.from(
        { length: 121 },
        (_, index) => `a${index}: refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { id }`,
      );
      const response = await stack.graphql(`query { ${fields.join(' ')} }`);
      expect(response.status).toBe(400);
      const error = onlyError(response);
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toBe('Syntax Error: Aliases limit of 120 exceeded, found 121.');
      expect(stack.providerCalls()).toBe(0);
    });

    it('refuses more tokens than MAX_QUERY_TOKENS (5000) with HTTP 400, before parsing the rest', async () => {
      // Short tokens, so the document stays under MAX_DOCUMENT_BYTES (32 KB) and reaches the parser.
      const ids = Array.from({ length: 6000 }, () => '"a"').join(' ');
      const response = await stack.graphql(`query { refunds(ids: [${ids}]) { id } }`);
      expect(response.status).toBe(400);
      const error = onlyError(response);
      expect(error.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(error.message).toMatch(/contains more tha. 5000 tokens/);
      expect(stack.providerCalls()).toBe(0);
    });

    it('refuses more than 50 directives', async () => {
      const fields = Array.from({ length: 51 }, (_, index) => `f${index}: __typename @include(if: true)`);
      const response = await stack.graphql(`query { ${fields.join(' ')} }`);
      expect(response.status).toBe(400);
      const error = onlyError(response);
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toBe('Syntax Error: Directives limit of 50 exceeded, found 51.');
    });

    it('lets a full-contract query through', async () => {
      const response = await stack.graphql(
        `query { refund(id: "${WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId}") { id amount { decimal } details { __typename ... on WooshPayRefundDetails { metadata { key value } } } } }`,
      );
      expect(response.body.errors).toBeUndefined();
    });
  });
});
