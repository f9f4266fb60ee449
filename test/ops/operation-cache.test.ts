/**
 * The operation cache through the HTTP server (src/server/http/operation-cache.ts): a read asked
 * again byte for byte is answered from memory, with the operation's log line (`operationCache:
 * 'hit'`), the hits metric and a refund-cache hit for each refund it answers, and a Cache-Control
 * worked out again from its refunds' freshness.
 * Answers with errors, mutations and searches are never kept, nor is a POST with a query string
 * answered from memory; a change to a refund (a webhook, a createRefund, a ledger record alone, a
 * refund-cache write alone) is answered at once, and a change to another refund leaves the answer
 * in place; OPERATION_CACHE_TTL_MS=0 and CACHE_ENABLED=false turn it off; an answer lasts
 * OPERATION_CACHE_TTL_MS at most. Real simulators, real HTTP.
 *
 * A refund's first read is not kept (it writes the refund cache), and the background ledger writer
 * records it ~50 ms later, which drops the answers holding it again. So most tests first read their
 * refunds as a debug view (never kept) and wait until the ledger knows them (`lastChangedAt` set).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { CREATE_REFUND } from '../helpers/create-refund.js';
import { useStack, type GraphQLResponse, type Stack } from '../helpers/stack.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_CANCELED,
  WOOSHPAY_FAILED_EXPIRED_CARD,
  WOOSHPAY_FAILED_LOST_CARD,
  WOOSHPAY_FAILED_UNDOCUMENTED_REASON,
  WOOSHPAY_FAILED_UNKNOWN_REASON,
  WOOSHPAY_GBP_REQUIRES_ACTION,
  WOOSHPAY_IDR_ABOVE_2_31,
  WOOSHPAY_JPY_ZERO_DECIMAL,
  WOOSHPAY_KWD_THREE_DECIMAL,
  WOOSHPAY_UNKNOWN_STATUS,
  WOOSHPAY_USD_DOCS_EXAMPLE,
  WOOSHPAY_USD_SPEC_EXAMPLE,
  type SandboxRefund,
} from '../fixtures/sandbox-refunds.js';
import { counterDelta, scrape, valueOf } from './prometheus-text.js';

const HITS = 'refunds_operation_cache_hits_total';
const LOOKUPS = 'refunds_cache_lookups_total';
const ONE_REFUND = /* GraphQL */ `
  query OneRefund($id: ID!) {
    refund(id: $id) {
      id
      status
      amount {
        minorUnits
        currencyCode
      }
    }
  }
`;
/** A seeded WooshPay PaymentIntent (USD 100.00). */
const WOOSHPAY_PAYMENT = 'pi_1787730900000000001';
/** A seeded efundpay transaction (USD 100.00); efundpay lists its refunds. */
const EFUNDPAY_USD_TRANSACTION = '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60';

type LogLine = Record<string, unknown>;

interface StatusAnswer {
  readonly refund: { readonly id: string; readonly status: string };
}
interface LastChangedAnswer {
  readonly refund: { readonly id: string; readonly lastChangedAt: string | null };
}
interface PaymentAnswer {
  readonly payment: {
    readonly refunds: { readonly totalCount: number; readonly nodes: Array<{ readonly id: string }> };
  };
}
interface CreatedAnswer {
  readonly createRefund: {
    readonly __typename: string;
    readonly replayed: boolean;
    readonly refund: { readonly id: string };
  };
}

interface Sent<TData> extends GraphQLResponse<TData> {
  /** The operation's log line (found by the request id the request carried). */
  readonly line: LogLine;
}

