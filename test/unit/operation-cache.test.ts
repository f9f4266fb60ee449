/**
 * The operation cache on its own (src/server/http/operation-cache.ts), with explicit clock values:
 * an answer lasts until its refunds' freshness or `ttlMs` after it was kept, whichever is first; an
 * answer whose operation ran across a clear, or across a change to one of its refunds, is not kept;
 * a refund changing drops the answers holding it; a clear drops everything; the key is the
 * body with `Accept` and `Authorization`, and none is given to a large body or a debug request; the
 * answers are bounded in size, least recently used first out.
 */
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createOperationCache, refundTag, type CachedAnswer } from '../../src/server/http/operation-cache.js';

const NOW = 1_800_000_000_000;
const BODY = '{"query":"{ refund(id: \\"wooshpay:re_1\\") { id } }"}';

/** An incoming request with these headers (lower-case names, as node:http gives them). */
function request(headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = { 'content-type': 'application/json', ...headers };
  return req;
}

/** An answer as the HTTP handler keeps it, fresh until `freshUntil`. */
function answer(
  freshUntil: number,
  body = '{"data":{"refund":{"id":"wooshpay:re_1"}}}',
  tags: readonly string[] | null = ['WOOSHPAY:re_1'],
): Omit<CachedAnswer, 'expiresAt'> {
  return {
    body,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    freshUntil,
    logged: { operationName: null, operationType: 'query', refundsRequested: 1 },
    tags,
  };
}

describe('createOperationCache: how long an answer lasts', () => {
  it('keeps an answer for ttlMs when its refunds stay fresh longer', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    cache.set('k', answer(NOW + 300_000), cache.generation(), NOW);
    expect(cache.get('k', NOW)?.expiresAt).toBe(NOW + 1000);
    expect(cache.get('k', NOW + 999)?.body).toBe(answer(0).body);
    expect(cache.get('k', NOW + 1000)).toBeUndefined();
  });

  it('keeps an answer only until its least fresh refund stops being fresh, when that is sooner than ttlMs', () => {
    const cache = createOperationCache({ ttlMs: 60_000 });
    cache.set('k', answer(NOW + 400), cache.generation(), NOW);
    expect(cache.get('k', NOW + 399)?.expiresAt).toBe(NOW + 400);
    expect(cache.get('k', NOW + 400)).toBeUndefined();
  });

  it('keeps nothing whose refunds are no longer fresh when it is kept', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    cache.set('k', answer(NOW), cache.generation(), NOW);
    expect(cache.get('k', NOW)).toBeUndefined();
    expect(cache.get('k', NOW - 1)).toBeUndefined();
  });

  it('does not bring an expired answer back when asked with an earlier clock', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    cache.set('k', answer(NOW + 300_000), cache.generation(), NOW);
    expect(cache.get('k', NOW + 1000)).toBeUndefined();
    // Dropped when found expired, not only hidden.
    expect(cache.get('k', NOW + 1)).toBeUndefined();
  });
});

describe('createOperationCache: clears', () => {
  it('keeps nothing from an operation that ran while a clear came (a stale generation)', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    const before = cache.generation();
    cache.clear();
    cache.set('k', answer(NOW + 300_000), before, NOW);
    expect(cache.get('k', NOW)).toBeUndefined();
    // The same answer read after the clear is kept.
    cache.set('k', answer(NOW + 300_000), cache.generation(), NOW);
    expect(cache.get('k', NOW)).toBeDefined();
  });

  it('drops every answer on a clear', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    cache.set('a', answer(NOW + 300_000), cache.generation(), NOW);
    cache.set('b', answer(NOW + 300_000), cache.generation(), NOW);
    cache.clear();
    expect(cache.get('a', NOW)).toBeUndefined();
    expect(cache.get('b', NOW)).toBeUndefined();
  });
});

