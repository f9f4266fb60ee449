/**
 * A refund as the ledger holds it, served as the same `Refund` entity as by id: every field the
 * ledger records (status, amount, reason, times, payment) comes from the row, with `retrievedAt`
 * the time of the provider answer the row holds. The provider's own fields (`details`) are not in
 * the ledger: the row carries LEDGER_ONLY_DETAILS instead, and `Refund.details` reads such a
 * refund like `refund(id)` does (cache, then provider) only when a client asks for them.
 */
import { createMoney } from '../../domain/money.js';
import type { RefundDetailsModel, RefundProviderName, RefundStatus } from '../../domain/refund.js';
import type { RetrievedRefund } from '../../domain/retrieved-refund.js';
import { toGlobalId } from '../../providers/ids.js';
import { fromSqlTime } from '../../store/sql/sql-database.js';
import type { LedgerRow } from './ledger-queries.js';

/** Marks a refund built from a ledger row: its details are read on demand. */
export const LEDGER_ONLY_DETAILS: RefundDetailsModel = Object.freeze({ kind: 'LedgerOnly' });

export function hasLedgerOnlyDetails(refund: { readonly details: RefundDetailsModel }): boolean {
  return refund.details === LEDGER_ONLY_DETAILS;
}

export type LedgerRefundNode = RetrievedRefund & { readonly lastChangedAt: Date };

export function ledgerNode(row: LedgerRow): LedgerRefundNode {
  const provider = row.provider as RefundProviderName;
  const retrievedAt = fromSqlTime(row.observed_at);
  return {
    id: toGlobalId({ provider, providerRefundId: row.provider_refund_id }),
    provider,
    providerRefundId: row.provider_refund_id,
    paymentId: row.payment_id,
    status: row.status as RefundStatus,
    providerStatus: row.provider_status,
    reason: row.reason,
    createdAt: fromSqlTime(row.created_at),
    amount: createMoney(Number(row.amount_minor), row.currency_code),
    details: LEDGER_ONLY_DETAILS,
    retrievedAt,
    // Search answers are never cached (private, no-store), so no freshness is promised.
    freshUntil: retrievedAt,
    stale: false,
    lastChangedAt: fromSqlTime(row.last_changed_at),
  };
}
