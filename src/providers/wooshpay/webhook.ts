/**
 * WooshPay's signed webhooks (docs/providers/wooshpay.md, "Webhooks"). The header is
 * `Wooshpay-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`: HMAC-SHA256 with the endpoint's
 * secret over `<t>.<raw body>`. Any configured secret (a rotation keeps several) matching any `v1`
 * verifies. The event's `data.object` is the refund; only its id is taken, since the refund's state
 * is always re-read from WooshPay.
 */
import { parseWebhookBody } from '../webhook-body.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ProviderWebhooks, WebhookHeaders, WebhookVerification } from '../definition.js';
import { WOOSHPAY_REFUND_ID } from './identity.js';
import type { WooshPaySettings } from './settings.js';

/** The header name as node:http presents it. */
export const WOOSHPAY_SIGNATURE_HEADER = 'wooshpay-signature';
/** The refund event WooshPay's docs show. */
export const WOOSHPAY_REFUND_EVENT = 'charge.refund.updated';
export const WOOSHPAY_ACCEPTED_BODY = '{"received":true}';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
/** Event ids are `evt_…`; anything printable up to 255 characters is kept as the dedupe key. */
const EVENT_ID = /^[\x21-\x7e]{1,255}$/;

const eventSchema = z.looseObject({
  id: z.string().regex(EVENT_ID),
  type: z.string(),
  data: z.looseObject({ object: z.looseObject({ id: z.string().optional(), object: z.string().optional() }) }),
});

/** The hex `v1` value WooshPay sends for `rawBody` signed at `timestampS` with `secret`. */
export function wooshPaySignature(secret: string, timestampS: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestampS}.`).update(rawBody).digest('hex');
}

/** `t` and every well-formed `v1` of the header; null when there is no `t` or no `v1`. */
function parseSignatureHeader(header: string): { timestampS: number; signatures: Buffer[] } | null {
  let timestampS: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestampS = Number(value);
    else if (key === 'v1' && HEX_SHA256.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  return timestampS === null || signatures.length === 0 ? null : { timestampS, signatures };
}

function singleHeader(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

export function verifyWooshPayWebhook(
  rawBody: Buffer,
  headers: WebhookHeaders,
  secrets: readonly string[],
  now: Date,
  toleranceS: number,
): WebhookVerification {
  const header = singleHeader(headers[WOOSHPAY_SIGNATURE_HEADER]);
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing_signature' };
  const parsed = parseSignatureHeader(header);
  if (parsed === null) return { ok: false, reason: 'bad_signature' };
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(wooshPaySignature(secret, parsed.timestampS, rawBody), 'hex');
    // Every candidate is compared (no early exit on the first), each in constant time.
    return parsed.signatures
      .map((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))
      .includes(true);
  });
  if (!matches) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(now.getTime() / 1000 - parsed.timestampS) > toleranceS) return { ok: false, reason: 'stale_timestamp' };

  const event = parseWebhookBody(rawBody, eventSchema);
  if (event === null) return { ok: false, reason: 'malformed_event' };
  const { id, type, data } = event;
  // The documented refund event, and any other event whose object is a refund (Stripe's
  // `refund.updated` and kin): following one costs a re-read and can never move a refund backwards.
  if (type !== WOOSHPAY_REFUND_EVENT && data.object.object !== 'refund') {
    return { ok: true, event: { eventId: id, providerRefundId: null, lookup: null } };
  }
  const refundId = data.object.id;
  // The id is later put in a URL: the same allowlist as a client's input.
  if (refundId === undefined || !WOOSHPAY_REFUND_ID.test(refundId)) return { ok: false, reason: 'malformed_event' };
  return { ok: true, event: { eventId: id, providerRefundId: refundId, lookup: null } };
}

export const wooshPayWebhooks: ProviderWebhooks<WooshPaySettings> = {
  secretVariable: 'WOOSHPAY_WEBHOOK_SECRET',
  secrets: (settings) => settings.webhookSecrets,
  verify: verifyWooshPayWebhook,
  acceptedAnswer: { status: 200, body: WOOSHPAY_ACCEPTED_BODY },
};
