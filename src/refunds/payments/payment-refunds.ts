/**
 * The refunds of payments, in batches (one batch per operation through the per-request loader,
 * payment-loader.ts):
 * - a provider that lists refunds (`listRefunds`): its list, from the refund list cache
 *   or one list call (all pages) per payment; each listed refund enters the refund cache
 *   (`reader.remember`) and the ledger (source `listed`, in the background: a slow or failing
 *   ledger never slows or fails the answer). `complete` is the provider's word.
 * - any other provider (no list endpoint): what the ledger recorded, for every such
 *   payment of the batch in one query. Not `complete`: the ledger knows what was created here,
 *   read, or told by webhooks.
 * Each answer reports its refunds' freshness (`onServed`), so Cache-Control follows them.
 */
import type { Logger } from 'pino';
import type { Money } from '../../domain/money.js';
import type { PaymentRef } from '../../domain/payment.js';
import type { RefundModel, RefundProviderName, RefundStatus } from '../../domain/refund.js';
import type { RetrievedRefund } from '../../domain/retrieved-refund.js';
import { providerNotConfigured, type RefundRef } from '../../providers/ids.js';
import type { ProviderClients, RefundProviderPort } from '../../providers/port.js';
import type { Ledger, RecordedRefund } from '../ledger/ledger.js';
import { freshnessMs, type FreshnessPolicy } from '../read/freshness.js';
import { toError, type RefundReadContext, type RefundReader } from '../read/refund-reader.js';
import { createMoney } from '../../domain/money.js';
import type { LedgerQueries, LedgerRow } from '../search/ledger-queries.js';
import { compareKeysets, type RefundKeyset } from '../search/refund-cursor.js';
import { rowKeyset } from '../search/ledger-queries.js';
import type { RefundListCache } from './refund-list-cache.js';

/** One refund of a payment, in the lists' order. */
export interface PaymentRefundItem {
  readonly keyset: RefundKeyset;
  readonly ref: RefundRef;
  readonly status: RefundStatus;
  readonly amount: Money;
  /** The refund itself when the list brought it (a provider list); else it is read by id on demand. */
  readonly refund: RetrievedRefund | null;
}

export interface PaymentRefundList {
  readonly payment: PaymentRef;
  /** Newest first. */
  readonly items: readonly PaymentRefundItem[];
  /** True when the provider listed them itself. */
  readonly complete: boolean;
}

export interface PaymentRefunds {
  /** One entry per payment, in order: its refunds, or the Error for that payment alone. */
  loadMany(payments: readonly PaymentRef[], context: RefundReadContext): Promise<Array<PaymentRefundList | Error>>;
  /** Drops the cached list of a refund's payment (after this service created it). */
  forget(refund: RefundModel): Promise<void>;
  /** Resolves when the background ledger writes started so far are done (tests, shutdown). */
  idle(): Promise<void>;
}

export interface PaymentRefundsOptions {
  readonly clients: ProviderClients;
  readonly reader: RefundReader;
  /** Where listed refunds are recorded; null without a ledger. */
  readonly ledger: Ledger | null;
  /** The ledger's read side, for payments of providers that cannot list; null without a ledger. */
  readonly queries: LedgerQueries | null;
  /** Null with the refund cache off: every list is read from the provider. */
  readonly listCache: RefundListCache | null;
  readonly freshness: FreshnessPolicy;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Told what each ledger write of listed refunds did, with the refunds written (new and changed refunds go on from there). */
  readonly onRecorded?: (recorded: readonly RecordedRefund[], refunds: readonly RefundModel[]) => void;
}

/** Ledger rows read at most for one batch of payments. */
const MAX_LEDGER_ROWS = 10_000;

export const paymentKey = (payment: PaymentRef): string => `${payment.provider}:${payment.providerPaymentId}`;

/** What the list and ledger reads of one PaymentRefunds share. */
interface ReadParts {
  readonly reader: RefundReader;
  readonly listCache: RefundListCache | null;
  readonly queries: LedgerQueries | null;
  readonly freshness: FreshnessPolicy;
  readonly now: () => number;
  /** Records listed refunds in the ledger in the background. */
  readonly record: (refunds: readonly RefundModel[]) => void;
}

