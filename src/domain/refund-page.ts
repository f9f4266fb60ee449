/**
 * One page of refunds, newest first (GraphQL `RefundConnection`): the refunds, where the page ends
 * (an opaque cursor this service owns, never a provider's) and, when known without extra provider
 * calls, how many match in all.
 */
import type { RetrievedRefund } from './retrieved-refund.js';

export interface RefundPage {
  readonly nodes: readonly RetrievedRefund[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  /** Asked only when a client selects `totalCount` (counting may cost a query). */
  readonly totalCount: () => number | null | Promise<number | null>;
}
