/**
 * The names an idempotency key is known by: the record's store key, the key the provider sees,
 * the audit hash, and the input fingerprint. Each is stable for its scope, different for any other
 * scope, and never contains the caller's key.
 */
import { describe, expect, it } from 'vitest';
import {
  idempotencyKeyHash,
  idempotencyRecordKey,
  inputFingerprint,
  providerIdempotencyKey,
  type IdempotencyScope,
} from '../../src/refunds/create/idempotency-keys.js';
import { validateCreateRefundInput } from '../../src/refunds/create/validate-input.js';
import type { CreateRefundInput } from '../../src/__generated__/schema-types.js';

const SCOPE: IdempotencyScope = {
  provider: 'WOOSHPAY',
  account: 'acct_9f86d081',
  caller: 'https://issuer.example.com|user-1',
  key: 'order-77-refund-1',
};

/** The scope with one field changed at a time, plus ones that only move text between fields. */
const OTHER_SCOPES: IdempotencyScope[] = [
  { ...SCOPE, provider: 'EFUNDPAY' },
  { ...SCOPE, account: 'acct_other' },
  { ...SCOPE, caller: 'https://issuer.example.com|user-2' },
  { ...SCOPE, key: 'order-77-refund-2' },
  { ...SCOPE, caller: `${SCOPE.caller}order`, key: '-77-refund-1' },
  { ...SCOPE, account: `${SCOPE.account}https:`, caller: '//issuer.example.com|user-1' },
];

describe('idempotencyRecordKey', () => {
  it('is a versioned SHA-256 of the scope, the same for the same scope', () => {
    expect(idempotencyRecordKey(SCOPE)).toMatch(/^idempotency:v1:[0-9a-f]{64}$/);
    expect(idempotencyRecordKey({ ...SCOPE })).toBe(idempotencyRecordKey(SCOPE));
  });

  it('differs for every other scope, including text moved from one field to the next', () => {
    const keys = new Set([SCOPE, ...OTHER_SCOPES].map(idempotencyRecordKey));
    expect(keys.size).toBe(OTHER_SCOPES.length + 1);
  });

  it('does not contain the caller, the account or the key', () => {
    const key = idempotencyRecordKey(SCOPE);
    for (const part of [SCOPE.key, SCOPE.caller, SCOPE.account]) expect(key).not.toContain(part);
  });
});

describe('providerIdempotencyKey', () => {
  it('is "rfd-" and 32 hex digits (fits a 50-character refund reference), the same for the same scope', () => {
    const key = providerIdempotencyKey(SCOPE);
    expect(key).toMatch(/^rfd-[0-9a-f]{32}$/);
    expect(key.length).toBeLessThanOrEqual(50);
    expect(providerIdempotencyKey({ ...SCOPE })).toBe(key);
  });

  it('differs for every other scope, and from the record key of the same scope', () => {
    const keys = new Set([SCOPE, ...OTHER_SCOPES].map(providerIdempotencyKey));
    expect(keys.size).toBe(OTHER_SCOPES.length + 1);
    const recordHash = idempotencyRecordKey(SCOPE).slice('idempotency:v1:'.length);
    expect(recordHash).not.toContain(providerIdempotencyKey(SCOPE).slice('rfd-'.length));
  });
});

describe('idempotencyKeyHash', () => {
  it('is 16 hex digits, stable, different per key, and not the key', () => {
    const hash = idempotencyKeyHash(SCOPE.key);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(idempotencyKeyHash(SCOPE.key)).toBe(hash);
    expect(idempotencyKeyHash('order-77-refund-2')).not.toBe(hash);
    expect(hash).not.toContain(SCOPE.key);
  });
});

describe('inputFingerprint', () => {
  const input: CreateRefundInput = {
    provider: 'WOOSHPAY',
    paymentId: 'pi_1787730900000000001',
    amount: { minorUnits: 1200, currencyCode: 'USD' },
    reason: 'REQUESTED_BY_CUSTOMER',
    note: 'Damaged parcel',
    metadata: [
      { key: 'agent', value: 'jdoe' },
      { key: 'order', value: 'A-77' },
    ],
    idempotencyKey: 'order-77-refund-1',
  };
  const fingerprint = (change: Partial<CreateRefundInput>) =>
    inputFingerprint(validateCreateRefundInput({ ...input, ...change }));

  it('is a SHA-256, the same for the same refund however it is written', () => {
    const base = fingerprint({});
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint({ amount: { minorUnits: 1200, currencyCode: 'usd' } })).toBe(base);
    expect(fingerprint({ metadata: [...input.metadata!].reverse() })).toBe(base);
    // The caller's key is not part of the input: a repeat with another key is the same refund.
    expect(fingerprint({ idempotencyKey: 'another-key-000' })).toBe(base);
    const noNote = fingerprint({ note: null });
    expect(fingerprint({ note: '  ' })).toBe(noNote);
    expect(fingerprint({ note: undefined })).toBe(noNote);
  });

  it('differs when anything that makes the refund differs', () => {
    const changes: Array<Partial<CreateRefundInput>> = [
      { paymentId: 'pi_1787730900000000002' },
      { amount: { minorUnits: 1201, currencyCode: 'USD' } },
      { amount: { minorUnits: 1200, currencyCode: 'EUR' } },
      { amount: null },
      { reason: 'DUPLICATE' },
      { note: 'Damaged parcel!' },
      { note: null },
      { metadata: [{ key: 'agent', value: 'jdoe' }] },
      {
        metadata: [
          { key: 'agent', value: 'jdoe' },
          { key: 'order', value: 'A-78' },
        ],
      },
      { metadata: [{ key: 'agentorder', value: 'jdoeA-77' }] },
      { provider: 'EFUNDPAY', paymentId: '21e7e301-81e7-4e5a-9928-d35624e5aefc', metadata: [] },
    ];
    const fingerprints = new Set([fingerprint({}), ...changes.map(fingerprint)]);
    expect(fingerprints.size).toBe(changes.length + 1);
  });
});
