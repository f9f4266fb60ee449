/** Who efundpay is to the subgraph: its enum value, label, global-id prefix and refund id format. */
import type { ProviderIdentity } from '../../domain/refund.js';

export const efundpayIdentity: ProviderIdentity = { name: 'EFUNDPAY', label: 'efundpay' };

export const EFUNDPAY_GLOBAL_ID_PREFIX = 'efundpay';

/** A UUID in any case; canonical ids are lower case (docs/providers/efundpay.md). */
export const EFUNDPAY_REFUND_ID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

export const efundpayGlobalId = (refundId: string): string => `${EFUNDPAY_GLOBAL_ID_PREFIX}:${refundId}`;
