/** Who efundpay is to the subgraph: its enum value, label, global-id prefix and id formats. */
import type { ProviderIdentity } from '../../domain/refund.js';

export const efundpayIdentity: ProviderIdentity = { name: 'EFUNDPAY', label: 'efundpay' };

export const EFUNDPAY_GLOBAL_ID_PREFIX = 'efundpay';

/** A UUID in any case: the shape of efundpay's ids; canonical ids are lower case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A refund id: a UUID (docs/providers/efundpay.md). */
export const EFUNDPAY_REFUND_ID = UUID;

/** A transaction id, what a refund is made from (the payment): a UUID as well. */
export const EFUNDPAY_TRANSACTION_ID = UUID;

export const efundpayGlobalId = (refundId: string): string => `${EFUNDPAY_GLOBAL_ID_PREFIX}:${refundId}`;
