/**
 * WooshPay's own refund fields in the model (the `WooshPayRefundDetails` union member), and the
 * one table per WooshPay enum: wire value -> GraphQL value (the GraphQL enums are generated from
 * schema.graphql, so the compiler checks both sides).
 */
import type {
  RefundStatus,
  WooshPayRefundFailureReason,
  WooshPayRefundReason,
} from '../../__generated__/schema-types.js';
import type { MetadataEntry, RefundDetailsModel } from '../../domain/refund.js';

export interface WooshPayRefundDetailsModel extends RefundDetailsModel {
  readonly kind: 'WooshPayRefundDetails';
  readonly paymentIntentId: string | null;
  readonly reason: WooshPayRefundReason | null;
  readonly failureReason: WooshPayRefundFailureReason | null;
  readonly description: string | null;
  readonly receiptNumber: string | null;
  /** Sorted by key. */
  readonly metadata: readonly MetadataEntry[];
}

export const WOOSHPAY_STATUSES: Readonly<Record<string, RefundStatus>> = {
  pending: 'PENDING',
  requires_action: 'REQUIRES_ACTION',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  canceled: 'CANCELED',
};

export const WOOSHPAY_REASONS: Readonly<Record<string, WooshPayRefundReason>> = {
  duplicate: 'DUPLICATE',
  fraudulent: 'FRAUDULENT',
  requested_by_customer: 'REQUESTED_BY_CUSTOMER',
  expired_uncaptured_charge: 'EXPIRED_UNCAPTURED_CHARGE',
  resolved_dispute: 'RESOLVED_DISPUTE',
};

export const WOOSHPAY_FAILURE_REASONS: Readonly<Record<string, WooshPayRefundFailureReason>> = {
  lost_or_stolen_card: 'LOST_OR_STOLEN_CARD',
  expired_or_canceled_card: 'EXPIRED_OR_CANCELED_CARD',
  unknown: 'UNKNOWN',
};
