/**
 * A payment as far as refunds are concerned: which provider took it and its id there. Validated and
 * canonical wherever it exists (src/providers/ids.ts `parsePaymentId` makes it from client input).
 */
import type { RefundProviderName } from './refund.js';

export interface PaymentRef {
  readonly provider: RefundProviderName;
  /** The provider's payment id in its canonical form (its definition's `payments.canonicalId`). */
  readonly providerPaymentId: string;
}
