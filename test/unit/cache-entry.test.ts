/**
 * What the refund cache keeps in the store: the key that keeps accounts and schema versions apart,
 * and the entry text, which decodes to exactly what was encoded (dates included), while anything
 * this version did not write decodes to null (a miss, never an error or a half-read refund).
 */
import { describe, expect, it } from 'vitest';
import { mapWooshPayRefund } from '../../src/providers/wooshpay/mapper.js';
import { wooshPayRefundSchema } from '../../src/providers/wooshpay/wire.js';
import { cacheKey, decodeEntry, encodeEntry, type CacheEntry } from '../../src/refunds/read/cache/cache-entry.js';
import { WOOSHPAY_DOCS_BODY } from '../fixtures/provider-bodies.js';

const REFUND = mapWooshPayRefund(wooshPayRefundSchema.parse(WOOSHPAY_DOCS_BODY));
const ENTRY: CacheEntry = { refund: REFUND, retrievedAt: 1_714_000_000_000, freshUntil: 1_714_000_300_000 };

/** The encoded entry as JSON, changed by `change`, encoded again. */
function tampered(change: (raw: Record<string, unknown>) => void, entry: CacheEntry = ENTRY): string {
  const raw = JSON.parse(encodeEntry(entry)) as Record<string, unknown>;
  change(raw);
  return JSON.stringify(raw);
}

describe('cacheKey', () => {
  it('names the schema version, the provider, the account and the refund', () => {
    expect(cacheKey('WOOSHPAY', 'acct_1', 're_123')).toMatch(/^refunds:v\d+:WOOSHPAY:acct_1:re_123$/);
    expect(cacheKey('EFUNDPAY', 'acct_1', 're_123')).not.toBe(cacheKey('WOOSHPAY', 'acct_1', 're_123'));
  });

  it('keeps accounts apart, even ones holding the separator', () => {
    expect(cacheKey('WOOSHPAY', 'acct_2', 're_1')).not.toBe(cacheKey('WOOSHPAY', 'acct_1', 're_1'));
    expect(cacheKey('WOOSHPAY', 'a:b', 'c')).not.toBe(cacheKey('WOOSHPAY', 'a', 'b:c'));
    expect(cacheKey('WOOSHPAY', 'a:b/c d', 're_1')).toContain(`:${encodeURIComponent('a:b/c d')}:`);
  });
});

describe('encodeEntry and decodeEntry', () => {
  it('round-trip a refund, its creation date as a Date, and both times', () => {
    const decoded = decodeEntry(encodeEntry(ENTRY));
    expect(decoded).toEqual(ENTRY);
    expect(decoded?.refund?.createdAt).toBeInstanceOf(Date);
  });

  it('round-trip "no such refund"', () => {
    const notFound: CacheEntry = { refund: null, retrievedAt: 1, freshUntil: 2 };
    expect(decodeEntry(encodeEntry(notFound))).toEqual(notFound);
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['JSON null', 'null'],
    ['a JSON string', '"refund"'],
    ['an empty object', '{}'],
  ])('decode %s as a miss', (_what, text) => {
    expect(decodeEntry(text)).toBeNull();
  });

  it('decodes an entry of another schema version as a miss', () => {
    const version = (JSON.parse(encodeEntry(ENTRY)) as { v: number }).v;
    expect(decodeEntry(tampered((raw) => (raw.v = version + 1)))).toBeNull();
    expect(decodeEntry(tampered((raw) => (raw.v = version - 1)))).toBeNull();
    expect(decodeEntry(tampered((raw) => (raw.v = String(version))))).toBeNull();
  });

  it.each<[string, (raw: Record<string, unknown>) => void]>([
    ['without its read time', (raw) => delete raw.at],
    ['with a read time that is not a number', (raw) => (raw.at = '1714000000000')],
    ['without its freshness', (raw) => delete raw.fresh],
    ['with a refund that is not an object', (raw) => (raw.refund = 're_1')],
    ['with a refund missing', (raw) => delete raw.refund],
    ['with a refund without an id', (raw) => delete (raw.refund as Record<string, unknown>).id],
    ['with a refund without createdAt', (raw) => delete (raw.refund as Record<string, unknown>).createdAt],
    ['with a createdAt that is no date', (raw) => ((raw.refund as Record<string, unknown>).createdAt = 'yesterday')],
    ['with a refund without an amount', (raw) => delete (raw.refund as Record<string, unknown>).amount],
  ])('decodes an entry %s as a miss', (_what, change) => {
    expect(decodeEntry(tampered(change))).toBeNull();
  });
});
