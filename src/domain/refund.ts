/**
 * The provider-neutral refund model. Provider mappers produce it; resolvers read it (codegen maps
 * the GraphQL types onto these interfaces). Nothing here knows about HTTP or GraphQL.
 */
import type { Money } from './money.js';

export const REFUND_PROVIDERS = ['WOOSHPAY', 'EFUNDPAY'] as const;
export type RefundProviderName = (typeof REFUND_PROVIDERS)[number];

export const REFUND_STATUSES = ['PENDING', 'REQUIRES_ACTION', 'SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface RefundModel {
  /** Global id, `<provider prefix>:<provider refund id>`. */
  readonly id: string;
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
  readonly status: RefundStatus;
  /** The provider's raw status, kept verbatim so UNKNOWN is never a dead end. */
  readonly providerStatus: string;
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly amount: Money;
  readonly details: RefundDetailsModel;
}

export type RefundDetailsModel = WooshPayRefundDetailsModel | EfundpayRefundDetailsModel;

export const WOOSHPAY_REFUND_REASONS = [
  'DUPLICATE',
  'FRAUDULENT',
  'REQUESTED_BY_CUSTOMER',
  'EXPIRED_UNCAPTURED_CHARGE',
  'RESOLVED_DISPUTE',
  'UNKNOWN',
] as const;
export type WooshPayRefundReason = (typeof WOOSHPAY_REFUND_REASONS)[number];

export const WOOSHPAY_FAILURE_REASONS = ['LOST_OR_STOLEN_CARD', 'EXPIRED_OR_CANCELED_CARD', 'UNKNOWN'] as const;
export type WooshPayRefundFailureReason = (typeof WOOSHPAY_FAILURE_REASONS)[number];

export interface MetadataEntry {
  readonly key: string;
  readonly value: string;
}

/** `kind` is the GraphQL type name of the `RefundDetails` union member. */
export interface WooshPayRefundDetailsModel {
  readonly kind: 'WooshPayRefundDetails';
  readonly paymentIntentId: string | null;
  readonly reason: WooshPayRefundReason | null;
  readonly failureReason: WooshPayRefundFailureReason | null;
  readonly description: string | null;
  readonly receiptNumber: string | null;
  /** Sorted by key. */
  readonly metadata: readonly MetadataEntry[];
}

export interface EfundpayRefundDetailsModel {
  readonly kind: 'EfundpayRefundDetails';
  readonly transactionId: string;
  readonly merchantAccountId: string;
  readonly externalIdentifier: string | null;
  readonly transactionExternalIdentifier: string | null;
}

/**
 * Maps a provider's raw enum value onto one of ours by case-insensitive name, `UNKNOWN` for
 * anything else: providers add values without notice and a new one must never fail a query.
 */
export function toKnownEnumValue<T extends string>(allowed: readonly T[], raw: string, unknown: T): T {
  const candidate = raw.toUpperCase();
  return (allowed as readonly string[]).includes(candidate) ? (candidate as T) : unknown;
}
