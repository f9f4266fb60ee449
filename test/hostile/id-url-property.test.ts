/**
 * Property: whatever string a client sends as a refund id, either the allowlist rejects it with
 * BAD_USER_INPUT, or the URL the provider client builds for it stays inside that provider's
 * refund path: exactly one path segment under `/v1/refunds/` (WooshPay) or `/v4/refunds/`
 * (efundpay), no query, no fragment, no dot segments, same origin. The URL is built by the very
 * functions the clients call (`wooshPayRefundPath`, `efundpayRefundPath`, `providerUrl`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/domain/errors.js';
import type { RefundProviderName } from '../../src/domain/refund.js';
import { efundpayRefundPath } from '../../src/providers/efundpay/client.js';
import { providerUrl } from '../../src/providers/http/provider-http.js';
import { parseRefundId, parseRefundKey, type RefundRef } from '../../src/providers/ids.js';
import { wooshPayRefundPath } from '../../src/providers/wooshpay/client.js';
import { EFUNDPAY_EUR_DOCS_EXAMPLE } from '../fixtures/sandbox-refunds.js';

const PROVIDERS: Record<RefundProviderName, { base: string; prefix: string; path: (id: string) => string }> = {
  // The documented defaults, plus a base with a path: the prefix must hold for both.
  WOOSHPAY: { base: 'https://apitest.wooshpay.com', prefix: '/v1/refunds/', path: wooshPayRefundPath },
  EFUNDPAY: { base: 'https://sandbox.efundpay.com/v4', prefix: '/v4/refunds/', path: efundpayRefundPath },
};

/** Asserts the URL for an accepted ref is the provider's refund path plus exactly one segment. */
function assertStaysInRefundPath(ref: RefundRef): void {
  const { base, prefix, path } = PROVIDERS[ref.provider];
  const url = providerUrl(base, path(ref.providerRefundId));
  const baseUrl = new URL(base);
  expect(url.origin).toBe(baseUrl.origin);
  expect(url.search).toBe('');
  expect(url.hash).toBe('');
  expect(url.username + url.password).toBe('');
  expect(url.pathname.startsWith(prefix)).toBe(true);
  const segment = url.pathname.slice(prefix.length);
  expect(segment).not.toBe('');
  expect(segment).not.toContain('/');
  expect(segment).not.toMatch(/^(\.|%2e){1,2}$/i);
  expect(decodeURIComponent(segment)).toBe(ref.providerRefundId);
  // The same URL resolved against the base the other way round agrees: nothing is re-interpreted.
  expect(new URL(path(ref.providerRefundId), `${base}/`).href).toBe(url.href);
}

/** Runs the allowlist; returns the ref, or null when it rejected the input as BAD_USER_INPUT. */
function accepted(parse: () => RefundRef): RefundRef | null {
  try {
    return parse();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).toBe('BAD_USER_INPUT');
    return null;
  }
}

const hostileFragment = fc.constantFrom(
  '',
  '/',
  '../',
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F',
  '%2f',
  '?',
  '#',
  '?expand=x',
  '#x',
  '\\',
  '\r\n',
  '\n',
  '\u0000',
  ' ',
  '\t',
  '%00',
  '@',
  ':',
  ';',
  '&',
  '=',
  '+',
  '%',
  '\u202e',
  '\uff0f',
  '\u2024',
  '／',
  'é',
  '\ud83d\ude00',
);
const prefix = fc.constantFrom(
  're_',
  'wooshpay:',
  'wooshpay:re_',
  'efundpay:',
  'efundpay:re_',
  '../',
  '%',
  'WOOSHPAY:',
  '',
);
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary-ascii' }),
);
const validWooshPay = fc.stringMatching(/^re_[A-Za-z0-9]{1,100}$/);
const validUuid = fc.uuid();

const candidateIds = fc.oneof(
  anyText,
  fc.tuple(prefix, anyText).map(([head, tail]) => head + tail),
  fc
    .tuple(prefix, fc.array(fc.oneof(hostileFragment, anyText), { maxLength: 6 }))
    .map(([head, parts]) => head + parts.join('')),
  // Valid ids, alone and with hostile text around them: most of these must be rejected.
  validWooshPay,
  validUuid,
  fc
    .tuple(fc.constantFrom('', 'wooshpay:', 'efundpay:'), fc.oneof(validWooshPay, validUuid), hostileFragment, anyText)
    .map(([head, id, hostile, tail]) => head + id + hostile + tail),
  fc.tuple(hostileFragment, fc.oneof(validWooshPay, validUuid)).map(([hostile, id]) => hostile + id),
);

describe('no refund id ever builds a URL outside the provider refund path', () => {
  it('holds for parseRefundId (refund, refunds, _entities { id })', () => {
    let acceptedCount = 0;
    fc.assert(
      fc.property(candidateIds, (input) => {
        const ref = accepted(() => parseRefundId(input));
        if (ref === null) return;
        acceptedCount += 1;
        expect(PROVIDERS[ref.provider]).toBeDefined();
        assertStaysInRefundPath(ref);
      }),
      { numRuns: 5000 },
    );
    // The property is not vacuous: the generators do produce ids that pass the allowlist.
    expect(acceptedCount).toBeGreaterThan(100);
  });

  it('holds for parseRefundKey (_entities { provider providerRefundId })', () => {
    const names = Object.keys(PROVIDERS) as RefundProviderName[];
    const acceptedCount = Object.fromEntries(names.map((name) => [name, 0])) as Record<RefundProviderName, number>;
    fc.assert(
      fc.property(fc.constantFrom(...names), candidateIds, (provider, input) => {
        const ref = accepted(() => parseRefundKey(provider, input));
        if (ref === null) return;
        acceptedCount[provider] += 1;
        expect(ref.provider).toBe(provider);
        assertStaysInRefundPath(ref);
      }),
      { numRuns: 5000 },
    );
    // Not vacuous: for each provider, the generators produce keys that pass the allowlist.
    expect(acceptedCount.WOOSHPAY).toBeGreaterThan(100);
    expect(acceptedCount.EFUNDPAY).toBeGreaterThan(100);
  });

  it.each([
    '../../v1/balance',
    '..',
    '%2e%2e',
    're_1?expand=x',
    're_1#x',
    're_1/../../v1/balance',
    're_1%2F..%2F..%2Fv1%2Fbalance',
    'wooshpay:re_1/../balance',
    `${EFUNDPAY_EUR_DOCS_EXAMPLE.id}/..`,
    're_1\r\nHost: evil',
    're_1\u0000',
  ])('rejects %j before any URL exists', (input) => {
    expect(() => parseRefundId(input)).toThrow(InvalidInputError);
    expect(() => parseRefundKey('WOOSHPAY', input)).toThrow(InvalidInputError);
  });
});
