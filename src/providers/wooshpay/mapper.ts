/** WooshPay wire refund -> the provider-neutral RefundModel. Pure; unknown values never throw. */
import { createMoney } from '../../domain/money.js';
import {
  WOOSHPAY_FAILURE_REASONS,
  WOOSHPAY_REFUND_REASONS,
  toKnownEnumValue,
  type RefundModel,
  type RefundStatus,
} from '../../domain/refund.js';
import type { WooshPayRefundWire } from './wire.js';

const STATUSES: Readonly<Record<string, RefundStatus>> = {
  pending: 'PENDING',
  requires_action: 'REQUIRES_ACTION',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  canceled: 'CANCELED',
};

export function mapWooshPayStatus(status: string): RefundStatus {
  return Object.hasOwn(STATUSES, status) ? STATUSES[status]! : 'UNKNOWN';
}

export function mapWooshPayRefund(wire: WooshPayRefundWire): RefundModel {
  const metadata = Object.entries(wire.metadata ?? {})
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    id: `wooshpay:${wire.id}`,
    provider: 'WOOSHPAY',
    providerRefundId: wire.id,
    status: mapWooshPayStatus(wire.status),
    providerStatus: wire.status,
    reason: wire.reason ?? null,
    createdAt: new Date(wire.created * 1000),
    amount: createMoney(wire.amount, wire.currency),
    details: {
      kind: 'WooshPayRefundDetails',
      paymentIntentId: wire.payment_intent ?? null,
      reason: wire.reason ? toKnownEnumValue(WOOSHPAY_REFUND_REASONS, wire.reason, 'UNKNOWN') : null,
      failureReason: wire.failure_reason
        ? toKnownEnumValue(WOOSHPAY_FAILURE_REASONS, wire.failure_reason, 'UNKNOWN')
        : null,
      description: wire.description ?? null,
      receiptNumber: wire.receipt_number ?? null,
      metadata,
    },
  };
}