/** POSTs an operation with its own x-request-id and waits for its log line. */
async function send<TData = Record<string, unknown>>(
  stack: Stack,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Sent<TData>> {
  const requestId = randomUUID();
  const response = await stack.graphql<TData>(query, variables, { 'x-request-id': requestId, ...headers });
  return { ...response, line: await logLineOf(stack, requestId) };
}

/** As `send`, but to `/graphql` with a query string (`search`, e.g. `?x=1`): the same body and headers. */
async function sendWithSearch<TData = Record<string, unknown>>(
  stack: Stack,
  search: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Sent<TData>> {
  const requestId = randomUUID();
  const response = await fetch(`${stack.url}/graphql${search}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<TData>['body'];
  return { status: response.status, headers: response.headers, body, line: await logLineOf(stack, requestId) };
}

/** Waits for the operation's log line of the request that carried `requestId`. */
async function logLineOf(stack: Stack, requestId: string): Promise<LogLine> {
  return vi.waitFor(
    () => {
      const found = stack.logs.find(
        (candidate) => candidate.msg === 'graphql operation' && candidate.requestId === requestId,
      );
      if (found === undefined) throw new Error(`Expected the log line of request ${requestId}`);
      return found;
    },
    { timeout: 2000, interval: 5 },
  );
}

/**
 * Reads the refunds (as a debug view, which is never kept) so the refund cache holds them, and
 * waits until the background ledger writer has recorded them: after that, reading them changes
 * nothing.
 */
async function warm(stack: Stack, refunds: readonly SandboxRefund[]): Promise<void> {
  const ids = refunds.map((refund) => refund.id);
  await vi.waitFor(
    async () => {
      const { body } = await stack.graphql<{ refunds: Array<{ id: string; lastChangedAt: string | null }> }>(
        `query Warm($ids: [ID!]!) { refunds(ids: $ids) { id lastChangedAt } }`,
        { ids },
        { 'x-refunds-debug': '1' },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data!.refunds.map((refund) => refund.lastChangedAt !== null)).toEqual(ids.map(() => true));
    },
    { timeout: 5000, interval: 20 },
  );
}

function maxAge(header: string | null): number {
  const match = /^public, max-age=(\d+)$/.exec(header ?? '');
  if (!match) throw new Error(`Expected "public, max-age=<seconds>", received ${JSON.stringify(header)}`);
  return Number(match[1]);
}

/** createRefund of 1.00 USD on `paymentId`, with a fresh idempotency key. */
function createRefundOf(stack: Stack, provider: 'WOOSHPAY' | 'EFUNDPAY', paymentId: string) {
  return stack.graphql<{ createRefund: { refund: { id: string; status: string } } }>(CREATE_REFUND, {
    input: {
      provider,
      paymentId,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'REQUESTED_BY_CUSTOMER',
      idempotencyKey: `operation-cache-${randomUUID()}`,
    },
  });
}

describe('the operation cache (refund cache on, OPERATION_CACHE_TTL_MS default 1000)', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true' } });

  it('answers the same query again from memory: the same body, a hit log line, the hits metric up by one', async () => {
    await warm(stack, [WOOSHPAY_USD_SPEC_EXAMPLE]);
    const first = await send(stack, ONE_REFUND, { id: WOOSHPAY_USD_SPEC_EXAMPLE.id });
    expect(first.body.errors).toBeUndefined();
    expect(first.line.operationCache).toBeUndefined();
    const before = await scrape(stack.url);
    stack.resetCounters();
    const second = await send(stack, ONE_REFUND, { id: WOOSHPAY_USD_SPEC_EXAMPLE.id });
    const after = await scrape(stack.url);

    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.line).toMatchObject({
      operationCache: 'hit',
      operationName: 'OneRefund',
      operationType: 'query',
      refundsRequested: 1,
      providerCalls: 0,
      errorCodes: [],
      outcome: 'success',
    });
    expect(counterDelta(before, after, HITS)).toBe(1);
    expect(stack.providerCalls()).toBe(0);
  });

  it("counts each refund a hit answers as a refund-cache hit of its provider's", async () => {
    // One refund of each provider: a hit counts one refund-cache hit for each, and no miss.
    const refunds = [WOOSHPAY_KWD_THREE_DECIMAL, EFUNDPAY_EUR_DOCS_EXAMPLE];
    await warm(stack, refunds);
    const query = `query OfTwoProviders($ids: [ID!]!) { refunds(ids: $ids) { id status } }`;
    const ids = refunds.map((refund) => refund.id);
    const first = await send(stack, query, { ids });
    expect(first.body.errors).toBeUndefined();
    expect(first.line.operationCache).toBeUndefined();
    const before = await scrape(stack.url);
    const second = await send(stack, query, { ids });
    const after = await scrape(stack.url);

    expect(second.line.operationCache).toBe('hit');
    expect(second.body).toEqual(first.body);
    expect(counterDelta(before, after, HITS)).toBe(1);
    for (const provider of ['WOOSHPAY', 'EFUNDPAY']) {
      expect(counterDelta(before, after, LOOKUPS, { provider, result: 'hit' }), provider).toBe(1);
      const misses = { provider, result: 'miss' };
      expect(valueOf(after, LOOKUPS, misses) ?? 0, provider).toBe(valueOf(before, LOOKUPS, misses) ?? 0);
    }
  });

  it("gives a hit a public Cache-Control no longer than the first answer's", async () => {
    // A pending refund (fresh for 5 s) with a settled one: the answer lasts as long as the pending one.
    const refunds = [WOOSHPAY_GBP_REQUIRES_ACTION, WOOSHPAY_JPY_ZERO_DECIMAL];
    await warm(stack, refunds);
    const query = `query Two($ids: [ID!]!) { refunds(ids: $ids) { id status } }`;
    const ids = refunds.map((refund) => refund.id);
    const first = await send(stack, query, { ids });
    const firstAge = maxAge(first.headers.get('cache-control'));
    expect(firstAge).toBeLessThanOrEqual(5);
    const second = await send(stack, query, { ids });
    expect(second.line.operationCache).toBe('hit');
    const secondAge = maxAge(second.headers.get('cache-control'));
    expect(secondAge).toBeGreaterThan(0);
    expect(secondAge).toBeLessThanOrEqual(firstAge);
  });

  it('keys answers by Accept and Authorization too, and never keeps a debug view', async () => {
    await warm(stack, [WOOSHPAY_USD_DOCS_EXAMPLE]);
    const variables = { id: WOOSHPAY_USD_DOCS_EXAMPLE.id };
    expect((await send(stack, ONE_REFUND, variables)).line.operationCache).toBeUndefined();
    expect((await send(stack, ONE_REFUND, variables)).line.operationCache).toBe('hit');
    const otherAccept = { accept: 'application/graphql-response+json' };
    expect((await send(stack, ONE_REFUND, variables, otherAccept)).line.operationCache).toBeUndefined();
    const otherCaller = { authorization: 'Bearer someone-else' };
    expect((await send(stack, ONE_REFUND, variables, otherCaller)).line.operationCache).toBeUndefined();
    const debug = { 'x-refunds-debug': '1' };
    const firstDebug = await send(stack, ONE_REFUND, variables, debug);
    expect(firstDebug.line.operationCache).toBeUndefined();
    expect(firstDebug.body.extensions).toBeDefined();
    const secondDebug = await send(stack, ONE_REFUND, variables, debug);
    expect(secondDebug.line.operationCache).toBeUndefined();
    expect(secondDebug.body.extensions).toBeDefined();
  });

  it('never answers from memory a POST to /graphql with a query string, though its body is that of a kept answer', async () => {
    // A query string is checked on every request (it may carry a subscription): it always runs.
    await warm(stack, [WOOSHPAY_FAILED_EXPIRED_CARD]);
    const variables = { id: WOOSHPAY_FAILED_EXPIRED_CARD.id };
    const first = await send(stack, ONE_REFUND, variables);
    expect(first.line.operationCache).toBeUndefined();
    expect((await send(stack, ONE_REFUND, variables)).line.operationCache).toBe('hit');
    const before = await scrape(stack.url);
    const withSearch = await sendWithSearch(stack, '?x=1', ONE_REFUND, variables);
    const after = await scrape(stack.url);
    expect(withSearch.status).toBe(200);
    expect(withSearch.body).toEqual(first.body);
    expect(withSearch.line).toMatchObject({ operationName: 'OneRefund', outcome: 'success' });
    expect(withSearch.line).not.toHaveProperty('operationCache');
    expect(counterDelta(before, after, HITS)).toBe(0);
    // The answer was still kept all along: the same POST to /graphql alone is a hit again.
    expect((await send(stack, ONE_REFUND, variables)).line.operationCache).toBe('hit');
  });

  it('never answers from memory an answer with errors (a malformed id, a provider failure)', async () => {
    const before = await scrape(stack.url);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const malformed = await send(stack, ONE_REFUND, { id: 'not-an-id' });
      expect(malformed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(malformed.line.operationCache).toBeUndefined();
    }
    // Not read before in this stack: the refund cache does not hold it, so the provider is asked.
    stack.simulators.wooshpay.injectFault(WOOSHPAY_FAILED_LOST_CARD.providerRefundId, {
      kind: 'status',
      status: 401,
      times: 2,
    });
    const failed = await send(stack, ONE_REFUND, { id: WOOSHPAY_FAILED_LOST_CARD.id });
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_AUTH_FAILED');
    const again = await send(stack, ONE_REFUND, { id: WOOSHPAY_FAILED_LOST_CARD.id });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(again.line.operationCache).toBeUndefined();
    expect(counterDelta(before, await scrape(stack.url), HITS)).toBe(0);
  });

  it('never answers a mutation from memory: the same createRefund again is a replay, run again', async () => {
    const input = {
      provider: 'WOOSHPAY',
      paymentId: WOOSHPAY_PAYMENT,
      amount: { minorUnits: 100, currencyCode: 'USD' },
      reason: 'REQUESTED_BY_CUSTOMER',
      idempotencyKey: `operation-cache-${randomUUID()}`,
    };
    const first = await send<CreatedAnswer>(stack, CREATE_REFUND, { input });
    expect(first.body.data?.createRefund).toMatchObject({ __typename: 'RefundCreated', replayed: false });
    // The first writes the refund cache, which alone would keep its answer out; a replay writes nothing.
    for (let replay = 0; replay < 2; replay += 1) {
      const again = await send<CreatedAnswer>(stack, CREATE_REFUND, { input });
      expect(again.line.operationCache).toBeUndefined();
      expect(again.line.operationType).toBe('mutation');
      expect(again.body.data?.createRefund).toMatchObject({ __typename: 'RefundCreated', replayed: true });
      expect(again.body.data?.createRefund.refund.id).toBe(first.body.data?.createRefund.refund.id);
    }
  });

  it('never answers refundSearch from memory, alone or beside a refund', async () => {
    await warm(stack, [WOOSHPAY_CANCELED]);
    const queries = [
      `query Search { refundSearch(first: 5) { nodes { id } } }`,
      `query Both($id: ID!) { refund(id: $id) { id status } refundSearch(first: 5) { nodes { id } } }`,
    ];
    for (const query of queries) {
      const first = await send(stack, query, { id: WOOSHPAY_CANCELED.id });
      expect(first.body.errors).toBeUndefined();
      expect(first.headers.get('cache-control')).toBe('private, no-store');
      const second = await send(stack, query, { id: WOOSHPAY_CANCELED.id });
      expect(second.line.operationCache).toBeUndefined();
    }
  });

  it("answers a payment's new refund at once after createRefund of the same payment", async () => {
    const payment = `query Payment($id: ID!) { payment(id: $id) { refunds(first: 50) { totalCount nodes { id } } } }`;
    const paymentId = `wooshpay:${WOOSHPAY_PAYMENT}`;
    const create = async () => {
      const { body } = await stack.graphql<{ createRefund: { refund: { id: string } } }>(CREATE_REFUND, {
        input: {
          provider: 'WOOSHPAY',
          paymentId: WOOSHPAY_PAYMENT,
          amount: { minorUnits: 100, currencyCode: 'USD' },
          reason: 'REQUESTED_BY_CUSTOMER',
          idempotencyKey: `operation-cache-${randomUUID()}`,
        },
      });
      expect(body.errors).toBeUndefined();
      return body.data!.createRefund.refund.id;
    };
    await create();
    // Until the payment's answer is kept (a read of its refunds may still be recording them).
    const kept = await vi.waitFor(
      async () => {
        await send(stack, payment, { id: paymentId });
        const hit = await send<PaymentAnswer>(stack, payment, { id: paymentId });
        expect(hit.line.operationCache).toBe('hit');
        return hit.body.data!.payment.refunds;
      },
      { timeout: 5000, interval: 20 },
    );
    const created = await create();
    const after = await send<PaymentAnswer>(stack, payment, { id: paymentId });
    expect(after.line.operationCache).toBeUndefined();
    expect(after.body.data!.payment.refunds.totalCount).toBe(kept.totalCount + 1);
    expect(after.body.data!.payment.refunds.nodes.map((node) => node.id)).toContain(created);
  });
});

describe('the operation cache and a webhook (refund cache on, OPERATION_CACHE_TTL_MS=60000)', () => {
  // The answer would be kept for its pending refund's 5 s: only the webhook's clear can end it sooner.
  const stack = useStack({
    settleMs: 800,
    deliverWebhooks: true,
    env: { CACHE_ENABLED: 'true', OPERATION_CACHE_TTL_MS: '60000' },
  });

  it('answers a settled refund at once after the webhook that settles it', async () => {
    const created = await createRefundOf(stack, 'WOOSHPAY', WOOSHPAY_PAYMENT);
    expect(created.body.errors).toBeUndefined();
    const refund = created.body.data!.createRefund.refund;
    expect(refund.status).toBe('PENDING');
    const read = `query Status($id: ID!) { refund(id: $id) { id status } }`;
    await send(stack, read, { id: refund.id });
    const pending = await send<StatusAnswer>(stack, read, { id: refund.id });
    expect(pending.line.operationCache).toBe('hit');
    expect(pending.body.data!.refund.status).toBe('PENDING');

    await vi.waitFor(
      async () => {
        const processed = stack.logs.filter(
          (line) => line.event === 'webhook.processed' && line.refundId === refund.id && line.status === 'SUCCEEDED',
        );
        expect(processed).toHaveLength(1);
        // Counted once the cache and the ledger's listeners have followed the webhook.
        const exposition = await scrape(stack.url);
        const counted = [...exposition.samples]
          .filter(([key]) => key.startsWith('refunds_webhook_events_total{') && key.includes('outcome="processed"'))
          .reduce((sum, [, value]) => sum + value, 0);
        expect(counted).toBe(stack.logs.filter((line) => line.event === 'webhook.processed').length);
      },
      { timeout: 10_000, interval: 20 },
    );
    const settled = await send<StatusAnswer>(stack, read, { id: refund.id });
    expect(settled.body.data!.refund.status).toBe('SUCCEEDED');
    expect(settled.line.operationCache).toBeUndefined();
  });
});

describe('each clear on its own (refund cache on, OPERATION_CACHE_TTL_MS=60000, no webhooks, no reconciler)', () => {
  const stack = useStack({
    settleMs: 300,
    env: { CACHE_ENABLED: 'true', OPERATION_CACHE_TTL_MS: '60000', RECONCILE_ENABLED: 'false' },
  });

  it("answers a refund's lastChangedAt at once when the ledger records its first read (a ledger change alone)", async () => {
    // The background ledger writer records a first read ~50 ms after it, without touching the refund
    // cache. Caught here: an answer kept from before that record (lastChangedAt null).
    const query = `query Changed($id: ID!) { refund(id: $id) { id lastChangedAt } }`;
    const candidates = [
      WOOSHPAY_KWD_THREE_DECIMAL,
      WOOSHPAY_IDR_ABOVE_2_31,
      WOOSHPAY_FAILED_UNKNOWN_REASON,
      WOOSHPAY_FAILED_UNDOCUMENTED_REASON,
      WOOSHPAY_UNKNOWN_STATUS,
    ];
    let caught: SandboxRefund | null = null;
    for (const candidate of candidates) {
      // Its first read writes the refund cache: that answer is not kept, the next one is.
      for (let attempt = 0; attempt < 3 && caught === null; attempt += 1) {
        const answer = await send<LastChangedAnswer>(stack, query, { id: candidate.id });
        if (answer.body.data!.refund.lastChangedAt !== null) break;
        if (answer.line.operationCache === 'hit') caught = candidate;
      }
      if (caught !== null) break;
    }
    if (caught === null)
      throw new Error('Expected to keep an answer before the ledger recorded its refund (a slow machine?)');
    const refund = caught;
    await warm(stack, [refund]);
    const after = await send<LastChangedAnswer>(stack, query, { id: refund.id });
    expect(after.line.operationCache).toBeUndefined();
    expect(after.body.data!.refund.lastChangedAt).not.toBeNull();
  });

  it('answers a refund at once when a payment listing brings its new state (a refund-cache write alone)', async () => {
    // An efundpay payment is listed by efundpay; each listed refund enters the refund cache at once,
    // and the ledger in the background (whose change is passed on later).
    const created = await createRefundOf(stack, 'EFUNDPAY', EFUNDPAY_USD_TRANSACTION);
    const createdAt = Date.now();
    expect(created.body.errors).toBeUndefined();
    const refund = created.body.data!.createRefund.refund;
    expect(refund.status).toBe('PENDING');
    const query = `query Listed($id: ID!) { refund(id: $id) { id status } }`;
    await vi.waitFor(
      async () => {
        const answer = await send<StatusAnswer>(stack, query, { id: refund.id });
        expect(answer.line.operationCache).toBe('hit');
        expect(answer.body.data!.refund.status).toBe('PENDING');
      },
      { timeout: 2000, interval: 10 },
    );
    // The simulator settles it 300 ms after its creation; the kept answer lasts its copy's 5 s.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, createdAt + 400 - Date.now())));
    const listed = await stack.graphql<{ payment: { refunds: { nodes: Array<{ id: string; status: string }> } } }>(
      `query ($id: ID!) { payment(id: $id) { refunds(first: 50) { nodes { id status } } } }`,
      { id: `efundpay:${EFUNDPAY_USD_TRANSACTION}` },
    );
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data!.payment.refunds.nodes).toContainEqual({ id: refund.id, status: 'SUCCEEDED' });
    const after = await send<StatusAnswer>(stack, query, { id: refund.id });
    expect(after.line.operationCache).toBeUndefined();
    expect(after.body.data!.refund.status).toBe('SUCCEEDED');
  });

  it('leaves an answer in place when another refund changes (its first read: a refund-cache write, then a ledger record)', async () => {
    // A change to the answered refund itself ends the answer at once: the tests above and the webhook's.
    await warm(stack, [WOOSHPAY_USD_SPEC_EXAMPLE]);
    const variables = { id: WOOSHPAY_USD_SPEC_EXAMPLE.id };
    expect((await send(stack, ONE_REFUND, variables)).line.operationCache).toBeUndefined();
    expect((await send(stack, ONE_REFUND, variables)).line.operationCache).toBe('hit');
    // Not read before in this stack: its read writes the refund cache, and the ledger records it new.
    await warm(stack, [WOOSHPAY_JPY_ZERO_DECIMAL]);
    const after = await send(stack, ONE_REFUND, variables);
    expect(after.line.operationCache).toBe('hit');
    expect(after.line.providerCalls).toBe(0);
  });
});

/** The same read three times; none of them may be a hit, though the answer is one the router may cache. */
async function expectNoHits(stack: Stack): Promise<void> {
  await warm(stack, [WOOSHPAY_USD_SPEC_EXAMPLE]);
  const before = await scrape(stack.url);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const answer = await send(stack, ONE_REFUND, { id: WOOSHPAY_USD_SPEC_EXAMPLE.id });
    expect(answer.body.errors).toBeUndefined();
    maxAge(answer.headers.get('cache-control'));
    expect(answer.line.operationCache).toBeUndefined();
  }
  expect(counterDelta(before, await scrape(stack.url), HITS)).toBe(0);
}

describe('OPERATION_CACHE_TTL_MS=0', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true', OPERATION_CACHE_TTL_MS: '0' } });

  it('answers every read by running it', async () => {
    await expectNoHits(stack);
  });
});

describe('CACHE_ENABLED=false (OPERATION_CACHE_TTL_MS left at its default)', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'false' } });

  it('answers every read by running it', async () => {
    await expectNoHits(stack);
  });
});

describe('OPERATION_CACHE_TTL_MS=200', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true', OPERATION_CACHE_TTL_MS: '200' } });

  it('runs an identical read again once 200 ms have passed (its refund is fresh for 300 s)', async () => {
    await warm(stack, [WOOSHPAY_FAILED_EXPIRED_CARD]);
    const variables = { id: WOOSHPAY_FAILED_EXPIRED_CARD.id };
    const keptFrom = Date.now();
    const first = await send(stack, ONE_REFUND, variables);
    expect(first.line.operationCache).toBeUndefined();
    expect(maxAge(first.headers.get('cache-control'))).toBeGreaterThan(200);
    expect((await send(stack, ONE_REFUND, variables)).line.operationCache).toBe('hit');
    const ranAgain = await vi.waitFor(
      async () => {
        const answer = await send(stack, ONE_REFUND, variables);
        expect(answer.line.operationCache).toBeUndefined();
        return Date.now();
      },
      { timeout: 2000, interval: 20 },
    );
    // Not before the 200 ms: the answer was kept after `keptFrom`.
    expect(ranAgain - keptFrom).toBeGreaterThanOrEqual(200);
  });
});
