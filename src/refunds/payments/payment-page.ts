/**
 * Paging a payment's refunds (`Payment.refunds(first, after)`) and its totals. The page is cut from
 * the whole list in the lists' one order with this service's cursor; the refunds a list did not
 * bring (ledger lists) are read by id through `readRefunds` (the request's refund loader: the same
 * entity, the same cache as `refund(id)`). A refund its provider no longer has is left out.
 */
import type { Money } from '../../domain/money.js';
import type { RefundStatus } from '../../domain/refund.js';
import type { RefundPage } from '../../domain/refund-page.js';
import type { RetrievedRefund } from '../../domain/retrieved-refund.js';
import type { RefundRef } from '../../providers/ids.js';
import { compareKeysets, decodeCursor, encodeCursor, pageSize } from '../search/refund-cursor.js';
import { MAX_PAGE_SIZE } from '../search/refund-search.js';
import { sumOf, type PaymentRefundList } from './payment-refunds.js';

export const DEFAULT_PAYMENT_PAGE_SIZE = 20;

const SUCCEEDED: ReadonlySet<RefundStatus> = new Set(['SUCCEEDED']);
const PENDING: ReadonlySet<RefundStatus> = new Set(['PENDING', 'REQUIRES_ACTION']);

export async function paymentRefundsPage(
  list: PaymentRefundList,
  args: { readonly first?: number | null; readonly after?: string | null },
  readRefunds: (refs: readonly RefundRef[]) => Promise<Array<RetrievedRefund | null | Error>>,
): Promise<RefundPage> {
  const size = pageSize(args.first, DEFAULT_PAYMENT_PAGE_SIZE, MAX_PAGE_SIZE);
  const after = args.after == null ? null : decodeCursor(args.after);
  const rest = after === null ? list.items : list.items.filter((item) => compareKeysets(item.keyset, after) > 0);
  const page = rest.slice(0, size);
  const missing = page.filter((item) => item.refund === null);
  const read = missing.length === 0 ? [] : await readRefunds(missing.map((item) => item.ref));
  const failed = read.find((entry): entry is Error => entry instanceof Error);
  if (failed) throw failed;
  const byIndex = new Map(missing.map((item, index) => [item, read[index] as RetrievedRefund | null]));
  const nodes = page
    .map((item) => item.refund ?? byIndex.get(item) ?? null)
    .filter((refund): refund is RetrievedRefund => refund !== null);
  const last = page.at(-1);
  return {
    nodes,
    pageInfo: { hasNextPage: rest.length > size, endCursor: last ? encodeCursor(last.keyset) : null },
    totalCount: () => list.items.length,
  };
}

export function refundedAmount(list: PaymentRefundList): Money | null {
  return sumOf(list, SUCCEEDED);
}

export function pendingRefundAmount(list: PaymentRefundList): Money | null {
  return sumOf(list, PENDING);
}