describe('createOperationCache: a refund changing', () => {
  const FRESH = NOW + 300_000;

  it('drops the answers holding the refund and those holding more than refunds, and keeps the others', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    cache.set('one', answer(FRESH, 'one', ['WOOSHPAY:re_1']), cache.generation(), NOW);
    cache.set('both', answer(FRESH, 'both', ['WOOSHPAY:re_2', 'WOOSHPAY:re_1']), cache.generation(), NOW);
    cache.set('other', answer(FRESH, 'other', ['EFUNDPAY:b1']), cache.generation(), NOW);
    cache.set('payment', answer(FRESH, 'payment', null), cache.generation(), NOW);
    cache.invalidate(refundTag({ provider: 'WOOSHPAY', providerRefundId: 're_1' }));
    expect(cache.get('one', NOW)).toBeUndefined();
    expect(cache.get('both', NOW)).toBeUndefined();
    expect(cache.get('payment', NOW)).toBeUndefined();
    expect(cache.get('other', NOW)?.body).toBe('other');
  });

  it('keeps nothing from an operation that ran while one of its refunds changed, and keeps it when another changed', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    const before = cache.generation();
    cache.invalidate('WOOSHPAY:re_1');
    cache.set('mine', answer(FRESH, 'mine', ['WOOSHPAY:re_1']), before, NOW);
    cache.set('other', answer(FRESH, 'other', ['WOOSHPAY:re_9']), before, NOW);
    cache.set('payment', answer(FRESH, 'payment', null), before, NOW);
    expect(cache.get('mine', NOW)).toBeUndefined();
    expect(cache.get('payment', NOW)).toBeUndefined();
    expect(cache.get('other', NOW)?.body).toBe('other');
  });

  it('keeps nothing from an operation older than the refund changes it still remembers', () => {
    const cache = createOperationCache({ ttlMs: 1000, recentChanges: 2 });
    const before = cache.generation();
    cache.invalidate('WOOSHPAY:re_1');
    cache.invalidate('WOOSHPAY:re_2');
    // A third change pushes re_1's out: whether it touched this answer can no longer be told.
    cache.invalidate('WOOSHPAY:re_3');
    cache.set('k', answer(FRESH, 'k', ['WOOSHPAY:re_9']), before, NOW);
    expect(cache.get('k', NOW)).toBeUndefined();
    cache.set('k', answer(FRESH, 'k', ['WOOSHPAY:re_9']), cache.generation(), NOW);
    expect(cache.get('k', NOW)).toBeDefined();
  });

  it('indexes an answer kept again under its new refunds only', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    cache.set('k', answer(FRESH, 'first', ['WOOSHPAY:re_1']), cache.generation(), NOW);
    cache.set('k', answer(FRESH, 'second', ['WOOSHPAY:re_2']), cache.generation(), NOW);
    cache.invalidate('WOOSHPAY:re_1');
    expect(cache.get('k', NOW)?.body).toBe('second');
    cache.invalidate('WOOSHPAY:re_2');
    expect(cache.get('k', NOW)).toBeUndefined();
  });
});

describe('createOperationCache: keyOf', () => {
  it('gives the same key to the same body with the same Accept and Authorization', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    const headers = { accept: 'application/json', authorization: 'Bearer a' };
    const key = cache.keyOf(request(headers), BODY);
    expect(key).not.toBeNull();
    expect(cache.keyOf(request(headers), BODY)).toBe(key);
    // A header that cannot change the answer does not split the key.
    expect(cache.keyOf(request({ ...headers, 'x-request-id': 'other' }), BODY)).toBe(key);
  });

  it('gives different keys when the body, Accept or Authorization differ', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    const headers = { accept: 'application/json', authorization: 'Bearer a' };
    const key = cache.keyOf(request(headers), BODY);
    const others = [
      cache.keyOf(request(headers), BODY.replace('re_1', 're_2')),
      cache.keyOf(request({ ...headers, accept: 'application/graphql-response+json' }), BODY),
      cache.keyOf(request({ ...headers, authorization: 'Bearer b' }), BODY),
      cache.keyOf(request({ accept: 'application/json' }), BODY),
      cache.keyOf(request({ authorization: 'Bearer a' }), BODY),
    ];
    for (const other of others) {
      expect(other).not.toBeNull();
      expect(other).not.toBe(key);
    }
    expect(new Set(others).size).toBe(others.length);
  });

  it('gives no key to a body over maxKeyLength, and one to a body of exactly that length', () => {
    const cache = createOperationCache({ ttlMs: 1000, maxKeyLength: 100 });
    const prefix = '{"query":"{ __typename }","x":"';
    const exact = `${prefix}${'a'.repeat(100 - prefix.length - 2)}"}`;
    expect(exact).toHaveLength(100);
    expect(cache.keyOf(request(), exact)).not.toBeNull();
    expect(cache.keyOf(request(), `${exact} `)).toBeNull();
  });

  it('gives no key to a body over 16 KiB by default', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    const large = JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(16 * 1024) });
    expect(cache.keyOf(request(), large)).toBeNull();
  });

  it('gives no key to a request carrying x-refunds-debug, whatever its value', () => {
    const cache = createOperationCache({ ttlMs: 1000 });
    expect(cache.keyOf(request({ 'x-refunds-debug': '1' }), BODY)).toBeNull();
    expect(cache.keyOf(request({ 'x-refunds-debug': '0' }), BODY)).toBeNull();
  });
});

describe('createOperationCache: the size bound', () => {
  /** Each answer weighs its key, its body and 256: 1 + 200 + 256 = 457; two fit in 1000, three do not. */
  const body = 'b'.repeat(200);

  it('evicts the least recently used answer when a new one does not fit', () => {
    const cache = createOperationCache({ ttlMs: 1000, maxSize: 1000 });
    cache.set('a', answer(NOW + 300_000, body), cache.generation(), NOW);
    cache.set('b', answer(NOW + 300_000, body), cache.generation(), NOW);
    expect(cache.get('a', NOW)).toBeDefined();
    cache.set('c', answer(NOW + 300_000, body), cache.generation(), NOW);
    expect(cache.get('b', NOW)).toBeUndefined();
    expect(cache.get('a', NOW)).toBeDefined();
    expect(cache.get('c', NOW)).toBeDefined();
  });

  it('keeps no answer larger than the whole bound', () => {
    const cache = createOperationCache({ ttlMs: 1000, maxSize: 1000 });
    cache.set('a', answer(NOW + 300_000, body), cache.generation(), NOW);
    cache.set('huge', answer(NOW + 300_000, 'h'.repeat(1000)), cache.generation(), NOW);
    expect(cache.get('huge', NOW)).toBeUndefined();
    expect(cache.get('a', NOW)).toBeDefined();
  });
});
