/**
 * Money: the decimal string follows the ISO 4217 exponent of the currency, exactly, with no
 * floating point anywhere; codes are normalised to upper case and unknown codes are refused.
 */
import { describe, expect, it } from 'vitest';
import { createMoney, currencyExponent, formatMoneyDecimal, UnknownCurrencyError } from '../../src/domain/money.js';

const decimal = (minorUnits: number, currencyCode: string) => formatMoneyDecimal(createMoney(minorUnits, currencyCode));

describe('formatMoneyDecimal', () => {
  it.each([
    [5000, 'JPY', '5000'],
    [12345, 'KWD', '12.345'],
    [1500, 'USD', '15.00'],
    [5, 'USD', '0.05'],
    [50, 'USD', '0.50'],
    [0, 'USD', '0.00'],
    [0, 'JPY', '0'],
    [1, 'KWD', '0.001'],
    [1000, 'BHD', '1.000'],
    [4, 'CLF', '0.0004'],
    [12345, 'CLF', '1.2345'],
    [1299, 'EUR', '12.99'],
    [99999999, 'USD', '999999.99'],
    [15000000000, 'IDR', '150000000.00'],
    [Number.MAX_SAFE_INTEGER, 'USD', '90071992547409.91'],
  ])('%d minor units of %s is %s', (minorUnits, currencyCode, expected) => {
    expect(decimal(minorUnits, currencyCode)).toBe(expected);
  });

  it('keeps the sign of a negative amount, also below one major unit', () => {
    expect(decimal(-5, 'USD')).toBe('-0.05');
    expect(decimal(-12345, 'KWD')).toBe('-12.345');
    expect(decimal(-5000, 'JPY')).toBe('-5000');
  });

  it('reads the exponent whatever the case of the code it is given', () => {
    expect(formatMoneyDecimal({ minorUnits: 12345, currencyCode: 'kwd' })).toBe('12.345');
  });

  it('refuses a currency outside ISO 4217 instead of guessing two decimals', () => {
    expect(() => formatMoneyDecimal({ minorUnits: 100, currencyCode: 'ABC' })).toThrow(UnknownCurrencyError);
  });
});

describe('createMoney', () => {
  it('normalises the currency code to upper case', () => {
    expect(createMoney(2000, 'usd')).toEqual({ minorUnits: 2000, currencyCode: 'USD' });
    expect(createMoney(5000, 'Jpy')).toEqual({ minorUnits: 5000, currencyCode: 'JPY' });
  });

  it('keeps amounts above 2^31 exact', () => {
    expect(createMoney(15000000000, 'idr').minorUnits).toBe(15000000000);
  });

  it('rejects an unknown currency code, naming it', () => {
    expect(() => createMoney(100, 'xyz')).toThrow(new UnknownCurrencyError('xyz'));
    expect(() => createMoney(100, 'xyz')).toThrow('Expected an ISO 4217 currency code, received "xyz"');
    expect(() => createMoney(100, '')).toThrow('Expected an ISO 4217 currency code, received ""');
  });

  it('rejects minor units that are not safe integers', () => {
    expect(() => createMoney(12.5, 'USD')).toThrow('Expected minor units as a safe integer, received 12.5');
    expect(() => createMoney(2 ** 53, 'USD')).toThrow(`received ${2 ** 53}`);
    expect(() => createMoney(Number.NaN, 'USD')).toThrow('received NaN');
  });
});

describe('currencyExponent', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['USD', 2],
    ['EUR', 2],
    ['IDR', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['CLF', 4],
  ])('%s has %d decimals', (code, digits) => {
    expect(currencyExponent(code)).toBe(digits);
    expect(currencyExponent(code.toLowerCase())).toBe(digits);
  });
});