/**
 * Sorts each payment of a batch to its provider's list (listRefunds), to the ledger (a provider
 * that cannot list), or to "not configured", and answers in the payments' order. Ledger writes of
 * listed refunds run in the background; `idle()` waits for them.
 */
export function createPaymentRefunds(options: PaymentRefundsOptions): PaymentRefunds {
  const { clients, reader, ledger, queries, listCache, freshness, logger } = options;
  const now = options.now ?? Date.now;
  const background = createBackgroundRecorder(ledger, logger, options.onRecorded);
  const parts: ReadParts = { reader, listCache, queries, freshness, now, record: background.record };

  return {
    async loadMany(payments, context) {
      const results = new Array<PaymentRefundList | Error>(payments.length);
      const ledgerIndexes: number[] = [];
      await Promise.all(
        payments.map(async (payment, index) => {
          const client = lister(clients, payment.provider);
          if (client === undefined) {
            ledgerIndexes.push(index);
            return;
          }
          if (client === null) {
            results[index] = providerNotConfigured(payment.provider);
            return;
          }
          results[index] = await listed(parts, payment, client, context).catch(toError);
        }),
      );
      ledgerIndexes.sort((a, b) => a - b);
      const fromRows = await fromLedger(
        parts,
        ledgerIndexes.map((index) => payments[index]!),
        context,
      );
      ledgerIndexes.forEach((index, position) => {
        results[index] = fromRows[position]!;
      });
      return results;
    },

    async forget(refund) {
      if (refund.paymentId === null || !listCache) return;
      const client = clients.get(refund.provider);
      if (!client?.listRefunds) return;
      await listCache.forget({ provider: refund.provider, providerPaymentId: refund.paymentId }, client.account);
    },

    idle: background.idle,
  };
}

/**
 * The provider's client if it lists refunds; undefined when it cannot list (read the ledger); null
 * when it could, but is not configured.
 */
function lister(clients: ProviderClients, provider: RefundProviderName): RefundProviderPort | null | undefined {
  const client = clients.get(provider);
  // undefined: the provider cannot list (read the ledger); null: it could, but is not configured.
  if (client === null) return null;
  return client?.listRefunds ? client : undefined;
}

/**
 * Ledger writes of listed refunds (source `listed`) that never hold up or fail the answer: a failure
 * is a warn line. `idle()` resolves when every write started so far is done, including ones started
 * while it waits.
 */
