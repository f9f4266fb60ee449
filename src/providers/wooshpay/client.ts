/**
 * The WooshPay client: `GET /v1/refunds/{id}` and `POST /v1/refunds` (create-refund.ts) with HTTP
 * Basic auth (secret key as the user name, empty password), over the shared provider HTTP machinery.
 */
import { createBodyParser } from '../http/parse-body.js';
import { createProviderHttp } from '../http/provider-http.js';
import type { ProviderDependencies } from '../definition.js';
import type { RefundProviderPort } from '../port.js';
import type { SharedProviderSettings } from '../http/types.js';
import { createWooshPayRefundCreator } from './create-refund.js';
import { isWooshPayNotFoundBody, wooshPayErrorCode } from './errors.js';
import { wooshPayIdentity } from './identity.js';
import { mapWooshPayRefund } from './mapper.js';
import { wooshPayAccount, type WooshPaySettings } from './settings.js';
import { wooshPayRefundSchema } from './wire.js';

const parseRefund = createBodyParser(wooshPayIdentity, wooshPayRefundSchema, mapWooshPayRefund);

/**
 * The refund's path relative to the base URL. The id has passed the allowlist already; encoding
 * it as one path segment is the second gate, so nothing can leave `/v1/refunds/`.
 */
export function wooshPayRefundPath(refundId: string): string {
  return `v1/refunds/${encodeURIComponent(refundId)}`;
}

export function createWooshPayClient(
  settings: WooshPaySettings & { readonly secretKey: string },
  shared: SharedProviderSettings,
  dependencies: ProviderDependencies,
): RefundProviderPort {
  const authorization = `Basic ${Buffer.from(`${settings.secretKey}:`).toString('base64')}`;
  const http = createProviderHttp({
    provider: wooshPayIdentity,
    baseUrl: settings.baseUrl,
    http: shared.http,
    breaker: shared.breaker,
    authorize: (headers) => headers.set('authorization', authorization),
    credentialSettings: 'WOOSHPAY_SECRET_KEY',
    isNotFoundBody: isWooshPayNotFoundBody,
    errorCodeOf: wooshPayErrorCode,
    ...dependencies,
  });
  return {
    identity: wooshPayIdentity,
    account: wooshPayAccount(settings.secretKey),
    getRefund: (id, context) => http.getResource(wooshPayRefundPath(id), context, parseRefund(id)),
    createRefund: createWooshPayRefundCreator(http, parseRefund(null)),
    breakerState: () => http.breakerState(),
    close: () => http.close(),
  };
}
