import { describe, expect, it } from 'vitest';
import { safeProviderCode } from '../../src/providers/http/provider-code.js';

describe('safeProviderCode', () => {
  it.each(['resource_missing', 'value_error.currency_mismatch', 'a', `a${'b'.repeat(63)}`])(
    'keeps the code %s',
    (code) => {
      expect(safeProviderCode(code)).toBe(code);
    },
  );

  it.each([undefined, '', 'Resource missing', 'amount too large', '1abc', 'code\nforged', `a${'b'.repeat(64)}`])(
    'drops %j, which is not a code',
    (code) => {
      expect(safeProviderCode(code)).toBeUndefined();
    },
  );
});
