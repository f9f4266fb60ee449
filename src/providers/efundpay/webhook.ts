/**
 * efundpay's refund notifications (docs/providers/efundpay.md, "Webhooks"): headers `timestamp`
 * (yyyyMMddHHmmss, wall-clock time in the `timezone` header's zone) and `signature` (base64 RSA),
 * a body naming our refund reference and the payment, and the exact answer efundpay expects. The
 * signed content is undocumented: `efundpaySignedContent` is the one place that decides it.
 */
import { parseWebhookBody } from '../webhook-body.js';
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { ProviderWebhooks, WebhookHeaders, WebhookVerification } from '../definition.js';
import type { EfundpaySettings } from './settings.js';
import { findEfundpayWebhookRefund } from './webhook-lookup.js';

/** The answer efundpay expects, byte for byte. */
export const EFUNDPAY_ACCEPTED_BODY = '{"code":"200","message":"SUCCESS"}';
/** The hash of the RSA (PKCS#1 v1.5) signature. */
export const EFUNDPAY_SIGNATURE_HASH = 'sha256';

/** The lookup facts an event carries (the body names no efundpay refund id we can read by). */
export interface EfundpayWebhookLookup extends Record<string, string> {
  /** `merchant_transaction_id`: our refund reference, the refund's `external_identifier`. */
  readonly externalIdentifier: string;
  /** `original_transaction_id`: the payment, the transaction the refund was made from. */
  readonly transactionId: string;
  /** `refund_data.refund_status` as sent (e.g. `RS`): for logs only, never trusted for state. */
  readonly refundStatus: string;
}

/**
 * What the signature covers: the raw body as received. The choice, and how to change it, is
 * written in docs/providers/efundpay.md; the simulator signs through this same function.
 */
// The headers are part of the signature so that a choice covering them (e.g. `timestamp` + body) is a change here only.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function efundpaySignedContent(rawBody: Buffer, _headers: WebhookHeaders): Buffer {
  return rawBody;
}

const TEXT = z.string().min(1).max(255);
const bodySchema = z.looseObject({
  ll_transaction_id: TEXT.optional(),
  merchant_transaction_id: TEXT,
  original_transaction_id: TEXT,
  refund_data: z.looseObject({ refund_status: TEXT }),
});

const publicKeys = new Map<string, KeyObject | null>();

/** A PEM parsed once; null when it does not parse (settings check it at start). */
function publicKey(pem: string): KeyObject | null {
  let key = publicKeys.get(pem);
  if (key === undefined) {
    try {
      key = createPublicKey(pem);
    } catch {
      key = null;
    }
    publicKeys.set(pem, key);
  }
  return key;
}

function singleHeader(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * `yyyyMMddHHmmss` read as wall-clock time in the IANA zone `timeZone`; null when either is not
 * valid (an unknown zone, or a time that does not exist there).
 */
export function parseEfundpayTimestamp(timestamp: string, timeZone: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(timestamp);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null;
  }
  // The zone's offset at an instant: its wall clock there minus the instant.
  const offsetAt = (instant: number): number => {
    const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
    const shown = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    return shown - instant;
  };
  // Twice, so that a wall time just after a DST change lands on the right offset.
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}

export function verifyEfundpayWebhook(
  rawBody: Buffer,
  headers: WebhookHeaders,
  secrets: readonly string[],
  now: Date,
  toleranceS: number,
): WebhookVerification {
  const signature = singleHeader(headers.signature)?.trim();
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing_signature' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return { ok: false, reason: 'bad_signature' };
  const signatureBytes = Buffer.from(signature, 'base64');
  const content = efundpaySignedContent(rawBody, headers);
  const verified = secrets.some((pem) => {
    const key = publicKey(pem);
    try {
      return key !== null && verifySignature(EFUNDPAY_SIGNATURE_HASH, content, key, signatureBytes);
    } catch {
      return false;
    }
  });
  if (!verified) return { ok: false, reason: 'bad_signature' };

  const timestamp = singleHeader(headers.timestamp)?.trim();
  const timeZone = singleHeader(headers.timezone)?.trim();
  const signedAt =
    timestamp === undefined || timeZone === undefined ? null : parseEfundpayTimestamp(timestamp, timeZone);
  if (signedAt === null) return { ok: false, reason: 'bad_timestamp' };
  if (Math.abs(now.getTime() - signedAt.getTime()) > toleranceS * 1000) return { ok: false, reason: 'stale_timestamp' };

  const parsed = parseWebhookBody(rawBody, bodySchema);
  if (parsed === null) return { ok: false, reason: 'malformed_event' };
  const { ll_transaction_id: orderId, merchant_transaction_id, original_transaction_id, refund_data } = parsed;
  const lookup: EfundpayWebhookLookup = {
    externalIdentifier: merchant_transaction_id,
    transactionId: original_transaction_id,
    refundStatus: refund_data.refund_status,
  };
  // efundpay sends no event id: one notification is one refund order reaching one status, so a
  // redelivery dedupes and the next status is a new event.
  const eventId = `${orderId ?? merchant_transaction_id}:${refund_data.refund_status}`;
  return { ok: true, event: { eventId, providerRefundId: null, lookup } };
}

export const efundpayWebhooks: ProviderWebhooks<EfundpaySettings> = {
  secretVariable: 'EFUNDPAY_WEBHOOK_PUBLIC_KEY',
  secrets: (settings) => settings.webhookPublicKeys,
  verify: verifyEfundpayWebhook,
  acceptedAnswer: { status: 200, body: EFUNDPAY_ACCEPTED_BODY },
  findRefund: findEfundpayWebhookRefund,
};
