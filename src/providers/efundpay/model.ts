/**
 * efundpay's own refund fields in the model (the `EfundpayRefundDetails` union member), and its
 * status table: wire value -> GraphQL `RefundStatus` (generated from schema.graphql).
 */
import type { RefundStatus } from '../../__generated__/schema-types.js';
import type { RefundDetailsModel } from '../../domain/refund.js';

export interface EfundpayRefundDetailsModel extends RefundDetailsModel {
  readonly kind: 'EfundpayRefundDetails';
  readonly transactionId: string;
  readonly merchantAccountId: string;
  readonly externalIdentifier: string | null;
  readonly transactionExternalIdentifier: string | null;
}

export const EFUNDPAY_STATUSES: Readonly<Record<string, RefundStatus>> = {
  processing: 'PENDING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  declined: 'FAILED',
  voided: 'CANCELED',
};
