/**
 * Refund ids as clients type them: global ids, bare ids whose format names the provider, and the
 * `provider providerRefundId` entity key. Every rejection is a BAD_USER_INPUT whose message quotes
 * the input, so the client can see which of its ids was wrong.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/domain/errors.js';
import { parseRefundId, parseRefundKey, toGlobalId } from '../../src/providers/ids.js';
import {
  EFUNDPAY_EUR_DOCS_EXAMPLE,
  WOOSHPAY_USD_DOCS_EXAMPLE,
  WOOSHPAY_USD_SPEC_EXAMPLE,
} from '../fixtures/sandbox-refunds.js';

/** The InvalidInputError `fn` throws; fails the test when it throws nothing or something else. */
function rejection(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, but nothing was thrown');
}

describe('parseRefundId: accepted forms', () => {
  it('reads a WooshPay global id', () => {
    expect(parseRefundId(WOOSHPAY_USD_DOCS_EXAMPLE.id)).toEqual({
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId,
    });
  });

  it('reads an efundpay global id', () => {
    expect(parseRefundId(EFUNDPAY_EUR_DOCS_EXAMPLE.id)).toEqual({
      provider: 'EFUNDPAY',
      providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
    });
  });

  it('reads a bare re_… id as WooshPay', () => {
    expect(parseRefundId(WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).toEqual({
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId,
    });
    expect(parseRefundId(WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId)).toEqual({
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_USD_SPEC_EXAMPLE.providerRefundId,
    });
  });

  it('reads a bare UUID as efundpay', () => {
    expect(parseRefundId(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).toEqual({
      provider: 'EFUNDPAY',
      providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
    });
  });

  it('canonicalises efundpay UUIDs to lower case, bare or global, so every spelling is one refund', () => {
    const upper = EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId.toUpperCase();
    const mixed = '6A1d4E46-14ED-4fe1-A45F-eff4e025D211';
    for (const input of [upper, mixed, `efundpay:${upper}`, `efundpay:${mixed}`]) {
      expect(parseRefundId(input)).toEqual({
        provider: 'EFUNDPAY',
        providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
      });
    }
  });

  it('keeps WooshPay ids exactly as given: they are case-sensitive', () => {
    expect(parseRefundId('re_ABCdef123').providerRefundId).toBe('re_ABCdef123');
    expect(parseRefundId('wooshpay:re_abcDEF123').providerRefundId).toBe('re_abcDEF123');
  });

  it('round-trips through toGlobalId', () => {
    for (const input of [WOOSHPAY_USD_DOCS_EXAMPLE.id, EFUNDPAY_EUR_DOCS_EXAMPLE.id]) {
      expect(toGlobalId(parseRefundId(input))).toBe(input);
    }
    expect(toGlobalId(parseRefundId(EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId.toUpperCase()))).toBe(
      EFUNDPAY_EUR_DOCS_EXAMPLE.id,
    );
    expect(toGlobalId(parseRefundId(WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId))).toBe(WOOSHPAY_USD_DOCS_EXAMPLE.id);
  });

  it('accepts WooshPay ids of 1 to 100 characters after re_', () => {
    expect(parseRefundId('re_x').providerRefundId).toBe('re_x');
    const longest = `re_${'a'.repeat(100)}`;
    expect(parseRefundId(longest).providerRefundId).toBe(longest);
  });
});

describe('parseRefundId: rejected input names itself and says what is accepted', () => {
  it('rejects an unknown global id prefix, listing the known ones', () => {
    const error = rejection(() => parseRefundId('stripe:re_123'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe(
      'Invalid refund id "stripe:re_123": a global id starts with one of "wooshpay:<id>", "efundpay:<id>"',
    );
  });

  it('rejects a prefix in the wrong case rather than guessing', () => {
    expect(rejection(() => parseRefundId(`WOOSHPAY:${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}`)).message).toContain(
      `"WOOSHPAY:${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}"`,
    );
  });

  it('rejects a UUID under the wooshpay prefix, explaining the WooshPay format', () => {
    const error = rejection(() => parseRefundId(`wooshpay:${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}`));
    expect(error.message).toBe(
      `Invalid refund id "wooshpay:${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}": expected "re_" followed by 1 to 100 letters or digits for WOOSHPAY`,
    );
  });

  it('rejects a re_ id under the efundpay prefix, explaining the efundpay format', () => {
    const error = rejection(() => parseRefundId(`efundpay:${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}`));
    expect(error.message).toBe(
      `Invalid refund id "efundpay:${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}": expected a UUID such as 6a1d4e46-14ed-4fe1-a45f-eff4e025d211 for EFUNDPAY`,
    );
  });

  it('rejects an empty id and an empty id after a prefix', () => {
    expect(rejection(() => parseRefundId('')).message).toMatch(/^Invalid refund id "": expected a global id/);
    expect(rejection(() => parseRefundId('wooshpay:')).message).toMatch(
      /^Invalid refund id "wooshpay:": expected "re_".* for WOOSHPAY$/,
    );
    expect(rejection(() => parseRefundId('efundpay:')).message).toMatch(
      /^Invalid refund id "efundpay:": expected a UUID .* for EFUNDPAY$/,
    );
    expect(rejection(() => parseRefundId('re_')).message).toContain('"re_"');
  });

  it('rejects surrounding or embedded whitespace instead of trimming it, and shows it in the message', () => {
    for (const input of [
      ` ${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}`,
      `${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId} `,
      `${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}\n`,
      `\t${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}`,
      `wooshpay: ${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}`,
    ]) {
      const error = rejection(() => parseRefundId(input));
      expect(error.message).toContain(JSON.stringify(input));
    }
  });

  it('lists both bare forms when a bare id matches neither provider', () => {
    const error = rejection(() => parseRefundId('ch_3KQu4U2eZvKYlo2C'));
    expect(error.message).toBe(
      'Invalid refund id "ch_3KQu4U2eZvKYlo2C": expected a global id ("wooshpay:<id>", "efundpay:<id>") or a bare id, ' +
        '"re_" followed by 1 to 100 letters or digits (WOOSHPAY) or a UUID such as 6a1d4e46-14ed-4fe1-a45f-eff4e025d211 (EFUNDPAY)',
    );
  });

  it.each([
    ['a UUID without hyphens', '6a1d4e4614ed4fe1a45feff4e025d211'],
    ['a UUID with braces', `{${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}}`],
    ['a UUID with a non-hex letter', '6a1d4e46-14ed-4fe1-a45f-eff4e025d21g'],
    ['a UUID one digit short', '6a1d4e46-14ed-4fe1-a45f-eff4e025d21'],
    ['a re_ id with a slash', 're_abc/../../v1/charges'],
    ['a re_ id with an encoded slash', 're_abc%2F..'],
    ['a re_ id with a query string', 're_abc?expand=charge'],
    ['a re_ id with a hyphen', 're_abc-def'],
    ['a re_ id with a Cyrillic letter', 're_аbc'],
    ['a re_ id with full-width digits', 're_１２３'],
    ['a re_ id of 101 characters', `re_${'a'.repeat(101)}`],
    ['an upper-case RE_ prefix', 'RE_abc123'],
    ['a NUL byte', 're_abc\u0000'],
  ])('rejects %s', (_label, input) => {
    const error = rejection(() => parseRefundId(input));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message.startsWith('Invalid refund id ')).toBe(true);
  });

  it('rejects the same malformed ids behind a global prefix', () => {
    for (const id of ['re_abc/../x', 're_abc%2F', 're_ab cd', `${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}:extra`]) {
      expect(rejection(() => parseRefundId(`wooshpay:${id}`)).message).toContain(JSON.stringify(`wooshpay:${id}`));
    }
    for (const id of [
      `${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}/x`,
      `${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}%00`,
      EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId.replaceAll('-', ''),
    ]) {
      expect(rejection(() => parseRefundId(`efundpay:${id}`)).message).toContain(JSON.stringify(`efundpay:${id}`));
    }
  });

  it('quotes control characters visibly, so a message cannot forge a log line', () => {
    const error = rejection(() => parseRefundId('re_abc\r\n{"level":50}'));
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message).toContain('"re_abc\\r\\n{\\"level\\":50}"');
  });

  it('cuts a very long input in the message and says how long it was', () => {
    const input = `re_${'x'.repeat(5000)}`;
    const error = rejection(() => parseRefundId(input));
    expect(error.message.length).toBeLessThan(400);
    expect(error.message).toContain('(5003 characters)');
    expect(error.message).toContain(input.slice(0, 80));
  });
});

describe('parseRefundKey: the `provider providerRefundId` entity key', () => {
  it('accepts both providers, canonicalising efundpay UUIDs', () => {
    expect(parseRefundKey('WOOSHPAY', WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).toEqual({
      provider: 'WOOSHPAY',
      providerRefundId: WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId,
    });
    expect(parseRefundKey('EFUNDPAY', EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId.toUpperCase())).toEqual({
      provider: 'EFUNDPAY',
      providerRefundId: EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId,
    });
  });

  it('rejects an unknown provider, naming it and the known ones', () => {
    expect(rejection(() => parseRefundKey('PAYPAL', WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).message).toBe(
      'Invalid provider "PAYPAL": expected one of WOOSHPAY, EFUNDPAY',
    );
    expect(rejection(() => parseRefundKey('wooshpay', WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).message).toContain(
      '"wooshpay"',
    );
    expect(rejection(() => parseRefundKey(undefined, WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).message).toContain(
      'Invalid provider',
    );
  });

  it("rejects an id in the other provider's format", () => {
    expect(rejection(() => parseRefundKey('WOOSHPAY', EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId)).message).toBe(
      `Invalid refund id "${EFUNDPAY_EUR_DOCS_EXAMPLE.providerRefundId}": expected "re_" followed by 1 to 100 letters or digits for WOOSHPAY`,
    );
    expect(rejection(() => parseRefundKey('EFUNDPAY', WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId)).message).toContain(
      `"${WOOSHPAY_USD_DOCS_EXAMPLE.providerRefundId}"`,
    );
  });

  it('rejects a providerRefundId that is not a string', () => {
    expect(rejection(() => parseRefundKey('WOOSHPAY', 42)).message).toBe(
      'Invalid providerRefundId "42": expected a string',
    );
    expect(rejection(() => parseRefundKey('EFUNDPAY', null)).message).toContain('expected a string');
  });

  it('does not accept a global id as providerRefundId', () => {
    expect(rejection(() => parseRefundKey('WOOSHPAY', WOOSHPAY_USD_DOCS_EXAMPLE.id)).message).toContain(
      `"${WOOSHPAY_USD_DOCS_EXAMPLE.id}"`,
    );
  });
});
