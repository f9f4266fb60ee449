/** Refunds for the search and payment tests: both providers, several currencies, days and payments. */
import { randomUUID } from 'node:crypto';
import { createMoney } from '../../src/domain/money.js';
import type { RefundModel, RefundProviderName, RefundStatus } from '../../src/domain/refund.js';

let sequence = 0;

export interface RefundSpec {
  readonly provider?: RefundProviderName;
  readonly status?: RefundStatus;
  readonly amountMinor?: number;
  readonly currencyCode?: string;
  readonly createdAt?: string | Date;
  readonly paymentId?: string | null;
  readonly reason?: string | null;
  readonly providerRefundId?: string;
}

/** A refund model as a provider's mapper would make it (ids unique per call unless given). */
export function refund(spec: RefundSpec = {}): RefundModel {
  sequence += 1;
  const provider = spec.provider ?? 'WOOSHPAY';
  const providerRefundId =
    spec.providerRefundId ?? (provider === 'WOOSHPAY' ? `re_search${process.pid}x${sequence}` : randomUUID());
  const status = spec.status ?? 'SUCCEEDED';
  return {
    id: `${provider.toLowerCase()}:${providerRefundId}`,
    provider,
    providerRefundId,
    paymentId:
      spec.paymentId === undefined
        ? provider === 'WOOSHPAY'
          ? 'pi_1787730900000000001'
          : '3f8a9c1e-7b2d-4e6f-9a0b-1c2d3e4f5a60'
        : spec.paymentId,
    status,
    providerStatus: status.toLowerCase(),
    reason: spec.reason === undefined ? 'requested_by_customer' : spec.reason,
    createdAt: new Date(spec.createdAt ?? '2025-03-01T11:00:00.000Z'),
    amount: createMoney(spec.amountMinor ?? 1500, spec.currencyCode ?? 'USD'),
    details: { kind: provider === 'WOOSHPAY' ? 'WooshPayRefundDetails' : 'EfundpayRefundDetails' },
  };
}

/** The lists' order: newest first, then provider, then provider refund id. */
export function listOrder(a: RefundModel, b: RefundModel): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  if (a.provider !== b.provider) return a.provider < b.provider ? -1 : 1;
  return a.providerRefundId < b.providerRefundId ? -1 : a.providerRefundId > b.providerRefundId ? 1 : 0;
}
