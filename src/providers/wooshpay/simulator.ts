/**
 * A WooshPay simulator: the documented "Retrieve a refund" contract over real HTTP, for the
 * credential-less sandbox and as the tests' backend (see docs/providers/wooshpay.md).
 * `GET /v1/refunds/{id}` and `POST /v1/refunds` (see simulator-ledger.ts); errors use Stripe's
 * `{"error":{...}}` wrapper. Faults and request counts of a creation are keyed by its payment intent.
 */
import type { SimulatorHandle } from '../../simulator-kit/fault-injection.js';
import { DEFAULT_SETTLE_MS } from '../../simulator-kit/settle.js';
import { withWebhooks } from '../../simulator-kit/webhook-handle.js';
import {
  startHttpSimulator,
  type SimulatorRequest,
  type SimulatorResponse,
} from '../../simulator-kit/http-simulator.js';
import type { WooshPaySeedPayment } from './seed-payments.js';
import { createWooshPayLedger } from './simulator-ledger.js';
import { createWooshPaySimulatorWebhooks, type WooshPaySimulatorWebhookOptions } from './simulator-webhooks.js';
import type { WooshPayRefundWire } from './wire.js';

export interface WooshPaySimulatorOptions {
  /** The one secret key accepted as the Basic auth username (with an empty password). */
  secretKey: string;
  /** Refunds the simulator knows; defaults to `wooshPaySeedRefunds`. */
  refunds?: readonly WooshPayRefundWire[];
  /** Payments that can be refunded; defaults to `wooshPaySeedPayments`. */
  payments?: readonly WooshPaySeedPayment[];
  /** How long created refunds stay `pending` (default DEFAULT_SETTLE_MS). */
  settleMs?: number;
  latencyMs?: number;
  /** Signed `charge.refund.updated` events when created refunds settle; none without. */
  webhooks?: WooshPaySimulatorWebhookOptions;
  host?: string;
  port?: number;
}

const REFUND_ROUTE = /^\/v1\/refunds\/([^/]+)$/;
const CREATE_ROUTE = '/v1/refunds';

export async function startWooshPaySimulator(options: WooshPaySimulatorOptions): Promise<SimulatorHandle> {
  if (options.secretKey === '') throw new TypeError('WooshPay simulator needs a non-empty secretKey');
  const ledger = createWooshPayLedger({
    ...(options.refunds ? { refunds: options.refunds } : {}),
    ...(options.payments ? { payments: options.payments } : {}),
    ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
  });
  const webhooks = options.webhooks && createWooshPaySimulatorWebhooks(options.webhooks, (id) => ledger.getRefund(id));

  const handle = (request: SimulatorRequest): SimulatorResponse => {
    const authError = checkAuth(request.headers.authorization, options.secretKey);
    if (authError) return authError;

    if (request.method === 'POST' && request.pathname === CREATE_ROUTE) {
      const key = request.headers['idempotency-key'];
      const created = ledger.createRefund(request.body, Array.isArray(key) ? key[0] : key);
      const refund = created.body as { id?: unknown; status?: unknown };
      if (webhooks && created.status === 200 && typeof refund.id === 'string' && refund.status === 'pending') {
        webhooks.sendWhenSettled(refund.id, options.settleMs ?? DEFAULT_SETTLE_MS);
      }
      return created;
    }
    if (request.method !== 'GET' || request.refundSegment === null) {
      return wooshPayError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${request.method}: ${request.pathname}).`,
      });
    }
    const refund = request.refundId === null ? undefined : ledger.getRefund(request.refundId);
    if (!refund) {
      return wooshPayError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such refund: '${request.refundId ?? request.refundSegment}'`,
        param: 'id',
      });
    }
    return { status: 200, body: refund };
  };

  const started = await startHttpSimulator(
    {
      refundSegment: (pathname) => REFUND_ROUTE.exec(pathname)?.[1] ?? null,
      handle,
      errorResponse: wooshPayStatusError,
      faultKey: (request) => {
        if (request.method !== 'POST' || request.pathname !== CREATE_ROUTE) return null;
        const paymentIntent = (request.body as { payment_intent?: unknown } | undefined)?.payment_intent;
        return typeof paymentIntent === 'string' ? paymentIntent : null;
      },
    },
    { host: options.host, port: options.port, latencyMs: options.latencyMs },
  );
  return webhooks ? withWebhooks(started, webhooks.sender, webhooks.controls) : started;
}

interface WooshPayErrorFields {
  type: string;
  message: string;
  code?: string;
  param?: string;
}

function wooshPayError(status: number, error: WooshPayErrorFields): SimulatorResponse {
  return { status, body: { error } };
}

/** The body WooshPay (like Stripe) sends for a bare status; used by injected faults. */
function wooshPayStatusError(status: number): SimulatorResponse {
  if (status === 429) {
    return wooshPayError(status, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
    });
  }
  if (status >= 500) {
    return wooshPayError(status, { type: 'api_error', message: "An unexpected error occurred on WooshPay's end." });
  }
  return wooshPayError(status, { type: 'invalid_request_error', message: `Request failed with status ${status}.` });
}

/** Basic auth with the secret key as username and an empty password, as WooshPay documents. */
function checkAuth(header: string | undefined, secretKey: string): SimulatorResponse | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) {
    return wooshPayError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Basic auth (e.g. 'Authorization: Basic base64(YOUR_SECRET_KEY:)').",
    });
  }
  const credentials = Buffer.from(match[1], 'base64').toString('utf8');
  if (credentials === `${secretKey}:`) return undefined;
  const presentedKey = credentials.endsWith(':') ? credentials.slice(0, -1) : credentials;
  return wooshPayError(401, {
    type: 'invalid_request_error',
    message: `Invalid API Key provided: ${maskKey(presentedKey)}`,
  });
}

/** Stripe's masking: keep the `sk_test_`-style prefix and the last 4 characters. */
function maskKey(key: string): string {
  const prefix = /^[a-z]{2,3}_(?:test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}****${key.slice(prefix.length).slice(-4)}`;
}
