/**
 * The efundpay simulator's state: transactions, refunds, and the refund routes of a transaction
 * with efundpay's (Gr4vy's) semantics: `POST /v4/transactions/{id}/refunds` validates efundpay's
 * create body, answers 409 `duplicate_record` (with `resource_id`) for an `external_identifier`
 * already used, and refuses over-refunds and other currencies in Gr4vy's flat error shape;
 * `GET /v4/transactions/{id}/refunds` lists a transaction's refunds with page-number cursors.
 * The `idempotency-key` header is accepted and ignored, as Gr4vy's guide says refunds do not honour
 * it. Created refunds are `processing` and settle after `settleMs`.
 */
import { randomUUID } from 'node:crypto';
import type { SimulatorResponse } from '../../simulator-kit/http-simulator.js';
import { DEFAULT_SETTLE_MS } from '../../simulator-kit/settle.js';
import { EFUNDPAY_TRANSACTION_ID } from './identity.js';
import { efundpaySeedRefunds, type SeededEfundpayRefund } from './seed.js';
import { efundpaySeedTransactions, type EfundpaySeedTransaction } from './seed-transactions.js';
import type { EfundpayRefundWire } from './wire.js';

/** Gr4vy's error code and default message per status. */
const ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: 'Request failed validation' },
  401: { code: 'unauthorized', message: 'No valid API authentication found' },
  403: { code: 'forbidden', message: 'Missing required scopes' },
  404: { code: 'not_found', message: 'The resource could not be found' },
  409: { code: 'duplicate_record', message: 'A record with these details already exists' },
  425: { code: 'too_early', message: 'The request was made too early' },
  429: { code: 'too_many_requests', message: 'Too many requests, please slow down' },
  500: { code: 'server_error', message: 'Request could not be processed' },
  502: { code: 'bad_gateway', message: 'Bad gateway' },
  503: { code: 'service_unavailable', message: 'Service temporarily unavailable' },
  504: { code: 'gateway_timeout', message: 'Request could not be processed in time' },
};

/** Gr4vy's flat error body for a status. */
export function efundpayError(
  status: number,
  message?: string,
  details: readonly object[] = [],
  extra: Record<string, unknown> = {},
): SimulatorResponse {
  const known = ERRORS[status] ?? (status >= 500 ? ERRORS[500] : ERRORS[400]);
  return {
    status,
    body: { type: 'error', code: known?.code, status, message: message ?? known?.message, details, ...extra },
  };
}

/** efundpay's 400 for one invalid part of a request, in its body, path or query. */
const validationError =
  (location: 'body' | 'path' | 'query') =>
  (pointer: string, message: string, type: string): SimulatorResponse =>
    efundpayError(400, 'Request failed validation', [{ location, pointer, message, type }]);

const bodyError = validationError('body');
const pathError = validationError('path');
const queryError = validationError('query');

export interface EfundpayLedgerOptions {
  refunds?: readonly SeededEfundpayRefund[];
  transactions?: readonly EfundpaySeedTransaction[];
  settleMs?: number;
  now?: () => number;
}

interface StoredRefund {
  seeded: SeededEfundpayRefund;
  settleAt?: number;
  settlesAs?: string;
  createdOrder: number;
}

interface TransactionState {
  seed: EfundpaySeedTransaction;
  refunded: number;
}

export interface EfundpayLedger {
  /** The refund as it reads now, when `merchantAccountId` owns it. */
  getRefund(id: string, merchantAccountId: string): Record<string, unknown> | undefined;
  createRefund(transactionId: string, merchantAccountId: string, body: unknown): SimulatorResponse;
  listRefunds(transactionId: string, merchantAccountId: string, query: URLSearchParams): SimulatorResponse;
}

