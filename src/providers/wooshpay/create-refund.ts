/**
 * WooshPay refund creation: `POST /v1/refunds` with an `Idempotency-Key` (the record's derived
 * key). WooshPay, like Stripe, replays the first answer for a repeated key, so every ambiguous
 * failure (timeout, reset after sending, 5xx, 409 while the first request runs) is retried with the
 * same key (`provider-idempotent`): it can never make a second refund. A refusal is data
 * (RefundRejected with WooshPay's code); `idempotency_error` means the key was used with other
 * parameters.
 */
import { ProviderError, ProviderOutcomeUnknownError, RequestRefusedError } from '../../domain/errors.js';
import {
  refundRejected,
  type ProviderRefundOutcome,
  type ProviderRefundRequest,
  type RefundRejectionCode,
  type RejectionWording,
} from '../../domain/refund-creation.js';
import type { RefundModel } from '../../domain/refund.js';
import { outcomeUnknown, type ProviderHttp } from '../http/provider-http.js';
import { safeProviderCode } from '../http/provider-code.js';
import type { ProviderCallContext } from '../port.js';
import { wooshPayIdentity } from './identity.js';
import { wooshPayErrorSchema } from './wire.js';

/** Our reasons -> WooshPay's four create reasons; OTHER sends none. */
const REASONS: Record<ProviderRefundRequest['reason'], string | undefined> = {
  DUPLICATE: 'duplicate',
  FRAUDULENT: 'fraudulent',
  REQUESTED_BY_CUSTOMER: 'requested_by_customer',
  RESOLVED_DISPUTE: 'resolved_dispute',
  OTHER: undefined,
};

/** WooshPay's (Stripe's) refusal codes -> ours. */
const REJECTIONS: Readonly<Record<string, RefundRejectionCode>> = {
  resource_missing: 'PAYMENT_NOT_FOUND',
  amount_too_large: 'AMOUNT_TOO_LARGE',
  currency_mismatch: 'CURRENCY_MISMATCH',
  charge_already_refunded: 'PAYMENT_NOT_REFUNDABLE',
  charge_disputed: 'PAYMENT_NOT_REFUNDABLE',
  payment_intent_unexpected_state: 'PAYMENT_NOT_REFUNDABLE',
  card_declined: 'DECLINED',
};

const WORDING: RejectionWording = {
  payment: 'payment',
  missingPayment: 'payment intent',
  notRefundableBecause: 'not captured, disputed or refunded in full',
};

/** The JSON body of `POST /v1/refunds` (WooshPay's field names; `amount` is a string in its docs). */
function wooshPayCreateBody(request: ProviderRefundRequest): Record<string, unknown> {
  const reason = REASONS[request.reason];
  return {
    payment_intent: request.paymentId,
    ...(request.amount
      ? { amount: String(request.amount.minorUnits), currency: request.amount.currencyCode.toLowerCase() }
      : {}),
    ...(reason ? { reason } : {}),
    ...(request.note !== null ? { description: request.note } : {}),
    metadata: Object.fromEntries(request.metadata.map(({ key, value }) => [key, value])),
  };
}

export function createWooshPayRefundCreator(
  http: ProviderHttp,
  parseRefund: (body: unknown) => RefundModel,
): (request: ProviderRefundRequest, context: ProviderCallContext) => Promise<ProviderRefundOutcome> {
  return async (request, context) => {
    let answer;
    try {
      answer = await http.send(
        {
          method: 'POST',
          path: 'v1/refunds',
          body: wooshPayCreateBody(request),
          headers: { 'Idempotency-Key': request.providerKey },
          retry: 'provider-idempotent',
          parse: parseRefund,
          // A 409 is another request with this key still running (retried above): never a refusal.
          refusal: (status, body) => status !== 409 && wooshPayErrorSchema.safeParse(body).success,
        },
        context,
      );
    } catch (error) {
      if (error instanceof ProviderError && (outcomeUnknown(error) || error.status === 409)) {
        throw new ProviderOutcomeUnknownError(
          wooshPayIdentity,
          error.message.replace(`${wooshPayIdentity.label}: `, ''),
          { cause: error, ...(error.status === undefined ? {} : { status: error.status }) },
        );
      }
      throw error;
    }
    if (answer.ok) return { kind: 'created', refund: answer.value, existing: false };
    return wooshPayRejection(answer.status, answer.body);
  };
}

/** A WooshPay 4xx error body as our outcome; `idempotency_error` is not a refusal but a reused key. */
function wooshPayRejection(status: number, body: unknown): ProviderRefundOutcome {
  const error = wooshPayErrorSchema.parse(body).error;
  if (error.type === 'idempotency_error') {
    throw new RequestRefusedError(
      'IDEMPOTENCY_KEY_REUSED',
      'WooshPay: this idempotencyKey was already used with different input; use a new key for a different refund',
    );
  }
  const providerCode = safeProviderCode(error.code) ?? safeProviderCode(error.type) ?? null;
  let code: RefundRejectionCode =
    (error.code !== undefined && Object.hasOwn(REJECTIONS, error.code) ? REJECTIONS[error.code] : undefined) ??
    (error.param === 'currency' ? 'CURRENCY_MISMATCH' : undefined) ??
    (error.type === 'card_error' || status === 402 ? 'DECLINED' : 'OTHER');
  if (status === 404 && code === 'OTHER') code = 'PAYMENT_NOT_FOUND';
  return refundRejected(wooshPayIdentity, WORDING, code, providerCode);
}
