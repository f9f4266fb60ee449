/**
 * Money as minor units plus an ISO 4217 code. Amounts stay integers end to end; the decimal
 * string is derived from the currency's ISO 4217 exponent, never through floating point.
 */
import currencyCodes from 'currency-codes';

export interface Money {
  /** Integer minor units; may exceed 2^31 (IDR), always within Number.MAX_SAFE_INTEGER. */
  readonly minorUnits: number;
  /** Upper-case ISO 4217 code. */
  readonly currencyCode: string;
}

export class UnknownCurrencyError extends Error {
  override readonly name = 'UnknownCurrencyError';
  constructor(readonly currencyCode: string) {
    super(`Expected an ISO 4217 currency code, received ${JSON.stringify(currencyCode.slice(0, 16))}`);
  }
}

/** ISO 4217 exponents by upper-case code, looked up once each (currency-codes searches its list on every call). */
const exponents = new Map<string, number>();

/** The number of decimal places ISO 4217 gives the currency (JPY 0, USD 2, KWD 3, CLF 4). */
export function currencyExponent(currencyCode: string): number {
  const code = currencyCode.toUpperCase();
  const known = exponents.get(code);
  if (known !== undefined) return known;
  const entry = currencyCodes.code(code);
  if (!entry) throw new UnknownCurrencyError(currencyCode);
  // Only codes ISO 4217 has are kept: the map holds at most its ~180 entries.
  exponents.set(code, entry.digits);
  return entry.digits;
}

/** Builds a Money, normalising the code to upper case and rejecting codes outside ISO 4217. */
export function createMoney(minorUnits: number, currencyCode: string): Money {
  if (!Number.isSafeInteger(minorUnits)) {
    throw new RangeError(`Expected minor units as a safe integer, received ${minorUnits}`);
  }
  // Validated before normalising, so the error quotes the code exactly as received.
  currencyExponent(currencyCode);
  return { minorUnits, currencyCode: currencyCode.toUpperCase() };
}

/** `{1500, USD}` → "15.00", `{5000, JPY}` → "5000", `{12345, KWD}` → "12.345", `{-5, USD}` → "-0.05". */
export function formatMoneyDecimal(money: Money): string {
  const exponent = currencyExponent(money.currencyCode);
  const digits = Math.abs(money.minorUnits).toString();
  const sign = money.minorUnits < 0 ? '-' : '';
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}