export function createEfundpayLedger(options: EfundpayLedgerOptions = {}): EfundpayLedger {
  const now = options.now ?? Date.now;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const seededRefunds = options.refunds ?? efundpaySeedRefunds;
  const refunds = new Map<string, StoredRefund>(
    seededRefunds.map((seeded, index) => [seeded.refund.id.toLowerCase(), { seeded, createdOrder: index }]),
  );
  let order = seededRefunds.length;
  const transactions = new Map<string, TransactionState>(
    (options.transactions ?? efundpaySeedTransactions).map((seed) => [
      seed.id.toLowerCase(),
      { seed, refunded: seed.amountRefunded },
    ]),
  );

  const view = (stored: StoredRefund) => refundAsItReads(stored, now());

  return {
    getRefund(id, merchantAccountId) {
      const stored = refunds.get(id.toLowerCase());
      if (stored?.seeded.merchantAccountId !== merchantAccountId) return undefined;
      return view(stored);
    },

    createRefund(transactionId, merchantAccountId, body) {
      const found = findTransaction(transactions, transactionId, merchantAccountId);
      if (!('seed' in found)) return found;
      const { seed } = found;
      const params = readCreateBody(body);
      if ('response' in params) return params.response;
      const { amount, externalIdentifier } = params;
      const duplicate = [...refunds.values()].find(
        ({ seeded }) =>
          seeded.merchantAccountId === merchantAccountId && seeded.refund.external_identifier === externalIdentifier,
      );
      if (duplicate) {
        return efundpayError(409, `A refund with external_identifier '${externalIdentifier}' already exists`, [], {
          resource_id: duplicate.seeded.refund.id,
        });
      }
      const refused = transactionRefusal(found, params);
      if (refused) return refused;
      const createdMs = now();
      const refund = createdRefundWire(seed, params, createdMs);
      found.refunded += amount;
      const stored: StoredRefund = {
        seeded: { merchantAccountId, refund },
        settleAt: createdMs + settleMs,
        settlesAs: seed.declinesRefunds ? 'declined' : 'succeeded',
        createdOrder: order++,
      };
      refunds.set(refund.id, stored);
      return { status: 201, body: view(stored) };
    },

    listRefunds(transactionId, merchantAccountId, query) {
      const found = findTransaction(transactions, transactionId, merchantAccountId);
      if (!('seed' in found)) return found;
      const paging = readPage(query);
      if ('response' in paging) return paging.response;
      const { limit, page } = paging;
      const all = [...refunds.values()]
        .filter(
          (stored) =>
            stored.seeded.merchantAccountId === merchantAccountId &&
            stored.seeded.refund.transaction_id.toLowerCase() === found.seed.id.toLowerCase(),
        )
        .sort((a, b) => a.createdOrder - b.createdOrder);
      return { status: 200, body: pageOf(all, limit, page, view) };
    },
  };
}

/** The transaction `merchantAccountId` asks for, or efundpay's answer when it has none. */
function findTransaction(
  transactions: ReadonlyMap<string, TransactionState>,
  transactionId: string,
  merchantAccountId: string,
): TransactionState | SimulatorResponse {
  if (!EFUNDPAY_TRANSACTION_ID.test(transactionId)) {
    return pathError('/transaction_id', 'value is not a valid uuid', 'value_error');
  }
  const transaction = transactions.get(transactionId.toLowerCase());
  // Another account's transaction is indistinguishable from a missing one.
  if (transaction?.seed.merchantAccountId !== merchantAccountId) return efundpayError(404);
  return transaction;
}

/** A stored refund as it reads at `nowMs`: settled once its settle time has passed. */
function refundAsItReads(stored: StoredRefund, nowMs: number): Record<string, unknown> {
  const settled = stored.settleAt !== undefined && nowMs >= stored.settleAt;
  const refund = settled ? { ...stored.seeded.refund, status: stored.settlesAs ?? 'succeeded' } : stored.seeded.refund;
  return withGr4vyExtras(stored.seeded.merchantAccountId, refund);
}

/** A refund just created on `transaction`, as efundpay first shows it (processing). */
function createdRefundWire(
  transaction: EfundpaySeedTransaction,
  body: CreateBody,
  createdMs: number,
): EfundpayRefundWire {
  return {
    type: 'refund',
    id: randomUUID(),
    transaction_id: transaction.id,
    status: 'processing',
    currency: body.currency,
    amount: body.amount,
    reason: body.reason,
    external_identifier: body.externalIdentifier,
    transaction_external_identifier: transaction.externalIdentifier,
    created_at: new Date(createdMs).toISOString().replace('Z', '+00:00'),
  };
}

