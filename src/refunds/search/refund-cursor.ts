/**
 * The opaque cursor of every refund list this service pages (search, a payment's refunds): the
 * keyset of the last refund of a page in the one order lists have, newest first —
 * `createdAt desc, provider, providerRefundId`. A page after a cursor starts strictly after that
 * key, so refunds recorded since (newer or older) never shift or repeat the pages that follow.
 * Never a provider's cursor. Anything that does not decode is BAD_USER_INPUT.
 */
import { InvalidInputError, quoteInput } from '../../domain/errors.js';

export interface RefundKeyset {
  readonly createdAt: Date;
  readonly provider: string;
  readonly providerRefundId: string;
}

const VERSION = 'r1';

export function encodeCursor(key: RefundKeyset): string {
  return Buffer.from(
    JSON.stringify([VERSION, key.createdAt.toISOString(), key.provider, key.providerRefundId]),
    'utf8',
  ).toString('base64url');
}

export function decodeCursor(cursor: string): RefundKeyset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 4 &&
    parsed[0] === VERSION &&
    parsed.slice(1).every((part) => typeof part === 'string')
  ) {
    const createdAt = new Date(parsed[1] as string);
    if (!Number.isNaN(createdAt.getTime())) {
      return { createdAt, provider: parsed[2] as string, providerRefundId: parsed[3] as string };
    }
  }
  throw new InvalidInputError(
    `Invalid cursor ${quoteInput(cursor)}: pass the pageInfo.endCursor of an earlier page of the same list`,
  );
}

/** Newest first; ties by provider, then provider refund id (ascending): the lists' one order. */
export function compareKeysets(a: RefundKeyset, b: RefundKeyset): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
  if (a.providerRefundId !== b.providerRefundId) return a.providerRefundId < b.providerRefundId ? -1 : 1;
  return 0;
}

/** The number of refunds a page holds: `first` between 1 and `max`, else BAD_USER_INPUT. */
export function pageSize(first: number | null | undefined, fallback: number, max: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new InvalidInputError(`first must be between 1 and ${max}, received ${String(size)}`);
  }
  return size;
}
