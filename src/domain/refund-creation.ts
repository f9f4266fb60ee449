/**
 * Creating a refund, provider-neutral: the validated command, what a provider client is asked to
 * do, and the two outcomes a client sees (codegen maps `RefundCreated` / `RefundRejected` onto the
 * models here). A refusal by the provider is an outcome, not an error.
 */
import type { CreateRefundReason, RefundRejectionCode } from '../__generated__/schema-types.js';
import type { Money } from './money.js';
import type { MetadataEntry, ProviderIdentity, RefundModel, RefundProviderName } from './refund.js';

export type { CreateRefundReason, RefundRejectionCode };

/** A validated, normalised `createRefund` input (the idempotency key travels separately). */
export interface CreateRefundCommand {
  readonly provider: RefundProviderName;
  /** The provider's payment id, in its canonical form (e.g. lower-case UUID). */
  readonly paymentId: string;
  /** Null: refund what remains (where the provider allows it). */
  readonly amount: Money | null;
  readonly reason: CreateRefundReason;
  readonly note: string | null;
  /** Sorted by key; keys are unique. */
  readonly metadata: readonly MetadataEntry[];
}

/** What a provider client is asked to do. */
export interface ProviderRefundRequest extends CreateRefundCommand {
  /**
   * Derived from the idempotency record (provider, account, caller, key): 36 characters of
   * `[a-z0-9-]`, the same for every repeat. The provider's own idempotency key or refund
   * reference, so a retried or repeated call can never make a second refund.
   */
  readonly providerKey: string;
}

export interface RefundCreatedModel {
  readonly kind: 'RefundCreated';
  readonly refund: RefundModel;
  readonly replayed: boolean;
}

export interface RefundRejectedModel {
  readonly kind: 'RefundRejected';
  readonly code: RefundRejectionCode;
  readonly message: string;
  readonly providerCode: string | null;
}

export type RefundCreationOutcome = RefundCreatedModel | RefundRejectedModel;

/** What a provider client answers: the outcome of one logical creation (retries included). */
export type ProviderRefundOutcome =
  | {
      readonly kind: 'created';
      readonly refund: RefundModel;
      /** The provider said it already existed. */ readonly existing: boolean;
    }
  | (Omit<RefundRejectedModel, 'kind'> & { readonly kind: 'rejected' });

/** The words a provider uses for what is refunded, which the rejection messages need. */
export interface RejectionWording {
  /** What a refund is made from, e.g. "payment" or "transaction". */
  readonly payment: string;
  /** What is missing, after "has no such", e.g. "payment intent". */
  readonly missingPayment: string;
  /** Why a payment cannot be refunded, in brackets after the message, e.g. "not captured, or refunded in full". */
  readonly notRefundableBecause: string;
}

/** The client-facing message of each rejection code, for any provider. */
const REJECTION_MESSAGES: Record<RefundRejectionCode, (label: string, words: RejectionWording) => string> = {
  PAYMENT_NOT_FOUND: (label, words) => `${label} has no such ${words.missingPayment}`,
  AMOUNT_TOO_LARGE: (label, words) =>
    `${label} refused: the amount is more than what remains to refund of the ${words.payment}`,
  CURRENCY_MISMATCH: (label, words) => `${label} refused: the currency is not the ${words.payment}'s currency`,
  PAYMENT_NOT_REFUNDABLE: (label, words) =>
    `${label} refused: the ${words.payment} cannot be refunded (${words.notRefundableBecause})`,
  DECLINED: (label) => `${label} refused: the refund was declined`,
  OTHER: (label) => `${label} refused the refund`,
};

/** A provider's refusal as an outcome, with the message for its code. */
export function refundRejected(
  identity: ProviderIdentity,
  words: RejectionWording,
  code: RefundRejectionCode,
  providerCode: string | null,
): ProviderRefundOutcome {
  return { kind: 'rejected', code, message: REJECTION_MESSAGES[code](identity.label, words), providerCode };
}
