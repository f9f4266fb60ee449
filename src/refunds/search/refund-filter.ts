/**
 * A search's filter as clients send it (GraphQL `RefundFilter`) -> the ledger's filter, checked
 * before any query: a `createdTo` not after `createdFrom`, a currency outside ISO 4217, or a bad
 * payment id is BAD_USER_INPUT. Every field given must match (AND); none means every refund.
 */
import type { RefundFilter, RefundSummaryDimension } from '../../__generated__/schema-types.js';
import { InvalidInputError, quoteInput } from '../../domain/errors.js';
import { currencyExponent, UnknownCurrencyError } from '../../domain/money.js';
import type { PaymentRef } from '../../domain/payment.js';
import type { RefundProviderName, RefundStatus } from '../../domain/refund.js';
import { parsePaymentId } from '../../providers/ids.js';

export interface LedgerFilter {
  readonly provider?: RefundProviderName;
  /** Any of these; absent means any status. */
  readonly statuses?: readonly RefundStatus[];
  /** Upper-case ISO 4217. */
  readonly currencyCode?: string;
  /** Inclusive. */
  readonly createdFrom?: Date;
  /** Exclusive. */
  readonly createdTo?: Date;
  readonly payment?: PaymentRef;
  /** The actor (JWT `sub`) that created the refund through this service. */
  readonly actor?: string;
}

/** A `DAY` summary covers at most this many days, so it has at most that many days of rows. */
export const MAX_DAY_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

export function toLedgerFilter(filter: RefundFilter | null | undefined): LedgerFilter {
  if (!filter) return {};
  const createdFrom = toDate(filter.createdFrom, 'createdFrom');
  const createdTo = toDate(filter.createdTo, 'createdTo');
  if (createdFrom && createdTo && createdTo.getTime() <= createdFrom.getTime()) {
    throw new InvalidInputError(
      `createdTo (${createdTo.toISOString()}) must be after createdFrom (${createdFrom.toISOString()}): createdFrom is inclusive, createdTo exclusive`,
    );
  }
  return {
    ...(filter.provider ? { provider: filter.provider } : {}),
    ...(filter.status && filter.status.length > 0 ? { statuses: [...new Set(filter.status)] } : {}),
    ...(filter.currencyCode != null ? { currencyCode: checkedCurrency(filter.currencyCode) } : {}),
    ...(createdFrom ? { createdFrom } : {}),
    ...(createdTo ? { createdTo } : {}),
    ...(filter.paymentId != null ? { payment: parsePaymentId(filter.paymentId) } : {}),
    ...(filter.createdBy != null ? { actor: filter.createdBy } : {}),
  };
}

/**
 * A summary grouped by DAY needs a bounded range: `createdFrom` given and at most
 * MAX_DAY_RANGE_DAYS before `createdTo` (now when omitted).
 */
export function checkSummaryRange(filter: LedgerFilter, groupBy: readonly RefundSummaryDimension[], now: Date): void {
  if (!groupBy.includes('DAY')) return;
  if (!filter.createdFrom) {
    throw new InvalidInputError(
      `A summary grouped by DAY needs filter.createdFrom (and createdTo, or now), at most ${MAX_DAY_RANGE_DAYS} days apart`,
    );
  }
  const end = filter.createdTo ?? now;
  const days = (end.getTime() - filter.createdFrom.getTime()) / DAY_MS;
  if (days > MAX_DAY_RANGE_DAYS) {
    throw new InvalidInputError(
      `A summary grouped by DAY covers at most ${MAX_DAY_RANGE_DAYS} days; createdFrom to ${filter.createdTo ? 'createdTo' : 'now'} is ${Math.ceil(days)} days: narrow the range`,
    );
  }
}

function checkedCurrency(code: string): string {
  try {
    currencyExponent(code);
  } catch (error) {
    if (error instanceof UnknownCurrencyError) {
      throw new InvalidInputError(`Unknown currency ${quoteInput(code)}: expected an ISO 4217 code such as EUR`);
    }
    throw error;
  }
  return code.toUpperCase();
}

function toDate(value: Date | string | null | undefined, name: string): Date | undefined {
  if (value == null) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidInputError(`Invalid ${name} ${quoteInput(value)}`);
  return date;
}
