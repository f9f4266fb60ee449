/**
 * The efundpay simulator's refund notifications (docs/providers/efundpay.md, "Webhooks"): the
 * documented body, headers `timestamp` (yyyyMMddHHmmss in `timezone`), `timezone` and `signature`
 * (base64 RSA-SHA256 over what `efundpaySignedContent` says), sent when a created refund settles
 * and on a test's demand. efundpay counts a delivery only when the answer is exactly
 * `{"code":"200","message":"SUCCESS"}`.
 *
 * The `refund_status` codes are the sandbox's own (efundpay documents only `RS`): RP processing,
 * RS succeeded, RF failed, RD declined, RV voided. The subgraph never trusts them.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  createSettledSends,
  createSimulatorWebhooks,
  createWebhookSender,
  type SimulatorWebhooks,
  type WebhookSender,
} from '../../simulator-kit/webhook-sender.js';
import { EFUNDPAY_ACCEPTED_BODY, EFUNDPAY_SIGNATURE_HASH, efundpaySignedContent } from './webhook.js';

export interface EfundpaySimulatorWebhookOptions {
  /** The key that signs notifications; its public half is the subgraph's EFUNDPAY_WEBHOOK_PUBLIC_KEY. */
  readonly privateKey: KeyObject;
  /** The zone the `timestamp` header is written in (default Asia/Shanghai, as in efundpay's example). */
  readonly timeZone?: string;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
}

export interface EfundpaySimulatorWebhooks {
  readonly sender: WebhookSender;
  readonly controls: SimulatorWebhooks;
  /** Sends the refund's notification once it has settled, if a target is set by then. */
  sendWhenSettled(refundId: string, settleMs: number): void;
}

const STATUS_CODES: Readonly<Record<string, string>> = {
  processing: 'RP',
  succeeded: 'RS',
  failed: 'RF',
  declined: 'RD',
  voided: 'RV',
};

let keyPair: { privateKey: KeyObject; publicKeyPem: string } | null = null;

/**
 * The sandbox's signing key pair, made at the first simulator start and kept for the process:
 * making a 2048-bit RSA key costs about 180 ms of CPU, too much for every test's simulators.
 */
export function efundpaySimulatorKeyPair(): { privateKey: KeyObject; publicKeyPem: string } {
  if (keyPair === null) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyPair = { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }
  return keyPair;
}

/** `yyyyMMddHHmmss`: the wall clock at `instant` in `timeZone`. */
export function formatEfundpayTimestamp(instant: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
}

export function createEfundpaySimulatorWebhooks(
  options: EfundpaySimulatorWebhookOptions,
  getRefund: (id: string) => Record<string, unknown> | undefined,
  now: () => number = Date.now,
): EfundpaySimulatorWebhooks {
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const sender = createWebhookSender({
    isAccepted: (status, body) => {
      if (status < 200 || status >= 300) return false;
      try {
        const answer = JSON.parse(body) as { code?: unknown; message?: unknown };
        const expected = JSON.parse(EFUNDPAY_ACCEPTED_BODY) as { code: string; message: string };
        return answer.code === expected.code && answer.message === expected.message;
      } catch {
        return false;
      }
    },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
  });

  const controls = createSimulatorWebhooks(sender, (refundId, send) => {
    const refund = getRefund(refundId);
    if (refund === undefined) return undefined;
    const status = send.claimedStatus ?? String(refund.status);
    const refundStatus = STATUS_CODES[status] ?? status.toUpperCase();
    const orderId = `LL${String(refund.id).replaceAll('-', '').slice(0, 24).toUpperCase()}`;
    const refundTime = formatEfundpayTimestamp(Date.parse(String(refund.created_at)), timeZone);
    const body = JSON.stringify({
      ll_transaction_id: orderId,
      merchant_transaction_id: refund.external_identifier,
      original_transaction_id: refund.transaction_id,
      refund_data: {
        refund_status: refundStatus,
        refund_amount: refund.amount,
        refund_currency_code: refund.currency,
        actual_refund_amount: refund.amount,
        actual_refund_currency_code: refund.currency,
        reason: refund.reason,
        refund_time: refundTime,
        account_date: refundTime.slice(0, 8),
        settlement_currency_code: refund.currency,
      },
    });
    return {
      eventId: `${orderId}:${refundStatus}`,
      build: () => {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          timestamp: formatEfundpayTimestamp(now() + (send.timestampOffsetS ?? 0) * 1000, timeZone),
          timezone: timeZone,
        };
        if (send.signed !== false) {
          const content = efundpaySignedContent(Buffer.from(body), headers);
          headers.signature = sign(EFUNDPAY_SIGNATURE_HASH, content, options.privateKey).toString('base64');
        }
        return { headers, body };
      },
    };
  });

  return {
    sender,
    controls,
    sendWhenSettled: createSettledSends(sender, controls),
  };
}
