/**
 * efundpay refund creation: `POST /v4/transactions/{id}/refunds` with `external_identifier` (the
 * record's derived key) and `webhooks_url`. efundpay does not promise to deduplicate refunds by
 * `idempotency-key` (it is sent anyway), but it refuses a second refund with the same
 * `external_identifier` (409 `duplicate_record` with `resource_id`). So:
 *
 * - the POST is retried only when it provably never left (`connect-only`);
 * - when it may have reached efundpay (timeout, reset after sending, 5xx), the transaction's refunds
 *   are listed (`GET /v4/transactions/{id}/refunds`) for our `external_identifier`: found, that is
 *   the refund; absent, exactly one new POST, whose own ambiguity is final;
 * - `409 duplicate_record` resolves to the existing refund (read by `resource_id`);
 * - an outcome that stays unknown is PROVIDER_OUTCOME_UNKNOWN: repeating the call with the same
 *   idempotency key is safe, because the same `external_identifier` can never make a second refund.
 */
import { z } from 'zod';
import {
  ProviderError,
  ProviderNotConfiguredError,
  ProviderOutcomeUnknownError,
  RequestRefusedError,
} from '../../domain/errors.js';
import {
  refundRejected,
  type ProviderRefundOutcome,
  type ProviderRefundRequest,
  type RefundRejectionCode,
  type RejectionWording,
} from '../../domain/refund-creation.js';
import type { RefundModel } from '../../domain/refund.js';
import { outcomeUnknown, type ProviderHttp } from '../http/provider-http.js';
import type { ProviderAnswer } from '../http/provider-request.js';
import { safeProviderCode } from '../http/provider-code.js';
import type { ProviderCallContext } from '../port.js';
import { EFUNDPAY_REFUND_ID, efundpayIdentity } from './identity.js';
import type { EfundpayRefundDetailsModel } from './model.js';
import {
  efundpayRefundPageSchema,
  efundpayTransactionRefundsListPath,
  efundpayTransactionRefundsPath,
  LIST_PAGE_SIZE,
  MAX_LIST_PAGES,
  type EfundpayRefundPage,
} from './list-refunds.js';
import { efundpayErrorSchema, efundpayRefundSchema } from './wire.js';

/** efundpay's reason is required free text: the caller's note, else our reason in words. */
const REASON_TEXT: Record<ProviderRefundRequest['reason'], string> = {
  DUPLICATE: 'Duplicate payment',
  FRAUDULENT: 'Fraudulent payment',
  REQUESTED_BY_CUSTOMER: 'Requested by the customer',
  RESOLVED_DISPUTE: "Dispute resolved in the customer's favour",
  OTHER: 'Other',
};

const WORDING: RejectionWording = {
  payment: 'transaction',
  missingPayment: 'transaction for this merchant account',
  notRefundableBecause: 'not captured, or refunded in full',
};

const errorBodySchema = efundpayErrorSchema.extend({ resource_id: z.string().optional() });
const detailSchema = z.looseObject({ pointer: z.string().optional(), type: z.string().optional() });

export interface EfundpayRefundCreatorOptions {
  readonly http: ProviderHttp;
  /** Null when EFUNDPAY_REFUND_WEBHOOK_URL is unset: refunds are then not configured. */
  readonly webhookUrl: string | null;
  /** Parses a refund body; `null` accepts any id. */
  readonly parseRefund: (requestedId: string | null) => (body: unknown) => RefundModel;
}

export function createEfundpayRefundCreator(
  options: EfundpayRefundCreatorOptions,
): (request: ProviderRefundRequest, context: ProviderCallContext) => Promise<ProviderRefundOutcome> {
  const calls: Calls = { http: options.http, parseRefund: options.parseRefund };
  return async (request, context) => {
    const webhookUrl = options.webhookUrl;
    if (webhookUrl === null) {
      throw new ProviderNotConfiguredError(
        efundpayIdentity,
        'refund creation needs EFUNDPAY_REFUND_WEBHOOK_URL (where efundpay posts refund status notifications); set it to enable refunds',
      );
    }
    if (request.amount === null) throw new TypeError('efundpay refunds need an amount (validated before)');
    let answer: PostAnswer;
    try {
      answer = await post(calls, request, webhookUrl, context);
    } catch (error) {
      if (!(error instanceof ProviderError && outcomeUnknown(error))) throw error;
      return afterAmbiguousPost(calls, request, webhookUrl, error, context);
    }
    return interpret(calls, request, answer, context);
  };
}

/** What the creator's steps call efundpay with. */
interface Calls {
  readonly http: ProviderHttp;
  readonly parseRefund: EfundpayRefundCreatorOptions['parseRefund'];
}

type PostAnswer = ProviderAnswer<RefundModel>;

const unknownOutcome = (why: string, cause?: unknown) =>
  new ProviderOutcomeUnknownError(efundpayIdentity, why, { cause });

/** One POST; its failure is thrown as it is (the caller decides what ambiguity means). */
async function post(
  { http, parseRefund }: Calls,
  request: ProviderRefundRequest,
  webhookUrl: string,
  context: ProviderCallContext,
): Promise<PostAnswer> {
  const amount = request.amount!;
  return http.send(
    {
      method: 'POST',
      path: efundpayTransactionRefundsPath(request.paymentId),
      body: {
        amount: amount.minorUnits,
        currency: amount.currencyCode,
        reason: request.note ?? REASON_TEXT[request.reason],
        external_identifier: request.providerKey,
        webhooks_url: webhookUrl,
      },
      headers: { 'idempotency-key': request.providerKey },
      retry: 'connect-only',
      parse: parseRefund(null),
      refusal: (_status, body) => efundpayErrorSchema.safeParse(body).success,
    },
    context,
  );
}

