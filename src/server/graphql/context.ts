/** The per-request GraphQL context: request id, a fresh set of loaders, and what it observed. */
import type { Logger } from 'pino';
import type { CreateRefundInput } from '../../__generated__/schema-types.js';
import type { RefundCreationOutcome } from '../../domain/refund-creation.js';
import type { SpanRunner } from '../../observability/tracing.js';
import type { ProviderCallRecord } from '../../providers/port.js';
import type { RefundPage } from '../../domain/refund-page.js';
import type { RefundCreation } from '../../refunds/create/refund-creation.js';
import { createPaymentLoader, type PaymentLoader } from '../../refunds/payments/payment-loader.js';
import type { PaymentRefunds } from '../../refunds/payments/payment-refunds.js';
import type { RefundSearch, SearchArgs, SummaryArgs, SummaryRowModel } from '../../refunds/search/refund-search.js';
import type { LiveStatus } from '../../refunds/live/live-status.js';
import { createLoaders, type Loaders } from '../../refunds/read/refund-loader.js';
import { createLastChangedLoader, type LastChangedLoader } from '../../refunds/ledger/last-changed-loader.js';
import type { Ledger } from '../../refunds/ledger/ledger.js';
import type { CacheReadRecord, RefundReader, ServedRecord } from '../../refunds/read/refund-reader.js';
import type { RefundRef } from '../../providers/ids.js';

export interface RequestContext {
  readonly requestId: string;
  readonly logger: Logger;
  readonly loaders: Loaders;
  /** `Refund.lastChangedAt` from the ledger, in one query per operation (null when the ledger cannot answer). */
  readonly lastChanged: LastChangedLoader;
  /** Every provider call made for this request, in completion order. */
  readonly providerCalls: ProviderCallRecord[];
  /** The analysts' debug view: list provider calls in the response's extensions. */
  readonly debug: boolean;
  /** Distinct refunds the operation loaded. */
  readonly stats: { refundsRequested: number };
  /** The fields of the operation's log line once it is written (the operation cache repeats them on a hit). */
  readonly logged: { fields: Readonly<Record<string, unknown>> | null };
  /** `createRefund` for this request's caller (its `Authorization` header). */
  readonly createRefund: (input: CreateRefundInput) => Promise<RefundCreationOutcome>;
  /** Refunds served from the refund cache for this request (fresh hits and stale copies). */
  readonly cacheReads: CacheReadRecord[];
  /** For Cache-Control: the earliest time an answer of this operation stops being fresh, and any stale copy. */
  readonly freshness: { until: number; anyStale: boolean; answers: number };
  /**
   * For the operation cache: the refunds the answer holds, and whether it also holds something other
   * than refunds read one by one (a payment's list), which any change may alter.
   */
  readonly served: { readonly refs: RefundRef[]; untagged: boolean };
  /** The operation's payments, read in one batch; null where payments are not served. */
  readonly payments: PaymentLoader | null;
  /** refundSearch and refundSummary for this request's caller; null where search is not served. */
  readonly search: {
    search(args: SearchArgs): Promise<RefundPage>;
    summarize(args: SummaryArgs): Promise<SummaryRowModel[]>;
  } | null;
  /** Set by fields whose answers must never be cached (search, summary): the response is `private, no-store`. */
  readonly cachePolicy: { privateNoStore: boolean };
  /** Live refund status, for subscriptions; null where none is served. */
  readonly live: LiveStatus | null;
  /**
   * The subscription this context belongs to (WebSocket operations only): `onSlowConsumer` is told
   * when its subscriber stops reading, and the transport closes the connection.
   */
  readonly subscription: { readonly onSlowConsumer: () => void } | null;
}

export interface ContextOptions {
  /** The ledger, for `lastChangedAt`; absent: the field is null. */
  readonly ledger?: Pick<Ledger, 'getMany'>;
  /** Told when the ledger could not answer `lastChangedAt` in time (a throttled warning). */
  readonly onLedgerReadFailure?: (reason: string) => void;
  readonly reader: RefundReader;
  readonly logger: Logger;
  readonly requestId: string;
  readonly debug: boolean;
  /** Aborted when the client goes away, so its provider calls stop too. */
  readonly signal?: AbortSignal;
  readonly onBatch?: (size: number) => void;
  readonly refundCreation: RefundCreation;
  /** The request's `Authorization` header: the end user's JWT, forwarded by the router. */
  readonly authorization?: string;
  /** Wraps each loader batch in a span (tracing on only). */
  readonly span?: SpanRunner;
  /** The refunds of payments (Payment.refunds and totals). */
  readonly paymentRefunds?: PaymentRefunds;
  /** refundSearch and refundSummary over the ledger. */
  readonly refundSearch?: RefundSearch;
  readonly live?: LiveStatus;
  /** For a subscription over WebSocket: told when its subscriber stops reading. */
  readonly onSlowConsumer?: () => void;
}

/** How long `lastChangedAt` waits for the ledger before answering null: a slow ledger never holds a read up. */
const LEDGER_READ_TIMEOUT_MS = 250;

export function createRequestContext(options: ContextOptions): RequestContext {
  const providerCalls: ProviderCallRecord[] = [];
  const stats = { refundsRequested: 0 };
  const cacheReads: CacheReadRecord[] = [];
  const freshness = { until: Number.POSITIVE_INFINITY, anyStale: false, answers: 0 };
  const served = { refs: [] as RefundRef[], untagged: false };
  const logger = options.logger.child({ requestId: options.requestId });
  const observe = (record: ProviderCallRecord) => providerCalls.push(record);
  const call = {
    requestId: options.requestId,
    ...(options.signal ? { signal: options.signal } : {}),
    observe,
    onCacheRead: (record: CacheReadRecord) => cacheReads.push(record),
    onServed: ({ freshUntil, stale, ref }: ServedRecord) => {
      if (ref) served.refs.push(ref);
      else served.untagged = true;
      freshness.answers += 1;
      freshness.until = Math.min(freshness.until, freshUntil);
      freshness.anyStale ||= stale;
    },
  };
  const refundSearch = options.refundSearch;
  return {
    stats,
    logged: { fields: null },
    cacheReads,
    freshness,
    served,
    requestId: options.requestId,
    logger,
    providerCalls,
    debug: options.debug,
    live: options.live ?? null,
    subscription: options.onSlowConsumer ? { onSlowConsumer: options.onSlowConsumer } : null,
    createRefund: (input) =>
      options.refundCreation.create(input, {
        requestId: options.requestId,
        authorization: options.authorization,
        logger,
        observe,
      }),
    payments: options.paymentRefunds ? createPaymentLoader(options.paymentRefunds, call) : null,
    search: refundSearch
      ? {
          search: (args) => refundSearch.search(args, options.authorization),
          summarize: (args) => refundSearch.summarize(args, options.authorization),
        }
      : null,
    cachePolicy: { privateNoStore: false },
    lastChanged: createLastChangedLoader({
      ledger: options.ledger ?? null,
      timeoutMs: LEDGER_READ_TIMEOUT_MS,
      onFailure: (reason) => options.onLedgerReadFailure?.(reason),
    }),
    loaders: createLoaders({
      reader: options.reader,
      call,
      ...(options.span ? { span: options.span } : {}),
      onBatch: (size) => {
        stats.refundsRequested += size;
        options.onBatch?.(size);
      },
    }),
  };
}
