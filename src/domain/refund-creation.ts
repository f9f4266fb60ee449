/**
 * Creating a refund, provider-neutral: the validated command, what a provider client is asked to
 * do, and the two outcomes a client sees (codegen maps `RefundCreated` / `RefundRejected` onto the
 * models here). A refusal by the provider is an outcome, not an error.
 */
import type { CreateRefundReason, RefundRejectionCode } from '../__generated__/schema-types.js';
import type { Money } from './money.js';
import type { MetadataEntry, RefundModel, RefundProviderName } from './refund.js';

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