/**
 * The first POST may have reached efundpay: look for our refund before posting again, and post
 * exactly once more when it is not there. An ambiguous second POST is final.
 */
async function afterAmbiguousPost(
  calls: Calls,
  request: ProviderRefundRequest,
  webhookUrl: string,
  firstError: ProviderError,
  context: ProviderCallContext,
): Promise<ProviderRefundOutcome> {
  let found: RefundModel | null;
  try {
    found = await findOurs(calls, request, context);
  } catch (lookupError) {
    throw unknownOutcome(`${firstError.code}, and looking the refund up failed`, lookupError);
  }
  if (found) return { kind: 'created', refund: sameRequest(request, found), existing: true };
  let second: PostAnswer;
  try {
    second = await post(calls, request, webhookUrl, context);
  } catch (retryError) {
    if (retryError instanceof ProviderError && outcomeUnknown(retryError)) {
      throw unknownOutcome(`${retryError.code} twice`, retryError);
    }
    throw retryError;
  }
  return interpret(calls, request, second, context);
}

/** Our refund among the transaction's refunds, by `external_identifier`; null when absent. */
async function findOurs(
  { http, parseRefund }: Calls,
  request: ProviderRefundRequest,
  context: ProviderCallContext,
): Promise<RefundModel | null> {
  let cursor: string | null = null;
  // A transaction with more refunds than a listing reads is not settled by lookup.
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const answer: ProviderAnswer<EfundpayRefundPage> = await http.send(
      {
        method: 'GET',
        path: efundpayTransactionRefundsListPath(request.paymentId, cursor),
        retry: 'idempotent-read',
        parse: (body) => efundpayRefundPageSchema.parse(body),
      },
      context,
    );
    if (!answer.ok) return null;
    for (const item of answer.value.items) {
      const wire = efundpayRefundSchema.safeParse(item);
      if (wire.success && wire.data.external_identifier === request.providerKey) {
        return parseRefund(null)(item);
      }
    }
    cursor = answer.value.next_cursor ?? null;
    if (cursor === null) return null;
  }
  throw new Error(`more than ${MAX_LIST_PAGES * LIST_PAGE_SIZE} refunds on one transaction`);
}

/** The refund a `duplicate_record` names, checked to be the one this request describes. */
async function existing(
  calls: Calls,
  request: ProviderRefundRequest,
  resourceId: string | undefined,
  context: ProviderCallContext,
): Promise<ProviderRefundOutcome> {
  const refund =
    resourceId !== undefined && EFUNDPAY_REFUND_ID.test(resourceId)
      ? await calls.http.getResource(
          `refunds/${encodeURIComponent(resourceId)}`,
          context,
          calls.parseRefund(resourceId.toLowerCase()),
        )
      : await findOurs(calls, request, context);
  if (refund === null) {
    throw unknownOutcome('efundpay reported a duplicate refund that could not be read');
  }
  return { kind: 'created', refund: sameRequest(request, refund), existing: true };
}

/** A POST's answer as an outcome: the refund, the existing one for a duplicate, or a refusal. */
async function interpret(
  calls: Calls,
  request: ProviderRefundRequest,
  answer: PostAnswer,
  context: ProviderCallContext,
): Promise<ProviderRefundOutcome> {
  if (answer.ok) return { kind: 'created', refund: answer.value, existing: false };
  const body = errorBodySchema.parse(answer.body);
  if (answer.status === 409 && body.code === 'duplicate_record')
    return existing(calls, request, body.resource_id, context);
  if (answer.status === 409) {
    // concurrent_request: an identical request is still running at efundpay.
    throw unknownOutcome('efundpay is still processing an identical request');
  }
  return efundpayRejection(answer.status, answer.body);
}

/**
 * The existing refund must be the one asked for: same transaction, amount and currency. Otherwise
 * the key (our external_identifier) was used for a different refund.
 */
function sameRequest(request: ProviderRefundRequest, refund: RefundModel): RefundModel {
  const details = refund.details as EfundpayRefundDetailsModel;
  const transactionId = details.kind === 'EfundpayRefundDetails' ? details.transactionId.toLowerCase() : null;
  if (
    transactionId !== request.paymentId ||
    refund.amount.minorUnits !== request.amount?.minorUnits ||
    refund.amount.currencyCode !== request.amount.currencyCode
  ) {
    throw new RequestRefusedError(
      'IDEMPOTENCY_KEY_REUSED',
      'efundpay: this idempotencyKey already made a different refund; use a new key for a different refund',
    );
  }
  return refund;
}

/** An efundpay 4xx error body as our outcome. */
function efundpayRejection(status: number, body: unknown): ProviderRefundOutcome {
  const error = errorBodySchema.parse(body);
  const detail = detailSchema.safeParse(error.details?.[0]);
  const type = detail.success ? detail.data.type : undefined;
  const pointer = detail.success ? detail.data.pointer : undefined;
  let code: RefundRejectionCode = 'OTHER';
  if (status === 404) code = 'PAYMENT_NOT_FOUND';
  else if (type?.includes('not_refundable') || type?.includes('fully_refunded')) code = 'PAYMENT_NOT_REFUNDABLE';
  else if (pointer === '/amount' && type?.includes('exceeds')) code = 'AMOUNT_TOO_LARGE';
  else if (pointer === '/currency' && type?.includes('mismatch')) code = 'CURRENCY_MISMATCH';
  else if (error.code === 'declined' || type?.includes('declined')) code = 'DECLINED';
  const providerCode = safeProviderCode(type) ?? safeProviderCode(error.code) ?? null;
  return refundRejected(efundpayIdentity, WORDING, code, providerCode);
}
