/**
 * refundSearch and refundSummary: over the ledger only (no provider call), for the caller the
 * authorizer lets read (`refunds:read`: a verified JWT in production, anyone in the sandbox).
 * Input is checked before any query: the filter (refund-filter.ts), `first` (1 to
 * MAX_PAGE_SIZE), the cursor, and a DAY summary's range. A summary of more than MAX_SUMMARY_ROWS
 * rows is refused, saying how to narrow it.
 */
import type { RefundFilter, RefundSummaryDimension } from '../../__generated__/schema-types.js';
import type { Permission, RefundAuthorizer } from '../../auth/refund-authorizer.js';
import { InvalidInputError } from '../../domain/errors.js';
import { createMoney, type Money } from '../../domain/money.js';
import type { RefundProviderName, RefundStatus } from '../../domain/refund.js';
import type { RefundPage } from '../../domain/refund-page.js';
import type { LedgerQueries } from './ledger-queries.js';
import { rowKeyset } from './ledger-queries.js';
import { ledgerNode } from './ledger-node.js';
import { decodeCursor, encodeCursor, pageSize } from './refund-cursor.js';
import { checkSummaryRange, toLedgerFilter } from './refund-filter.js';

export const REFUND_READ_SCOPE = 'refunds:read';
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_SEARCH_PAGE_SIZE = 50;
export const MAX_SUMMARY_ROWS = 1000;

const SEARCH: Permission = { operation: 'refundSearch', scope: REFUND_READ_SCOPE };
const SUMMARY: Permission = { operation: 'refundSummary', scope: REFUND_READ_SCOPE };

export interface SummaryRowModel {
  readonly provider: RefundProviderName | null;
  readonly status: RefundStatus | null;
  readonly currencyCode: string | null;
  readonly day: string | null;
  readonly reason: string | null;
  readonly count: number;
  readonly amount: Money | null;
}

export interface SearchArgs {
  readonly filter?: RefundFilter | null;
  readonly first?: number | null;
  readonly after?: string | null;
}

export interface SummaryArgs {
  readonly filter?: RefundFilter | null;
  readonly groupBy: readonly RefundSummaryDimension[];
}

export interface RefundSearch {
  search(args: SearchArgs, authorization: string | undefined): Promise<RefundPage>;
  summarize(args: SummaryArgs, authorization: string | undefined): Promise<SummaryRowModel[]>;
}

export interface RefundSearchOptions {
  readonly queries: LedgerQueries;
  readonly authorizer: RefundAuthorizer;
  readonly now?: () => Date;
}

export function createRefundSearch(options: RefundSearchOptions): RefundSearch {
  const { queries, authorizer } = options;
  const now = options.now ?? (() => new Date());

  async function allow(authorization: string | undefined, permission: Permission): Promise<void> {
    const caller = await authorizer.authenticate(authorization, permission);
    authorizer.requireScope(caller, permission);
  }

  return {
    async search(args, authorization) {
      await allow(authorization, SEARCH);
      const filter = toLedgerFilter(args.filter);
      const size = pageSize(args.first, DEFAULT_SEARCH_PAGE_SIZE, MAX_PAGE_SIZE);
      const after = args.after == null ? null : decodeCursor(args.after);
      // One more than asked says whether another page follows.
      const rows = await queries.page(filter, size + 1, after);
      const pageRows = rows.slice(0, size);
      const last = pageRows.at(-1);
      let counted: Promise<number> | null = null;
      return {
        nodes: pageRows.map(ledgerNode),
        pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(rowKeyset(last)) : null },
        totalCount: () => (counted ??= queries.count(filter)),
      };
    },

    async summarize(args, authorization) {
      await allow(authorization, SUMMARY);
      const filter = toLedgerFilter(args.filter);
      checkSummaryRange(filter, args.groupBy, now());
      const rows = await queries.summarize(filter, args.groupBy, MAX_SUMMARY_ROWS + 1);
      if (rows.length > MAX_SUMMARY_ROWS) {
        throw new InvalidInputError(
          `This summary has more than ${MAX_SUMMARY_ROWS} rows: narrow it with filter.createdFrom/createdTo, provider, status or currencyCode, or group by fewer dimensions`,
        );
      }
      return rows.map((row) => ({
        provider: row.provider,
        status: row.status,
        currencyCode: row.currencyCode,
        day: row.day,
        reason: row.reason,
        count: row.count,
        amount:
          row.amountMinor === null || row.amountCurrency === null
            ? null
            : createMoney(row.amountMinor, row.amountCurrency),
      }));
    },
  };
}
