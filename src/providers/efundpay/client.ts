/**
 * The efundpay client: `GET /v4/refunds/{refund_id}` and refund creation (create-refund.ts) with
 * `Authorization: Bearer …` (a static key or a minted RS512 JWT) and `x-merchant-account-id`, over
 * the shared provider HTTP machinery.
 */
import { createBodyParser } from '../http/parse-body.js';
import { createProviderHttp } from '../http/provider-http.js';
import type { ProviderDependencies } from '../definition.js';
import type { RefundProviderPort } from '../port.js';
import type { SharedProviderSettings } from '../http/types.js';
import { createEfundpayBearer } from './auth.js';
import { createEfundpayRefundCreator } from './create-refund.js';
import { efundpayErrorCode, isEfundpayNotFoundBody } from './errors.js';
import { efundpayIdentity } from './identity.js';
import { createEfundpayRefundLister } from './list-refunds.js';
import { mapEfundpayRefund } from './mapper.js';
import { efundpayAccount, type EfundpayAuthConfig, type EfundpaySettings } from './settings.js';
import { efundpayRefundSchema } from './wire.js';

/**
 * The refund's path relative to the base URL (which ends in `/v4`). The id has passed the
 * allowlist already; encoding it as one path segment is the second gate.
 */
export function efundpayRefundPath(refundId: string): string {
  return `refunds/${encodeURIComponent(refundId)}`;
}

export function createEfundpayClient(
  settings: EfundpaySettings,
  auth: EfundpayAuthConfig,
  shared: SharedProviderSettings,
  dependencies: ProviderDependencies,
): RefundProviderPort {
  const { merchantAccountId } = settings;
  const webhookUrl = settings.refundWebhookUrl;
  // Tokens carry transactions.write only when refunds are enabled (the webhook URL is set).
  const scopes = webhookUrl === null ? ['transactions.read'] : ['transactions.read', 'transactions.write'];
  const bearer = createEfundpayBearer(auth, merchantAccountId, undefined, scopes);
  const parseRefund = createBodyParser(efundpayIdentity, efundpayRefundSchema, (wire) =>
    mapEfundpayRefund(wire, merchantAccountId),
  );
  const http = createProviderHttp({
    provider: efundpayIdentity,
    baseUrl: settings.baseUrl,
    http: shared.http,
    breaker: shared.breaker,
    authorize: async (headers) => {
      headers.set('authorization', `Bearer ${await bearer()}`);
      headers.set('x-merchant-account-id', merchantAccountId);
    },
    credentialSettings:
      auth.kind === 'api-key'
        ? 'EFUNDPAY_API_KEY and EFUNDPAY_MERCHANT_ACCOUNT_ID'
        : 'EFUNDPAY_KEY_ID, the private key and EFUNDPAY_MERCHANT_ACCOUNT_ID (the key needs the transactions.read scope, and transactions.write for refunds)',
    isNotFoundBody: isEfundpayNotFoundBody,
    errorCodeOf: efundpayErrorCode,
    ...dependencies,
  });
  return {
    identity: efundpayIdentity,
    account: efundpayAccount(merchantAccountId, auth),
    getRefund: (id, context) => http.getResource(efundpayRefundPath(id), context, parseRefund(id)),
    createRefund: createEfundpayRefundCreator({ http, webhookUrl, parseRefund }),
    listRefunds: createEfundpayRefundLister(http, parseRefund(null)),
    breakerState: () => http.breakerState(),
    close: () => http.close(),
  };
}
