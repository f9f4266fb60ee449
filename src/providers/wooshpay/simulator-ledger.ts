/**
 * The WooshPay simulator's state: payments, refunds, and `POST /v1/refunds` with WooshPay's
 * (Stripe's) semantics: an Idempotency-Key replays the first answer for the same parameters and
 * refuses different ones (400 idempotency_error); an unknown payment intent is resource_missing;
 * more than remains is amount_too_large; a fully refunded payment is charge_already_refunded.
 * Created refunds are `pending` and read as `succeeded` once `settleMs` has passed.
 */
import { createHash } from 'node:crypto';
import type { SimulatorResponse } from '../../simulator-kit/http-simulator.js';
import { DEFAULT_SETTLE_MS } from '../../simulator-kit/settle.js';
import { wooshPaySeedPayments, type WooshPaySeedPayment } from './seed-payments.js';
import { wooshPaySeedRefunds } from './seed.js';
import type { WooshPayRefundWire } from './wire.js';

const CREATE_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer', 'resolved_dispute']);
const MAX_IDEMPOTENCY_KEY = 255;

export interface WooshPayLedgerOptions {
  refunds?: readonly WooshPayRefundWire[];
  payments?: readonly WooshPaySeedPayment[];
  /** How long a created refund stays `pending` before it reads as `succeeded`. */
  settleMs?: number;
  now?: () => number;
}

interface StoredRefund {
  refund: WooshPayRefundWire;
  /** Epoch ms when a created refund settles; undefined for seeded refunds (static). */
  settleAt?: number;
}

interface PaymentState {
  seed: WooshPaySeedPayment;
  refunded: number;
}

export interface WooshPayLedger {
  /** The refund as it reads now (a created refund past its settle time reads `succeeded`). */
  getRefund(id: string): WooshPayRefundWire | undefined;
  /** `POST /v1/refunds`: the answer WooshPay would give. */
  createRefund(body: unknown, idempotencyKey: string | undefined): SimulatorResponse;
}

