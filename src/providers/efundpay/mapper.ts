/** efundpay wire refund -> the provider-neutral RefundModel. Pure; unknown values never throw. */
import type { RefundStatus } from '../../__generated__/schema-types.js';
import { createMoney } from '../../domain/money.js';
import { mapKnownValue, type RefundModel } from '../../domain/refund.js';
import { efundpayGlobalId, efundpayIdentity } from './identity.js';
import { EFUNDPAY_STATUSES, type EfundpayRefundDetailsModel } from './model.js';
import type { EfundpayRefundWire } from './wire.js';

function mapEfundpayStatus(status: string): RefundStatus {
  return mapKnownValue(EFUNDPAY_STATUSES, status, 'UNKNOWN');
}

/** `merchantAccountId` is the account the refund was read under (efundpay scopes reads by it). */
export function mapEfundpayRefund(wire: EfundpayRefundWire, merchantAccountId: string): RefundModel {
  const id = wire.id.toLowerCase();
  const details: EfundpayRefundDetailsModel = {
    kind: 'EfundpayRefundDetails',
    transactionId: wire.transaction_id,
    merchantAccountId,
    externalIdentifier: wire.external_identifier ?? null,
    transactionExternalIdentifier: wire.transaction_external_identifier ?? null,
  };
  return {
    id: efundpayGlobalId(id),
    provider: efundpayIdentity.name,
    providerRefundId: id,
    paymentId: wire.transaction_id,
    status: mapEfundpayStatus(wire.status),
    providerStatus: wire.status,
    reason: wire.reason ?? null,
    createdAt: new Date(wire.created_at),
    amount: createMoney(wire.amount, wire.currency),
    details,
  };
}
