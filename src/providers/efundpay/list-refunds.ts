/**
 * `GET /v4/transactions/{transaction_id}/refunds`: every refund of one transaction, following
 * efundpay's `next_cursor` page by page (pages of 100, at most MAX_LIST_PAGES), each page one call
 * through the client's HTTP core (retries, deadline, breaker, budget). efundpay's cursor never
 * leaves this file.
 */
import { z } from 'zod';
import type { RefundModel } from '../../domain/refund.js';
import type { ProviderHttp } from '../http/provider-http.js';
import type { ProviderAnswer } from '../http/provider-request.js';
import type { ListedRefunds, ProviderCallContext } from '../port.js';
import { isEfundpayNotFoundBody } from './errors.js';

/** Pages read at most for one transaction: 1,000 refunds, far above any real payment's. */
export const MAX_LIST_PAGES = 10;
export const LIST_PAGE_SIZE = 100;

/** One page of a transaction's refunds: the items as sent, and the cursor of the next page. */
export const efundpayRefundPageSchema = z.looseObject({
  items: z.array(z.unknown()),
  next_cursor: z.string().nullish(),
});
export type EfundpayRefundPage = z.infer<typeof efundpayRefundPageSchema>;

/** A transaction's refunds (`POST` there creates one). */
export function efundpayTransactionRefundsPath(transactionId: string): string {
  return `transactions/${encodeURIComponent(transactionId)}/refunds`;
}

/** The page of a transaction's refunds after `cursor` (the first page for null), LIST_PAGE_SIZE at a time. */
export function efundpayTransactionRefundsListPath(transactionId: string, cursor: string | null): string {
  const query = `?limit=${LIST_PAGE_SIZE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
  return `${efundpayTransactionRefundsPath(transactionId)}${query}`;
}

export function createEfundpayRefundLister(
  http: ProviderHttp,
  parseRefund: (body: unknown) => RefundModel,
): (transactionId: string, context: ProviderCallContext) => Promise<ListedRefunds | null> {
  return async (transactionId, context) => {
    const refunds: RefundModel[] = [];
    const seenCursors = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const answer: ProviderAnswer<EfundpayRefundPage> = await http.send(
        {
          method: 'GET',
          path: efundpayTransactionRefundsListPath(transactionId, cursor),
          retry: 'idempotent-read',
          parse: (body) => efundpayRefundPageSchema.parse(body),
          refusal: (status, body) => status === 404 && isEfundpayNotFoundBody(body),
        },
        context,
      );
      if (!answer.ok) return null;
      for (const item of answer.value.items) refunds.push(parseRefund(item));
      cursor = answer.value.next_cursor ?? null;
      // A cursor seen before would loop forever: the list ends there.
      if (cursor === null || seenCursors.has(cursor)) return { refunds, complete: true };
      seenCursors.add(cursor);
    }
    return { refunds, complete: false };
  };
}
