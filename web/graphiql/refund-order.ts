/**
 * How the refund table sorts. Pure. Amounts sort by currency first (comparing yen with euros
 * says nothing), then exactly by their decimal strings: no float rounding, even above 2^53.
 * Missing values sort last in either direction.
 */
import type { MoneyShape, RefundRow } from './result-shapes.js';

export type RefundColumn =
  'id' | 'provider' | 'status' | 'providerStatus' | 'amount' | 'createdAt' | 'reason' | 'paymentId';
export type SortDirection = 'ascending' | 'descending';

export interface SortOrder {
  readonly column: RefundColumn;
  readonly direction: SortDirection;
}

/** A stable sort of `rows` by one column; the input is not changed. */
export function sortRefunds(rows: readonly RefundRow[], order: SortOrder): RefundRow[] {
  const sign = order.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const left = a.row[order.column];
      const right = b.row[order.column];
      const leftMissing = left === undefined || left === null;
      const rightMissing = right === undefined || right === null;
      if (leftMissing || rightMissing) {
        return leftMissing === rightMissing ? a.index - b.index : leftMissing ? 1 : -1;
      }
      const compared = compareValues(order.column, left, right);
      return compared === 0 ? a.index - b.index : sign * compared;
    })
    .map(({ row }) => row);
}

function compareValues(
  column: RefundColumn,
  left: NonNullable<RefundRow[RefundColumn]>,
  right: NonNullable<RefundRow[RefundColumn]>,
): number {
  if (column === 'amount') return compareMoney(left as MoneyShape, right as MoneyShape);
  if (column === 'createdAt') return Math.sign(Date.parse(left as string) - Date.parse(right as string));
  return (left as string).localeCompare(right as string, 'en');
}

export function compareMoney(left: MoneyShape, right: MoneyShape): number {
  return left.currencyCode.localeCompare(right.currencyCode, 'en') || compareDecimals(left.decimal, right.decimal);
}

/** Compares two decimal strings such as `-12.5`, `1000`, `0.125` exactly: -1, 0 or 1. */
export function compareDecimals(left: string, right: string): number {
  const a = splitDecimal(left);
  const b = splitDecimal(right);
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude =
    Math.sign(a.integer.length - b.integer.length) || compareDigits(a.integer, b.integer) || compareFractions(a, b);
  return a.negative ? -magnitude : magnitude;
}

interface DecimalParts {
  readonly negative: boolean;
  readonly integer: string;
  readonly fraction: string;
}

function splitDecimal(text: string): DecimalParts {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`Expected a decimal string such as "12.99", received ${JSON.stringify(text)}`);
  const integer = (match[2] ?? '0').replace(/^0+(?=\d)/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const isZero = integer === '0' && fraction === '';
  return { negative: match[1] === '-' && !isZero, integer, fraction };
}

function compareFractions(a: DecimalParts, b: DecimalParts): number {
  const width = Math.max(a.fraction.length, b.fraction.length);
  return compareDigits(a.fraction.padEnd(width, '0'), b.fraction.padEnd(width, '0'));
}

/** Same-length digit strings compare like numbers. */
function compareDigits(left: string, right: string): number {
  return left === right ? 0 : left < right ? -1 : 1;
}