export function createWooshPayLedger(options: WooshPayLedgerOptions = {}): WooshPayLedger {
  const now = options.now ?? Date.now;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const refunds = new Map<string, StoredRefund>(
    (options.refunds ?? wooshPaySeedRefunds).map((refund) => [refund.id, { refund }]),
  );
  const payments = new Map<string, PaymentState>(
    (options.payments ?? wooshPaySeedPayments).map((seed) => [seed.id, { seed, refunded: seed.amountRefunded }]),
  );
  const idempotent = new Map<string, { fingerprint: string; response: SimulatorResponse }>();
  let sequence = 0;

  const view = (stored: StoredRefund): WooshPayRefundWire =>
    stored.settleAt !== undefined && now() >= stored.settleAt
      ? { ...stored.refund, status: 'succeeded' }
      : stored.refund;

  function create(body: unknown): SimulatorResponse {
    const params = readCreateParams(body);
    if ('response' in params) return params.response;
    const payment = payments.get(params.paymentIntent);
    if (!payment) {
      return invalid(`No such payment_intent: '${params.paymentIntent}'`, 'resource_missing', 'payment_intent');
    }
    const refundAmount = refundableAmount(payment, params);
    if (typeof refundAmount !== 'number') return refundAmount;
    sequence += 1;
    const createdMs = now();
    const refund: WooshPayRefundWire = {
      id: `re_${1790000000000000000n + BigInt(sequence)}`,
      object: 'refund',
      amount: refundAmount,
      created: Math.floor(createdMs / 1000),
      currency: payment.seed.currency,
      metadata: params.metadata,
      payment_intent: params.paymentIntent,
      reason: params.reason,
      status: 'pending',
      description: params.description,
      failure_reason: null,
      receipt_number: null,
    };
    payment.refunded += refundAmount;
    refunds.set(refund.id, { refund, settleAt: createdMs + settleMs });
    return { status: 200, body: refund };
  }

  return {
    getRefund(id) {
      const stored = refunds.get(id);
      return stored && view(stored);
    },
    createRefund(body, idempotencyKey) {
      if (idempotencyKey === undefined) return create(body);
      if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY) {
        return invalid(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY} characters.`);
      }
      const fingerprint = createHash('sha256').update(canonicalJson(body)).digest('hex');
      const earlier = idempotent.get(idempotencyKey);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) {
          return {
            status: 400,
            body: {
              error: {
                type: 'idempotency_error',
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
              },
            },
          };
        }
        return { ...earlier.response, headers: { ...earlier.response.headers, 'Idempotent-Replayed': 'true' } };
      }
      const response = create(body);
      // Like Stripe: every answer but a server error is kept and replayed for the same key.
      if (response.status < 500) idempotent.set(idempotencyKey, { fingerprint, response });
      return response;
    },
  };
}

/** The parameters of `POST /v1/refunds`, as checked. */
interface CreateParams {
  readonly paymentIntent: string;
  /** Undefined: what remains of the payment. */
  readonly amount: number | undefined;
  readonly reason: string | null;
  readonly metadata: Record<string, string>;
  readonly description: string | null;
  /** The currency the caller expects the payment in, if it named one. */
  readonly currency: unknown;
}

/** The body of `POST /v1/refunds` checked as WooshPay checks it: its parameters, or the 400 it answers. */
function readCreateParams(body: unknown): CreateParams | { readonly response: SimulatorResponse } {
  const refuse = (...args: Parameters<typeof invalid>) => ({ response: invalid(...args) });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse('Invalid request: the body must be a JSON object.');
  }
  const params = body as Record<string, unknown>;
  const paymentIntent = params.payment_intent;
  if (typeof paymentIntent !== 'string' || paymentIntent === '') {
    return refuse('Missing required param: payment_intent.', 'parameter_missing', 'payment_intent');
  }
  let amount: number | undefined;
  if (params.amount !== undefined) {
    amount = typeof params.amount === 'string' && /^\d{1,16}$/.test(params.amount) ? Number(params.amount) : NaN;
    if (typeof params.amount === 'number') amount = params.amount;
    if (!Number.isSafeInteger(amount) || amount < 1) {
      return refuse('Invalid positive integer', 'parameter_invalid_integer', 'amount');
    }
  }
  if (params.reason !== undefined && !(typeof params.reason === 'string' && CREATE_REASONS.has(params.reason))) {
    return refuse(
      `Invalid reason: must be one of ${[...CREATE_REASONS].join(', ')}`,
      'parameter_invalid_string',
      'reason',
    );
  }
  const metadata = params.metadata ?? {};
  if (
    typeof metadata !== 'object' ||
    metadata === null ||
    Array.isArray(metadata) ||
    Object.values(metadata).some((value) => typeof value !== 'string')
  ) {
    return refuse('Invalid metadata: must be an object of strings', 'parameter_invalid_string', 'metadata');
  }
  if (params.description !== undefined && typeof params.description !== 'string') {
    return refuse('Invalid description: must be a string', 'parameter_invalid_string', 'description');
  }
  return {
    paymentIntent,
    amount,
    reason: params.reason ?? null,
    metadata: metadata as Record<string, string>,
    description: params.description ?? null,
    currency: params.currency,
  };
}

/**
 * What a refund of `params` may take from `payment`: the amount asked (or all that remains), or
 * the answer WooshPay gives when it may not (declined, disputed, uncaptured, another currency,
 * nothing left, more than remains).
 */
function refundableAmount(payment: PaymentState, params: CreateParams): number | SimulatorResponse {
  const { seed } = payment;
  const { paymentIntent } = params;
  if (seed.refusal === 'card_declined') {
    return {
      status: 402,
      body: {
        error: { type: 'card_error', code: 'card_declined', message: 'The refund was declined by the card network.' },
      },
    };
  }
  if (seed.refusal !== undefined) {
    const reason =
      seed.refusal === 'charge_disputed'
        ? `Charge for ${paymentIntent} has been disputed and cannot be refunded.`
        : `This PaymentIntent (${paymentIntent}) has not been captured, so it cannot be refunded.`;
    return invalid(reason, seed.refusal);
  }
  if (typeof params.currency === 'string' && params.currency.toLowerCase() !== seed.currency) {
    return invalid(
      `The currency ${params.currency} does not match the payment's currency ${seed.currency}.`,
      'currency_mismatch',
      'currency',
    );
  }
  const remaining = seed.amount - payment.refunded;
  if (remaining <= 0) {
    return invalid(`Charge for ${paymentIntent} has already been refunded.`, 'charge_already_refunded');
  }
  const refundAmount = params.amount ?? remaining;
  if (refundAmount > remaining) {
    return invalid(
      `Refund amount (${refundAmount}) is greater than unrefunded amount on charge (${remaining})`,
      'amount_too_large',
      'amount',
    );
  }
  return refundAmount;
}

function invalid(message: string, code?: string, param?: string): SimulatorResponse {
  return {
    status: 400,
    body: {
      error: {
        type: 'invalid_request_error',
        message,
        ...(code === undefined ? {} : { code }),
        ...(param === undefined ? {} : { param }),
      },
    },
  };
}

/** JSON with object keys sorted, so equal parameters give equal fingerprints. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
