/**
 * Finding the refund an efundpay notification is about. The notification names our refund
 * reference (`merchant_transaction_id`, the refund's `external_identifier`) and the payment
 * (`original_transaction_id`, the transaction id), never efundpay's refund id; so the
 * transaction's refunds are listed through the client (`GET /v4/transactions/{id}/refunds`) and
 * ours is picked by its `external_identifier` (docs/providers/efundpay.md, "Webhooks"). Only the
 * id is taken: the refund is then re-read by id like any other.
 */
import type { ProviderCallContext, RefundProviderPort } from '../port.js';
import { EFUNDPAY_REFUND_ID } from './identity.js';
import type { EfundpayRefundDetailsModel } from './model.js';

/** Transaction ids are UUIDs, like refund ids; the allowlist guards the URL. */
const TRANSACTION_ID = EFUNDPAY_REFUND_ID;

export async function findEfundpayWebhookRefund(
  lookup: Readonly<Record<string, string>>,
  client: RefundProviderPort,
  context: ProviderCallContext,
): Promise<string | null> {
  const { transactionId, externalIdentifier } = lookup;
  if (transactionId === undefined || externalIdentifier === undefined || !TRANSACTION_ID.test(transactionId)) {
    return null;
  }
  if (client.listRefunds === undefined) return null;
  const listed = await client.listRefunds(transactionId.toLowerCase(), context);
  const ours = listed?.refunds.find((refund) => {
    const details = refund.details as Partial<EfundpayRefundDetailsModel>;
    return details.kind === 'EfundpayRefundDetails' && details.externalIdentifier === externalIdentifier;
  });
  return ours?.providerRefundId ?? null;
}
