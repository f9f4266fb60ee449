/**
 * The WooshPay simulator's webhooks: `charge.refund.updated` events with the refund as
 * `data.object`, signed with `Wooshpay-Signature: t=…,v1=…` (docs/providers/wooshpay.md), sent when
 * a created refund settles and on a test's demand. Any 2xx is WooshPay's "delivered".
 */
import { randomBytes } from 'node:crypto';
import {
  createSettledSends,
  createSimulatorWebhooks,
  createWebhookSender,
  type SimulatorWebhooks,
  type WebhookSender,
} from '../../simulator-kit/webhook-sender.js';
import { WOOSHPAY_REFUND_EVENT, WOOSHPAY_SIGNATURE_HEADER, wooshPaySignature } from './webhook.js';
import type { WooshPayRefundWire } from './wire.js';

export interface WooshPaySimulatorWebhookOptions {
  /** The endpoint's signing secret (the subgraph's WOOSHPAY_WEBHOOK_SECRET). */
  readonly secret: string;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
}

export interface WooshPaySimulatorWebhooks {
  readonly sender: WebhookSender;
  readonly controls: SimulatorWebhooks;
  /** Sends the refund's event once it has settled, if a target is set by then. */
  sendWhenSettled(refundId: string, settleMs: number): void;
}

export function createWooshPaySimulatorWebhooks(
  options: WooshPaySimulatorWebhookOptions,
  getRefund: (id: string) => WooshPayRefundWire | undefined,
  now: () => number = Date.now,
): WooshPaySimulatorWebhooks {
  const sender = createWebhookSender({
    isAccepted: (status) => status >= 200 && status < 300,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
  });

  const controls = createSimulatorWebhooks(sender, (refundId, send) => {
    const refund = getRefund(refundId);
    if (refund === undefined) return undefined;
    const eventId = `evt_${randomBytes(12).toString('hex')}`;
    const object = send.claimedStatus === undefined ? refund : { ...refund, status: send.claimedStatus };
    // `created` in milliseconds, as WooshPay's examples have it (the schema says seconds).
    const body = JSON.stringify({
      id: eventId,
      object: 'event',
      created: now(),
      livemode: false,
      pending_webhooks: 1,
      type: WOOSHPAY_REFUND_EVENT,
      data: { object },
    });
    return {
      eventId,
      build: () => {
        const timestampS = Math.floor(now() / 1000) + (send.timestampOffsetS ?? 0);
        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
        if (send.signed !== false) {
          headers[WOOSHPAY_SIGNATURE_HEADER] =
            `t=${timestampS},v1=${wooshPaySignature(options.secret, timestampS, body)}`;
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
