/**
 * Bounded work per operation and per document (issue 8, items 1–2), over real HTTP: the
 * `Refund` objects one operation resolves are counted with repeats and aliases, and refused
 * before execution past MAX_REFUNDS_RESOLVED_PER_OPERATION (1,000); a document's source, comments
 * included, is refused before parsing past MAX_DOCUMENT_BYTES (32 KB). The README's examples pass.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WOOSHPAY_USD_SPEC_EXAMPLE } from '../fixtures/sandbox-refunds.js';
import { useStack } from '../helpers/stack.js';

const W1 = WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId;

describe('work limits', () => {
  const stack = useStack();

  async function post(body: unknown) {
    const response = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
  }

  /** `aliases` aliases of `refunds(ids: $ids)`. */
  const aliased = (aliases: number) =>
    `query Amplify($ids: [ID!]!) { ${Array.from({ length: aliases }, (_, index) => `a${index}: refunds(ids: $ids) { id providerStatus amount { minorUnits currencyCode decimal } }`).join(' ')} }`;

  it("refuses the review's amplification: 120 aliases of refunds with 100 copies of one id", async () => {
    const response = await stack.graphql(aliased(120), { ids: Array.from({ length: 100 }, () => W1) });

    expect(response.status).toBe(400);
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors).toEqual([
      {
        message:
          'This operation would resolve 12000 Refund objects (repeated ids and aliases count each time), 11000 more than the limit of 1000 per operation; ask for each refund once, or split the operation',
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(stack.providerCalls()).toBe(0);
  });

  it('serves exactly 1,000 Refund objects and refuses 1,001, however they are asked for', async () => {
    const ids = Array.from({ length: 100 }, () => W1);
    const ok = await stack.graphql<Record<string, unknown[]>>(aliased(10), { ids });
    expect(ok.body.errors).toBeUndefined();
    expect(Object.values(ok.body.data!).flat()).toHaveLength(1000);
    expect(stack.providerCalls()).toBe(1);

    stack.resetCounters();
    const query = aliased(10).replace(/ \}$/, ` extra: refund(id: "${W1}") { id } }`);
    const refused = await stack.graphql(query, { ids });
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringContaining(
          'would resolve 1001 Refund objects (repeated ids and aliases count each time), 1 more than the limit of 1000',
        ) as unknown,
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(stack.providerCalls()).toBe(0);
  });

  it('counts _entities representations with repeats, and a field spread twice once (execution merges it)', async () => {
    const representations = Array.from({ length: 500 }, () => ({ __typename: 'Refund', id: `wooshpay:${W1}` }));
    const twice = `
      query Twice($representations: [_Any!]!) { ...E ...E e2: _entities(representations: $representations) { __typename } r: refund(id: "${W1}") { id } }
      fragment E on Query { _entities(representations: $representations) { ... on Refund { id } } }
    `;
    const refused = await stack.graphql(twice, { representations });
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringContaining('would resolve 1001 Refund objects') as unknown,
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);

    const skipped = twice.replace(`r: refund(id: "${W1}")`, `r: refund(id: "${W1}") @skip(if: true)`);
    const ok = await stack.graphql<{ _entities: unknown[]; e2: unknown[] }>(skipped, { representations });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?._entities).toHaveLength(500);
    expect(ok.body.data?.e2).toHaveLength(500);
    expect(stack.providerCalls()).toBe(1);
  });

  it('refuses a document over 32 KB, comments included, with HTTP 413 before parsing', async () => {
    const document = `# ${'x'.repeat(40_000)}\n{ __typename }`;
    const response = await post({ query: document });

    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      errors: [
        {
          message:
            'The GraphQL document is 40017 bytes, 7249 more than the limit of 32768 (MAX_DOCUMENT_BYTES; comments and whitespace count too)',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  });

  it('counts UTF-8 bytes, and refuses an oversized persisted-query registration and GET document too', async () => {
    const multibyte = `# ${'é'.repeat(16_400)}\n{ __typename }`; // 16,417 characters, 32,817 bytes
    expect((await post({ query: multibyte })).status).toBe(413);

    const large = `# ${'y'.repeat(500_000)}\n{ __typename }`;
    const sha256Hash = createHash('sha256').update(large).digest('hex');
    const registration = await post({ query: large, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(registration.status).toBe(413);
    const lookup = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(lookup.body.errors).toEqual([
      { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
    ]);

    const url = new URL(`${stack.url}/graphql`);
    url.searchParams.set('query', `# ${'z'.repeat(7_000)}\n{ __typename }`);
    const small = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(small.status).toBe(200);
  });

  it('serves a document just under the limit, and persisted queries of ordinary size', async () => {
    const document = `# ${'x'.repeat(32_000)}\n{ __typename }`;
    expect((await post({ query: document })).body).toEqual({ data: { __typename: 'Query' } });

    const query = `query Persisted { refund(id: "${W1}") { id } }`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const registered = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(registered.body).toEqual({ data: { refund: { id: `wooshpay:${W1}` } } });
    const hit = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(hit.body).toEqual({ data: { refund: { id: `wooshpay:${W1}` } } });
  });

  it("passes the README's examples: two providers with union fragments, and the router's _entities fetch", async () => {
    const twoProviders = await stack.graphql<{ refunds: Array<{ id: string } | null> }>(`
      query TwoProviders {
        refunds(ids: ["wooshpay:re_1787731200000000001", "efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211", "re_missing"]) {
          id provider status providerStatus reason createdAt
          amount { minorUnits currencyCode decimal }
          details {
            __typename
            ... on WooshPayRefundDetails { paymentIntentId reason failureReason metadata { key value } }
            ... on EfundpayRefundDetails { transactionId merchantAccountId externalIdentifier }
          }
        }
      }`);
    expect(twoProviders.body.errors).toBeUndefined();
    expect(twoProviders.body.data?.refunds.map((refund) => refund?.id ?? null)).toEqual([
      'wooshpay:re_1787731200000000001',
      'efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211',
      null,
    ]);

    const entities = await stack.graphql<{ _entities: Array<{ id: string }> }>(
      `query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Refund { id status amount { decimal currencyCode } }
        }
      }`,
      {
        representations: [
          { __typename: 'Refund', id: 'wooshpay:re_1787731200000000001' },
          { __typename: 'Refund', provider: 'EFUNDPAY', providerRefundId: '6a1d4e46-14ed-4fe1-a45f-eff4e025d211' },
        ],
      },
    );
    expect(entities.body.errors).toBeUndefined();
    expect(entities.body.data?._entities.map((refund) => refund.id)).toEqual([
      'wooshpay:re_1787731200000000001',
      'efundpay:6a1d4e46-14ed-4fe1-a45f-eff4e025d211',
    ]);
  });
});
