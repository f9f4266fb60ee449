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

const bodyError = (pointer: string, message: string, type: string): SimulatorResponse =>
  efundpayError(400, 'Request failed validation', [{ location: 'body', pointer, message, type }]);

const pathError = (pointer: string, message: string, type: string): SimulatorResponse =>
  efundpayError(400, 'Request failed validation', [{ location: 'path', pointer, message, type }]);

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
  let order = 0;
  const refunds = new Map<string, StoredRefund>(
    (options.refunds ?? efundpaySeedRefunds).map((seeded) => [
      seeded.refund.id.toLowerCase(),
      { seeded, createdOrder: order++ },
    ]),
  );
  const transactions = new Map<string, TransactionState>(
    (options.transactions ?? efundpaySeedTransactions).map((seed) => [
      seed.id.toLowerCase(),
      { seed, refunded: seed.amountRefunded },
    ]),
  );

  const view = (stored: StoredRefund): Record<string, unknown> => {
    const settled = stored.settleAt !== undefined && now() >= stored.settleAt;
    const refund = settled
      ? { ...stored.seeded.refund, status: stored.settlesAs ?? 'succeeded' }
      : stored.seeded.refund;
    return withGr4vyExtras(stored.seeded.merchantAccountId, refund);
  };

  const findTransaction = (transactionId: string, merchantAccountId: string) => {
    if (!EFUNDPAY_TRANSACTION_ID.test(transactionId)) {
      return pathError('/transaction_id', 'value is not a valid uuid', 'value_error');
    }
    const transaction = transactions.get(transactionId.toLowerCase());
    // Another account's transaction is indistinguishable from a missing one.
    if (transaction?.seed.merchantAccountId !== merchantAccountId) return efundpayError(404);
    return transaction;
  };

  return {
    getRefund(id, merchantAccountId) {
      const stored = refunds.get(id.toLowerCase());
      if (stored?.seeded.merchantAccountId !== merchantAccountId) return undefined;
      return view(stored);
    },

    createRefund(transactionId, merchantAccountId, body) {
      const found = findTransaction(transactionId, merchantAccountId);
      if (!('seed' in found)) return found;
      const { seed } = found;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return bodyError('/', 'the body must be a JSON object', 'type_error.dict');
      }
      const params = body as Record<string, unknown>;
      const { amount, currency, reason, external_identifier: externalIdentifier, webhooks_url: webhooksUrl } = params;
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) {
        return bodyError('/amount', 'an integer of at least 1 is required', 'value_error.number.not_ge');
      }
      if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
        return bodyError('/currency', 'an ISO 4217 currency code is required', 'value_error.currency');
      }
      if (typeof reason !== 'string' || reason.length < 1 || reason.length > 255) {
        return bodyError('/reason', 'a text of 1 to 255 characters is required', 'value_error.any_str');
      }
      if (typeof externalIdentifier !== 'string' || externalIdentifier.length < 1 || externalIdentifier.length > 50) {
        return bodyError('/external_identifier', 'a text of 1 to 50 characters is required', 'value_error.any_str');
      }
      if (typeof webhooksUrl !== 'string' || !URL.canParse(webhooksUrl)) {
        return bodyError('/webhooks_url', 'a URL is required', 'value_error.url');
      }
      const duplicate = [...refunds.values()].find(
        (stored) =>
          stored.seeded.merchantAccountId === merchantAccountId &&
          stored.seeded.refund.external_identifier === externalIdentifier,
      );
      if (duplicate) {
        return efundpayError(409, `A refund with external_identifier '${externalIdentifier}' already exists`, [], {
          resource_id: duplicate.seeded.refund.id,
        });
      }
      if (!seed.refundable) {
        return pathError(
          '/transaction_id',
          'the transaction was not captured and cannot be refunded',
          'value_error.transaction_not_refundable',
        );
      }
      if (currency !== seed.currency) {
        return bodyError(
          '/currency',
          `the currency must be the transaction's currency ${seed.currency}`,
          'value_error.currency_mismatch',
        );
      }
      const remaining = seed.amount - found.refunded;
      if (remaining <= 0) {
        return pathError(
          '/transaction_id',
          'the transaction has been refunded in full',
          'value_error.transaction_fully_refunded',
        );
      }
      if (amount > remaining) {
        return bodyError(
          '/amount',
          `the amount exceeds what remains to refund (${remaining})`,
          'value_error.amount_exceeds_remaining',
        );
      }
      const createdMs = now();
      const refund: EfundpayRefundWire = {
        type: 'refund',
        id: randomUUID(),
        transaction_id: seed.id,
        status: 'processing',
        currency,
        amount,
        reason,
        external_identifier: externalIdentifier,
        transaction_external_identifier: seed.externalIdentifier,
        created_at: new Date(createdMs).toISOString().replace('Z', '+00:00'),
      };
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
      const found = findTransaction(transactionId, merchantAccountId);
      if (!('seed' in found)) return found;
      const limitParam = query.get('limit');
      const limit = limitParam === null ? 20 : Number(limitParam);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        return efundpayError(400, 'Request failed validation', [
          { location: 'query', pointer: '/limit', message: 'limit must be 1 to 100', type: 'value_error' },
        ]);
      }
      const cursorParam = query.get('cursor');
      const page = cursorParam === null ? 0 : Number(cursorParam);
      if (!Number.isInteger(page) || page < 0) {
        return efundpayError(400, 'Request failed validation', [
          { location: 'query', pointer: '/cursor', message: 'unknown cursor', type: 'value_error' },
        ]);
      }
      const all = [...refunds.values()]
        .filter(
          (stored) =>
            stored.seeded.merchantAccountId === merchantAccountId &&
            stored.seeded.refund.transaction_id.toLowerCase() === found.seed.id.toLowerCase(),
        )
        .sort((a, b) => a.createdOrder - b.createdOrder);
      const items = all.slice(page * limit, (page + 1) * limit).map(view);
      return {
        status: 200,
        body: {
          items,
          limit,
          next_cursor: (page + 1) * limit < all.length ? String(page + 1) : null,
          previous_cursor: page > 0 ? String(page - 1) : null,
        },
      };
    },
  };
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
