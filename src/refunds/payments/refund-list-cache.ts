/**
 * The cache of payment refund lists (providers with a list endpoint), in the key-value store
 * the refund cache uses (memory or Redis). An entry holds the list's refund ids, not the refunds:
 * the refunds themselves live in the refund cache, so a refund in a list is always the same copy as
 * by id (a webhook's news included). Entries live as long as their least fresh refund (settled
 * lists longer, pending shorter, an empty list as long as "not found"). Best effort: a store
 * failure is a miss.
 */
import type { Logger } from 'pino';
import type { ThrottledWarning } from '../../observability/throttled-warning.js';
import type { PaymentRef } from '../../domain/payment.js';
import type { RefundProviderName } from '../../domain/refund.js';
import type { KeyValueStore } from '../../store/key-value-store.js';

export interface CachedRefundList {
  readonly refunds: ReadonlyArray<{ readonly provider: RefundProviderName; readonly providerRefundId: string }>;
  readonly complete: boolean;
  /** Epoch ms the provider listed them. */
  readonly listedAt: number;
}

export interface RefundListCache {
  get(payment: PaymentRef, account: string): Promise<CachedRefundList | null>;
  set(payment: PaymentRef, account: string, list: CachedRefundList, ttlMs: number): Promise<void>;
  /** Drops a payment's list (a refund of it was created or changed here). */
  forget(payment: PaymentRef, account: string): Promise<void>;
}

const VERSION = 1;

/** `warning`: where store failures go (the shared Redis warning, one line a minute); a warn line each otherwise. */
export function createRefundListCache(
  store: KeyValueStore,
  logger: Logger,
  warning?: ThrottledWarning,
): RefundListCache {
  const keyOf = (payment: PaymentRef, account: string) =>
    `payment-refunds:v${VERSION}:${payment.provider}:${account}:${payment.providerPaymentId}`;
  const warn = (error: unknown, operation: string) => {
    const fields = { err: { message: error instanceof Error ? error.message : String(error) } };
    if (warning) warning({ ...fields, operation: `refund list ${operation}` });
    else logger.warn(fields, `refund list cache ${operation} failed`);
  };
  return {
    async get(payment, account) {
      try {
        const text = await store.get(keyOf(payment, account));
        if (text === null) return null;
        const parsed = JSON.parse(text) as { v?: unknown } & CachedRefundList;
        return parsed.v === VERSION ? parsed : null;
      } catch (error) {
        warn(error, 'read');
        return null;
      }
    },
    async set(payment, account, list, ttlMs) {
      if (ttlMs <= 0) return;
      try {
        await store.set(keyOf(payment, account), JSON.stringify({ v: VERSION, ...list }), ttlMs);
      } catch (error) {
        warn(error, 'write');
      }
    },
    async forget(payment, account) {
      try {
        await store.delete(keyOf(payment, account));
      } catch (error) {
        warn(error, 'delete');
      }
    },
  };
}
