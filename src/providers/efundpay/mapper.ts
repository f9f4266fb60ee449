/** efundpay wire refund -> the provider-neutral RefundModel. Pure; unknown values never throw. */
import { createMoney } from '../../domain/money.js';
import type { RefundModel, RefundStatus } from '../../domain/refund.js';
import type { EfundpayRefundWire } from './wire.js';

const STATUSES: Readonly<Record<string, RefundStatus>> = {
  processing: 'PENDING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  declined: 'FAILED',
  voided: 'CANCELED',
};

export function mapEfundpayStatus(status: string): RefundStatus {
  return Object.hasOwn(STATUSES, status) ? STATUSES[status]! : 'UNKNOWN';
}

/** `merchantAccountId` is the account the refund was read under (efundpay scopes reads by it). */
export function mapEfundpayRefund(wire: EfundpayRefundWire, merchantAccountId: string): RefundModel {
  const id = wire.id.toLowerCase();
  return {
    id: `efundpay:${id}`,
    provider: 'EFUNDPAY',
    providerRefundId: id,
    status: mapEfundpayStatus(wire.status),
    providerStatus: wire.status,
    reason: wire.reason ?? null,
    createdAt: new Date(wire.created_at),
    amount: createMoney(wire.amount, wire.currency),
    details: {
      kind: 'EfundpayRefundDetails',
      transactionId: wire.transaction_id,
      merchantAccountId,
      externalIdentifier: wire.external_identifier ?? null,
      transactionExternalIdentifier: wire.transaction_external_identifier ?? null,
    },
  };
}