function createBackgroundRecorder(
  ledger: Ledger | null,
  logger: Logger,
  onRecorded: PaymentRefundsOptions['onRecorded'],
): { readonly record: (refunds: readonly RefundModel[]) => void; readonly idle: () => Promise<void> } {
  const pending = new Set<Promise<void>>();
  return {
    record: (refunds) => {
      if (!ledger || refunds.length === 0) return;
      const write: Promise<void> = ledger
        .record(refunds, 'listed')
        .then((recorded) => onRecorded?.(recorded, refunds))
        .catch((error: unknown) => {
          logger.warn(
            { err: { message: error instanceof Error ? error.message : String(error) } },
            'recording listed refunds in the ledger failed; the answer is unaffected',
          );
        })
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** Reports an answer fresh until `freshUntil` (epoch ms) to the request, for Cache-Control. */
function served(context: RefundReadContext, freshUntil: number): void {
  context.onServed?.({ freshUntil, stale: false });
}

/**
 * A payment's refunds from a provider that lists them: the cached list (its refunds read through the
 * reader; the first failed read fails the whole list), else one list call whose refunds enter the
 * refund cache, the ledger (background) and the list cache (for the shortest freshness among them).
 */
async function listed(
  parts: ReadParts,
  payment: PaymentRef,
  client: RefundProviderPort,
  context: RefundReadContext,
): Promise<PaymentRefundList> {
  const { reader, listCache, freshness } = parts;
  const cached = listCache ? await listCache.get(payment, client.account) : null;
  if (cached) {
    const read = await reader.readMany(cached.refunds, context);
    const failed = read.find((entry): entry is Error => entry instanceof Error);
    if (failed) throw failed;
    const refunds = read.filter((entry): entry is RetrievedRefund => entry !== null && !(entry instanceof Error));
    if (refunds.length === 0) served(context, cached.listedAt + freshness.ttlNotFoundMs);
    return { payment, items: sortItems(refunds.map(itemOf)), complete: cached.complete };
  }
  const list = await client.listRefunds!(payment.providerPaymentId, context);
  const listedAt = parts.now();
  if (list === null || list.refunds.length === 0) {
    const ttl = freshness.ttlNotFoundMs;
    served(context, listedAt + ttl);
    await listCache?.set(payment, client.account, { refunds: [], complete: true, listedAt }, ttl);
    return { payment, items: [], complete: true };
  }
  const refunds = await Promise.all(list.refunds.map((refund) => reader.remember(refund)));
  for (const refund of refunds) served(context, refund.freshUntil.getTime());
  parts.record(list.refunds);
  const ttl = Math.min(...list.refunds.map((refund) => freshnessMs(freshness, refund)));
  await listCache?.set(
    payment,
    client.account,
    {
      refunds: refunds.map((refund) => ({ provider: refund.provider, providerRefundId: refund.providerRefundId })),
      complete: list.complete,
      listedAt,
    },
    ttl,
  );
  return { payment, items: sortItems(refunds.map(itemOf)), complete: list.complete };
}

/**
 * The refunds the ledger holds for payments of providers that cannot list, in one query (at most
 * MAX_LEDGER_ROWS rows), one entry per payment in order; never `complete`. Without the ledger, or
 * when the query fails, every payment gets the same Error.
 */
async function fromLedger(
  parts: ReadParts,
  payments: readonly PaymentRef[],
  context: RefundReadContext,
): Promise<Array<PaymentRefundList | Error>> {
  const { queries, freshness } = parts;
  if (payments.length === 0) return [];
  if (!queries) {
    const error = new Error('The refunds of this payment come from the ledger, which is not available');
    return payments.map(() => error);
  }
  let rows: LedgerRow[];
  try {
    rows = await queries.refundsOfPayments(payments, MAX_LEDGER_ROWS);
  } catch (error) {
    const failure = toError(error);
    return payments.map(() => failure);
  }
  const byPayment = new Map<string, PaymentRefundItem[]>();
  const at = parts.now();
  for (const row of rows) {
    const key = `${row.provider}:${row.payment_id ?? ''}`;
    const item = rowItem(row);
    served(context, at + freshnessMs(freshness, { status: item.status } as RefundModel));
    const items = byPayment.get(key) ?? [];
    items.push(item);
    byPayment.set(key, items);
  }
  return payments.map((payment) => {
    const items = byPayment.get(paymentKey(payment)) ?? [];
    if (items.length === 0) served(context, at + freshness.ttlNotFoundMs);
    return { payment, items, complete: false };
  });
}

function itemOf(refund: RetrievedRefund): PaymentRefundItem {
  return {
    keyset: { createdAt: refund.createdAt, provider: refund.provider, providerRefundId: refund.providerRefundId },
    ref: { provider: refund.provider, providerRefundId: refund.providerRefundId },
    status: refund.status,
    amount: refund.amount,
    refund,
  };
}

function rowItem(row: LedgerRow): PaymentRefundItem {
  const provider = row.provider as RefundProviderName;
  return {
    keyset: rowKeyset(row),
    ref: { provider, providerRefundId: row.provider_refund_id },
    status: row.status as RefundStatus,
    amount: createMoney(Number(row.amount_minor), row.currency_code),
    refund: null,
  };
}

function sortItems(items: PaymentRefundItem[]): PaymentRefundItem[] {
  return items.sort((a, b) => compareKeysets(a.keyset, b.keyset));
}

/** The sum of the items in `statuses`; null when there are none. */
export function sumOf(list: PaymentRefundList, statuses: ReadonlySet<RefundStatus>): Money | null {
  const counted = list.items.filter((item) => statuses.has(item.status));
  if (counted.length === 0) return null;
  const currencies = new Set(counted.map((item) => item.amount.currencyCode));
  if (currencies.size > 1) {
    throw new Error(
      `The refunds of payment ${list.payment.providerPaymentId} are in several currencies (${[...currencies].sort().join(', ')}): there is no one sum`,
    );
  }
  const total = counted.reduce((sum, item) => sum + BigInt(item.amount.minorUnits), 0n);
  if (total > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`A refund sum of ${total} minor units is too large`);
  return createMoney(Number(total), counted[0]!.amount.currencyCode);
}
