/** Who WooshPay is to the subgraph: its enum value, label, global-id prefix and id formats. */
import type { ProviderIdentity } from '../../domain/refund.js';

export const wooshPayIdentity: ProviderIdentity = { name: 'WOOSHPAY', label: 'WooshPay' };

export const WOOSHPAY_GLOBAL_ID_PREFIX = 'wooshpay';

/** `re_` and 1 to 100 ASCII letters or digits (docs/providers/wooshpay.md), case kept. */
export const WOOSHPAY_REFUND_ID = /^re_[A-Za-z0-9]{1,100}$/;

/** A PaymentIntent id, what a refund is made from: `pi_` and 1 to 100 ASCII letters or digits, case kept. */
export const WOOSHPAY_PAYMENT_INTENT_ID = /^pi_[A-Za-z0-9]{1,100}$/;

export const wooshPayGlobalId = (refundId: string): string => `${WOOSHPAY_GLOBAL_ID_PREFIX}:${refundId}`;