/** Page `page` (0-based) of `limit` items, each as `show` gives it, with efundpay's cursors. */
function pageOf<T>(all: readonly T[], limit: number, page: number, show: (item: T) => unknown) {
  return {
    items: all.slice(page * limit, (page + 1) * limit).map(show),
    limit,
    next_cursor: (page + 1) * limit < all.length ? String(page + 1) : null,
    previous_cursor: page > 0 ? String(page - 1) : null,
  };
}

/** The body of a refund request, as checked. */
interface CreateBody {
  readonly amount: number;
  readonly currency: string;
  readonly reason: string;
  readonly externalIdentifier: string;
}

/** A refund request's body checked as efundpay checks it: its fields, or the 400 it answers. */
function readCreateBody(body: unknown): CreateBody | { readonly response: SimulatorResponse } {
  const refuse = (...args: Parameters<typeof bodyError>) => ({ response: bodyError(...args) });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse('/', 'the body must be a JSON object', 'type_error.dict');
  }
  const params = body as Record<string, unknown>;
  const { amount, currency, reason, external_identifier: externalIdentifier, webhooks_url: webhooksUrl } = params;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) {
    return refuse('/amount', 'an integer of at least 1 is required', 'value_error.number.not_ge');
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    return refuse('/currency', 'an ISO 4217 currency code is required', 'value_error.currency');
  }
  if (typeof reason !== 'string' || reason.length < 1 || reason.length > 255) {
    return refuse('/reason', 'a text of 1 to 255 characters is required', 'value_error.any_str');
  }
  if (typeof externalIdentifier !== 'string' || externalIdentifier.length < 1 || externalIdentifier.length > 50) {
    return refuse('/external_identifier', 'a text of 1 to 50 characters is required', 'value_error.any_str');
  }
  if (typeof webhooksUrl !== 'string' || !URL.canParse(webhooksUrl)) {
    return refuse('/webhooks_url', 'a URL is required', 'value_error.url');
  }
  return { amount, currency, reason, externalIdentifier };
}

/**
 * Why `transaction` cannot give a refund of `body` (not captured, another currency, refunded in
 * full, less left than asked), as efundpay answers it; undefined when it can.
 */
function transactionRefusal(transaction: TransactionState, body: CreateBody): SimulatorResponse | undefined {
  const { seed } = transaction;
  if (!seed.refundable) {
    return pathError(
      '/transaction_id',
      'the transaction was not captured and cannot be refunded',
      'value_error.transaction_not_refundable',
    );
  }
  if (body.currency !== seed.currency) {
    return bodyError(
      '/currency',
      `the currency must be the transaction's currency ${seed.currency}`,
      'value_error.currency_mismatch',
    );
  }
  const remaining = seed.amount - transaction.refunded;
  if (remaining <= 0) {
    return pathError(
      '/transaction_id',
      'the transaction has been refunded in full',
      'value_error.transaction_fully_refunded',
    );
  }
  if (body.amount > remaining) {
    return bodyError(
      '/amount',
      `the amount exceeds what remains to refund (${remaining})`,
      'value_error.amount_exceeds_remaining',
    );
  }
  return undefined;
}

/** A list request's `limit` (1–100, 20 by default) and `cursor` (a page number), or the 400 efundpay answers. */
function readPage(
  query: URLSearchParams,
): { readonly limit: number; readonly page: number } | { readonly response: SimulatorResponse } {
  const limitParam = query.get('limit');
  const limit = limitParam === null ? 20 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return { response: queryError('/limit', 'limit must be 1 to 100', 'value_error') };
  }
  const cursorParam = query.get('cursor');
  const page = cursorParam === null ? 0 : Number(cursorParam);
  if (!Number.isInteger(page) || page < 0) {
    return { response: queryError('/cursor', 'unknown cursor', 'value_error') };
  }
  return { limit, page };
}

/** Fields real Gr4vy responses carry beyond the documented ten: clients must ignore them. */
function withGr4vyExtras(merchantAccountId: string, refund: EfundpayRefundWire): Record<string, unknown> {
  return {
    ...refund,
    updated_at: refund.created_at,
    target_type: 'payment-method',
    target_id: null,
    reconciliation_id: refund.id.replaceAll('-', '').slice(0, 22),
    settled: refund.status === 'succeeded',
    error_code: refund.status === 'declined' ? 'refund_declined' : null,
    merchant_account_id: merchantAccountId,
  };
}
