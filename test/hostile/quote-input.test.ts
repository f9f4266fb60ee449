/**
 * quoteInput, the one way client input enters a message: JSON-escaped, disguising characters
 * shown as \uXXXX, cut to a readable length, and safe for input of any depth or width.
 */
import { describe, expect, it } from 'vitest';
import { quoteInput } from '../../src/domain/errors.js';

describe('quoteInput', () => {
  it('shows controls, bidi controls, zero-width and other invisible characters as \\uXXXX', () => {
    expect(quoteInput('a\u202eb\u200bc\u2066d\ufeffe\u00a0f\u2028g\u0007h\u00adi\u{e0041}j')).toBe(
      '"a\\u202Eb\\u200Bc\\u2066d\\uFEFFe\\u00A0f\\u2028g\\u0007h\\u00ADi\\uDB40\\uDC41j"',
    );
  });

  it('keeps letters, accents, emoji and ordinary spaces as they are', () => {
    expect(quoteInput('re_ünïcödé 😀 日本')).toBe('"re_ünïcödé 😀 日本"');
  });

  it('keeps the existing shape for long strings, without splitting a surrogate pair', () => {
    expect(quoteInput('a'.repeat(100))).toBe(`"${'a'.repeat(80)}…" (100 characters)`);
    expect(quoteInput(`${'a'.repeat(79)}😀tail`)).toBe(`"${'a'.repeat(79)}…" (85 characters)`);
  });

  it('previews input nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(quoteInput(deep)).toBe('"[[[[[…]]]]]"');
  });

  it('previews wide and mixed input within the length limit', () => {
    expect(quoteInput({ a: 1, b: [true, null, 'x'] })).toBe('"{\\"a\\":1,\\"b\\":[true,null,\\"x\\"]}"');
    const wide = quoteInput(Array.from({ length: 1_000_000 }, () => 1));
    expect(wide).toBe(`"[${'1,'.repeat(40)}`.slice(0, 81) + '…"');
    expect(quoteInput(undefined)).toBe('"undefined"');
  });
});
