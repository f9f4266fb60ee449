/**
 * What identifies a refund change for live status: the refund, the payment it belongs to, and the
 * fingerprint of what subscribers are told about (status, amount, provider status). Two observations
 * with the same fingerprint are the same change, however many sources saw it.
 */
import type { PaymentRef } from '../../domain/payment.js';
import type { RefundModel } from '../../domain/refund.js';
import { providerDefinition } from '../../providers/ids.js';

/** The refund's status, provider status and amount: what a change is made of. */
export function changeFingerprint(refund: RefundModel): string {
  return `${refund.status}|${refund.providerStatus}|${refund.amount.minorUnits}|${refund.amount.currencyCode}`;
}

/** The key of a payment's watchers: provider and canonical payment id. */
export function paymentKey(payment: PaymentRef): string {
  return `${payment.provider}:${payment.providerPaymentId}`;
}

/** The payment key of a refund's payment, or null when the provider did not say which payment. */
export function paymentKeyOf(refund: RefundModel): string | null {
  if (refund.paymentId === null) return null;
  const canonical = providerDefinition(refund.provider).payments.canonicalId(refund.paymentId);
  return paymentKey({ provider: refund.provider, providerPaymentId: canonical });
}

/** The wire form of a change between replicas (Redis pub/sub): versioned JSON of the refund. */
export function encodeChange(refund: RefundModel): string {
  return JSON.stringify({ v: 1, refund });
}

/** The refund of a message from `encodeChange`, or null for anything else (never throws). */
export function decodeChange(text: string): RefundModel | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null || (message as { v?: unknown }).v !== 1) return null;
  const refund = (message as { refund?: Record<string, unknown> }).refund;
  if (
    typeof refund !== 'object' ||
    refund === null ||
    typeof refund.id !== 'string' ||
    typeof refund.provider !== 'string' ||
    typeof refund.status !== 'string' ||
    typeof refund.createdAt !== 'string' ||
    typeof refund.amount !== 'object'
  ) {
    return null;
  }
  const revived: Record<string, unknown> = { ...refund, createdAt: new Date(refund.createdAt) };
  // A RetrievedRefund's own times, when the publisher had them.
  for (const field of ['retrievedAt', 'freshUntil']) {
    if (typeof refund[field] === 'string') revived[field] = new Date(refund[field]);
  }
  return revived as unknown as RefundModel;
}
