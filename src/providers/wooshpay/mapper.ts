/** WooshPay wire refund -> the provider-neutral RefundModel. Pure; unknown values never throw. */
import type { RefundStatus } from '../../__generated__/schema-types.js';
import { createMoney } from '../../domain/money.js';
import { mapKnownValue, type RefundModel } from '../../domain/refund.js';
import { wooshPayGlobalId, wooshPayIdentity } from './identity.js';
import {
  WOOSHPAY_FAILURE_REASONS,
  WOOSHPAY_REASONS,
  WOOSHPAY_STATUSES,
  type WooshPayRefundDetailsModel,
} from './model.js';
import type { WooshPayRefundWire } from './wire.js';

function mapWooshPayStatus(status: string): RefundStatus {
  return mapKnownValue(WOOSHPAY_STATUSES, status, 'UNKNOWN');
}

export function mapWooshPayRefund(wire: WooshPayRefundWire): RefundModel {
  const metadata = Object.entries(wire.metadata ?? {})
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const details: WooshPayRefundDetailsModel = {
    kind: 'WooshPayRefundDetails',
    paymentIntentId: wire.payment_intent ?? null,
    // Reasons compare case-insensitively: a differently cased known value is still known.
    reason: wire.reason ? mapKnownValue(WOOSHPAY_REASONS, wire.reason.toLowerCase(), 'UNKNOWN') : null,
    failureReason: wire.failure_reason
      ? mapKnownValue(WOOSHPAY_FAILURE_REASONS, wire.failure_reason.toLowerCase(), 'UNKNOWN')
      : null,
    description: wire.description ?? null,
    receiptNumber: wire.receipt_number ?? null,
    metadata,
  };
  return {
    id: wooshPayGlobalId(wire.id),
    provider: wooshPayIdentity.name,
    providerRefundId: wire.id,
    paymentId: wire.payment_intent ?? null,
    status: mapWooshPayStatus(wire.status),
    providerStatus: wire.status,
    reason: wire.reason ?? null,
    createdAt: new Date(wire.created * 1000),
    amount: createMoney(wire.amount, wire.currency),
    details,
  };
}
