/**
 * The in-process refund cache over real HTTP: the subgraph with its real provider clients and both
 * simulators on loopback, counting the GETs the simulators receive.
 */
import { describe, expect, it } from 'vitest';
import type { WooshPayRefundDetailsModel } from '../../src/providers/wooshpay/model.js';
import { REFUND_FIELDS, useStack } from '../helpers/stack.js';
import { parseExposition } from '../ops/prometheus-text.js';

const SETTLED_ID = 're_3KQu4U2eZvKYlo2C02Ndp8xy'; // succeeded
const PENDING_ID = 're_1787731200000000002'; // pending
const MISSING_ID = 're_doesnotexist0000000001';
const EFUNDPAY_SETTLED_ID = '6a1d4e46-14ed-4fe1-a45f-eff4e025d211'; // succeeded

const REFUND = `query ($id: ID!) { refund(id: $id) { ${REFUND_FIELDS} retrievedAt stale } }`;
const REFUNDS = `query ($ids: [ID!]!) { refunds(ids: $ids) { id status retrievedAt stale } }`;
const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Refund { id retrievedAt stale } } }`;

interface Served {
  id: string;
  retrievedAt: string;
  stale: boolean;
}

async function metric(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return parseExposition(text).samples.get(sample) ?? 0;
}

describe('the refund cache, in process (defaults: settled 300 s, pending 5 s, not found 5 s)', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true', CACHE_TTL_PENDING_S: '0' } });

  it('serves a settled refund read by an earlier operation without a provider call, same data and retrievedAt', async () => {
    const first = await stack.graphql<{ refund: Served }>(REFUND, { id: `wooshpay:${SETTLED_ID}` });
    expect(first.body.errors).toBeUndefined();
    expect(stack.simulators.wooshpay.requestCount(SETTLED_ID)).toBe(1);
    const retrievedAt = Date.parse(first.body.data!.refund.retrievedAt);
    expect(Math.abs(Date.now() - retrievedAt)).toBeLessThan(60_000);
    expect(first.body.data!.refund.stale).toBe(false);

    const second = await stack.graphql<{ refund: Served }>(REFUND, { id: SETTLED_ID });
    expect(second.body).toEqual(first.body);
    // The same refund through the other root field and through _entities: still no GET.
    const listed = await stack.graphql<{ refunds: Served[] }>(REFUNDS, { ids: [`wooshpay:${SETTLED_ID}`] });
    expect(listed.body.data!.refunds[0]!.retrievedAt).toBe(first.body.data!.refund.retrievedAt);
    const entities = await stack.graphql(ENTITIES, {
      representations: [{ __typename: 'Refund', provider: 'WOOSHPAY', providerRefundId: SETTLED_ID }],
    });
    expect(entities.body.errors).toBeUndefined();
    expect(stack.simulators.wooshpay.requestCount(SETTLED_ID)).toBe(1);
  });

  it('keeps freshness by status: a pending refund (CACHE_TTL_PENDING_S=0 here) is read again', async () => {
    await stack.graphql(REFUNDS, { ids: [`wooshpay:${PENDING_ID}`, `efundpay:${EFUNDPAY_SETTLED_ID}`] });
    await stack.graphql(REFUNDS, { ids: [`wooshpay:${PENDING_ID}`, `efundpay:${EFUNDPAY_SETTLED_ID}`] });
    expect(stack.simulators.wooshpay.requestCount(PENDING_ID)).toBe(2);
    expect(stack.simulators.efundpay.requestCount(EFUNDPAY_SETTLED_ID)).toBe(1);
  });

  it('remembers "no such refund" for CACHE_TTL_NOT_FOUND_S: null again without a GET', async () => {
    const first = await stack.graphql(REFUND, { id: `wooshpay:${MISSING_ID}` });
    const second = await stack.graphql(REFUND, { id: `wooshpay:${MISSING_ID}` });
    expect(first.body).toEqual({ data: { refund: null } });
    expect(second.body).toEqual({ data: { refund: null } });
    expect(stack.simulators.wooshpay.requestCount(MISSING_ID)).toBe(1);
  });

  it('never caches a failure: the next operation asks the provider again and gets the refund', async () => {
    const id = 're_1787731200000000003';
    stack.simulators.wooshpay.injectFault(id, { kind: 'status', status: 401, times: 1 });
    const failed = await stack.graphql(REFUND, { id: `wooshpay:${id}` });
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_AUTH_FAILED');
    const retried = await stack.graphql<{ refund: Served }>(REFUND, { id: `wooshpay:${id}` });
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data!.refund.id).toBe(`wooshpay:${id}`);
    expect(stack.simulators.wooshpay.requestCount(id)).toBe(2);
  });

  it('shares one provider call between concurrent operations that want the same refund', async () => {
    const id = 're_1787731200000000004';
    stack.simulators.wooshpay.injectFault(id, { kind: 'latency', ms: 300, times: 1 });
    const results = await Promise.all([
      stack.graphql<{ refund: Served }>(REFUND, { id: `wooshpay:${id}` }),
      stack.graphql<{ refunds: Served[] }>(REFUNDS, { ids: [id] }),
      stack.graphql(ENTITIES, { representations: [{ __typename: 'Refund', id: `wooshpay:${id}` }] }),
    ]);
    for (const result of results) expect(result.body.errors).toBeUndefined();
    expect(results[0].body.data!.refund.retrievedAt).toBe(results[1].body.data!.refunds[0]!.retrievedAt);
    expect(stack.simulators.wooshpay.requestCount(id)).toBe(1);
  });

  it('keeps a shared call going for the others when one of its operations goes away', async () => {
    const id = 're_1787731200000000005';
    stack.simulators.wooshpay.injectFault(id, { kind: 'latency', ms: 400, times: 1 });
    const leaving = new AbortController();
    const first = fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: REFUND, variables: { id: `wooshpay:${id}` } }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await expect.poll(() => stack.simulators.wooshpay.requestCount(id), { timeout: 5000, interval: 10 }).toBe(1);
    const staying = stack.graphql<{ refund: Served }>(REFUND, { id: `wooshpay:${id}` });
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.abort();
    await first;
    const result = await staying;
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data!.refund.id).toBe(`wooshpay:${id}`);
    expect(stack.simulators.wooshpay.requestCount(id)).toBe(1);
  });

  it('says how many refunds came from the cache on the log line, in the debug view and in the metrics', async () => {
    const before = await metric(stack.url, 'refunds_cache_lookups_total{provider="WOOSHPAY",result="hit"}');
    await stack.graphql(REFUND, { id: `wooshpay:${SETTLED_ID}` });
    const debug = await stack.graphql(
      REFUNDS,
      { ids: [`wooshpay:${SETTLED_ID}`, `wooshpay:${PENDING_ID}`] },
      { 'x-refunds-debug': '1' },
    );
    const hits = debug.body.extensions?.cacheHits as Array<Record<string, unknown>>;
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ provider: 'WOOSHPAY', providerRefundId: SETTLED_ID, result: 'hit' });
    expect(typeof hits[0]?.ageMs).toBe('number');
    expect(debug.body.extensions?.providerCalls).toEqual([
      expect.objectContaining({ provider: 'WOOSHPAY', path: `/v1/refunds/${PENDING_ID}` }),
    ]);
    const line = stack.logs.filter((entry) => entry.msg === 'graphql operation').at(-1);
    expect(line).toMatchObject({ refundsRequested: 2, refundsFromCache: 1, providerCalls: 1 });
    expect(await metric(stack.url, 'refunds_cache_lookups_total{provider="WOOSHPAY",result="hit"}')).toBe(before + 2);
    expect(await metric(stack.url, 'refunds_cache_lookups_total{provider="WOOSHPAY",result="miss"}')).toBeGreaterThan(
      0,
    );
  });

  it('shows the cache on /ready (in-process store, ok)', async () => {
    const ready = (await (await fetch(`${stack.url}/ready`)).json()) as Record<string, unknown>;
    expect(ready.cache).toEqual({ enabled: true, store: 'memory', status: 'ok' });
    expect(await metric(stack.url, 'refunds_cache_store_up')).toBe(1);
  });
});

describe('stale if error (CACHE_TTL_SETTLED_S=0: a copy is kept but never fresh)', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true', CACHE_TTL_SETTLED_S: '0', PROVIDER_MAX_RETRIES: '0' } });

  it('serves the last copy with stale: true and no error when the provider fails, with a warn line and a metric', async () => {
    const fresh = await stack.graphql<{ refund: Served }>(REFUND, { id: `wooshpay:${SETTLED_ID}` });
    expect(fresh.body.data!.refund.stale).toBe(false);
    stack.simulators.wooshpay.injectFault('*', { kind: 'status', status: 503 });
    try {
      const stale = await stack.graphql<{ refunds: Served[] | null }>(REFUNDS, {
        ids: [`wooshpay:${SETTLED_ID}`, `wooshpay:${PENDING_ID}`],
      });
      expect(stale.body.data!.refunds![0]).toMatchObject({
        id: `wooshpay:${SETTLED_ID}`,
        stale: true,
        retrievedAt: fresh.body.data!.refund.retrievedAt,
      });
      // Never read before: nothing to fall back on, so null with the provider's error, as before.
      expect(stale.body.data!.refunds![1]).toBeNull();
      expect(stale.body.errors).toHaveLength(1);
      expect(stale.body.errors![0]).toMatchObject({
        path: ['refunds', 1],
        extensions: { code: 'PROVIDER_UNAVAILABLE' },
      });
      expect(stale.headers.get('cache-control')).toBe('no-store');
      expect(stack.logs).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          event: 'refund.stale_served',
          provider: 'WOOSHPAY',
          providerRefundId: SETTLED_ID,
          errorCode: 'PROVIDER_UNAVAILABLE',
        }),
      );
      expect(await metric(stack.url, 'refunds_cache_stale_served_total{provider="WOOSHPAY"}')).toBe(1);
    } finally {
      stack.simulators.wooshpay.clearFaults();
    }
  });

  it('does not hide other failures (here a 401) behind a stale copy', async () => {
    await stack.graphql(REFUND, { id: `efundpay:${EFUNDPAY_SETTLED_ID}` });
    stack.simulators.efundpay.injectFault(EFUNDPAY_SETTLED_ID, { kind: 'status', status: 401, times: 1 });
    const result = await stack.graphql(REFUND, { id: `efundpay:${EFUNDPAY_SETTLED_ID}` });
    expect(result.body.data).toEqual({ refund: null });
    expect(result.body.errors?.[0]?.extensions?.code).toBe('PROVIDER_AUTH_FAILED');
  });
});

describe('CACHE_ENABLED=false', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'false' } });

  it('reads every refund from its provider, every time, and says the cache is off on /ready', async () => {
    await stack.graphql(REFUND, { id: `wooshpay:${SETTLED_ID}` });
    const second = await stack.graphql<{ refund: Served }>(REFUND, { id: `wooshpay:${SETTLED_ID}` });
    expect(second.body.data!.refund.stale).toBe(false);
    expect(stack.simulators.wooshpay.requestCount(SETTLED_ID)).toBe(2);
    const ready = (await (await fetch(`${stack.url}/ready`)).json()) as Record<string, unknown>;
    expect(ready.cache).toEqual({ enabled: false, store: null, status: 'disabled' });
  });
});

describe('CACHE_MAX_ENTRIES=2', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true', CACHE_MAX_ENTRIES: '2' } });

  it('holds at most that many refunds, counting each eviction, and reads an evicted one again', async () => {
    const ids = ['re_1787731200000000001', 're_1787731200000000003', 're_1787731200000000004'];
    for (const id of ids) await stack.graphql(REFUND, { id: `wooshpay:${id}` });
    expect(await metric(stack.url, 'refunds_cache_evictions_total')).toBe(1);
    await stack.graphql(REFUND, { id: `wooshpay:${ids[0]}` }); // the least recently used went first
    await stack.graphql(REFUND, { id: `wooshpay:${ids[2]}` });
    expect(stack.simulators.wooshpay.requestCount(ids[0])).toBe(2);
    expect(stack.simulators.wooshpay.requestCount(ids[2])).toBe(1);
  });
});

describe('remember(): a refund learnt outside a read (e.g. just created) enters the cache', () => {
  const stack = useStack({ env: { CACHE_ENABLED: 'true' } });

  it('serves the remembered refund to the next read without a provider call', async () => {
    const id = 're_1787731200000000001';
    const details: WooshPayRefundDetailsModel = {
      kind: 'WooshPayRefundDetails',
      paymentIntentId: null,
      reason: null,
      failureReason: null,
      description: null,
      receiptNumber: null,
      metadata: [],
    };
    const created = await stack.server.refundCache.remember({
      id: `wooshpay:${id}`,
      provider: 'WOOSHPAY',
      providerRefundId: id,
      paymentId: null,
      status: 'PENDING',
      providerStatus: 'pending',
      reason: null,
      createdAt: new Date('2026-12-01T00:00:00Z'),
      amount: { minorUnits: 1500, currencyCode: 'USD' },
      details,
    });
    expect(created.stale).toBe(false);
    const read = await stack.graphql<{ refund: Served & { status: string } }>(
      `query ($id: ID!) { refund(id: $id) { id status retrievedAt stale } }`,
      { id: `wooshpay:${id}` },
    );
    expect(read.body.data!.refund).toEqual({
      id: `wooshpay:${id}`,
      status: 'PENDING',
      retrievedAt: created.retrievedAt.toISOString(),
      stale: false,
    });
    expect(stack.simulators.wooshpay.requestCount(id)).toBe(0);
  });
});
