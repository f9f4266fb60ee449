/**
 * Finding the refund an efundpay notification is about. The notification names our refund
 * reference (`merchant_transaction_id`, the refund's `external_identifier`) and the payment
 * (`original_transaction_id`, the transaction id), never efundpay's refund id; so the
 * transaction's refunds are listed (`GET /v4/transactions/{id}/refunds`) and ours is picked by its
 * `external_identifier` (docs/providers/efundpay.md, "Webhooks"). Only the id is taken: the
 * refund is then re-read by id like any other.
 */
import { z } from 'zod';
import { ProviderBadResponseError } from '../../domain/errors.js';
import type { ProviderDependencies, WebhookRefundFinder } from '../definition.js';
import { createProviderHttp } from '../http/provider-http.js';
import type { ProviderAnswer } from '../http/provider-request.js';
import type { SharedProviderSettings } from '../http/types.js';
import { createEfundpayBearer } from './auth.js';
import { efundpayErrorCode, isEfundpayNotFoundBody } from './errors.js';
import { EFUNDPAY_REFUND_ID, efundpayIdentity } from './identity.js';
import type { EfundpaySettings } from './settings.js';

/** Pages of 100 read while looking; a transaction with more refunds is not searched further. */
const MAX_PAGES = 10;
/** Transaction ids are UUIDs, like refund ids; the allowlist guards the URL. */
const TRANSACTION_ID = EFUNDPAY_REFUND_ID;

const listSchema = z.looseObject({
  items: z.array(z.looseObject({ id: z.string(), external_identifier: z.string().nullish() })),
  next_cursor: z.string().nullish(),
});

type RefundList = z.infer<typeof listSchema>;

function parseList(body: unknown): RefundList {
  const parsed = listSchema.safeParse(body);
  if (!parsed.success) {
    throw new ProviderBadResponseError(efundpayIdentity, 'the provider answered with a body that is not a refund list');
  }
  return parsed.data;
}

export function createEfundpayRefundFinder(
  settings: EfundpaySettings,
  shared: SharedProviderSettings,
  dependencies: ProviderDependencies,
): WebhookRefundFinder {
  if (settings.auth === null) throw new TypeError('efundpay is not configured: no credentials are set');
  const { merchantAccountId } = settings;
  const bearer = createEfundpayBearer(settings.auth, merchantAccountId, undefined, ['transactions.read']);
  const http = createProviderHttp({
    provider: efundpayIdentity,
    baseUrl: settings.baseUrl,
    http: shared.http,
    breaker: shared.breaker,
    authorize: async (headers) => {
      headers.set('authorization', `Bearer ${await bearer()}`);
      headers.set('x-merchant-account-id', merchantAccountId);
    },
    credentialSettings: 'the efundpay credentials and EFUNDPAY_MERCHANT_ACCOUNT_ID (the key needs transactions.read)',
    isNotFoundBody: isEfundpayNotFoundBody,
    errorCodeOf: efundpayErrorCode,
    ...dependencies,
  });
  return {
    async find(lookup, context) {
      const { transactionId, externalIdentifier } = lookup;
      if (transactionId === undefined || externalIdentifier === undefined || !TRANSACTION_ID.test(transactionId)) {
        return null;
      }
      let cursor: string | null = null;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const query = cursor === null ? '?limit=100' : `?limit=100&cursor=${encodeURIComponent(cursor)}`;
        const answer: ProviderAnswer<RefundList> = await http.send(
          {
            method: 'GET',
            path: `transactions/${encodeURIComponent(transactionId.toLowerCase())}/refunds${query}`,
            retry: 'idempotent-read',
            parse: parseList,
            refusal: (status, body) => status === 404 && isEfundpayNotFoundBody(body),
          },
          context,
        );
        if (!answer.ok) return null;
        const ours = answer.value.items.find((item) => item.external_identifier === externalIdentifier);
        if (ours !== undefined) return EFUNDPAY_REFUND_ID.test(ours.id) ? ours.id.toLowerCase() : null;
        cursor = answer.value.next_cursor ?? null;
        if (cursor === null) return null;
      }
      return null;
    },
    close: () => http.close(),
  };
}
