/**
 * One place where a change to a refund goes on, wherever the ledger saw it: a webhook, the
 * reconciler, createRefund, or a read. Only `new` and `changed` records count. Each change is told to
 * the listeners (live status) and, when configured, to Apollo Router's response cache as the tags
 * `refund-<id>` and `payment-<id>`. The refund cache is not updated here: whoever re-read the refund
 * (webhooks, the reconciler) put it in the cache already, and a read came through it.
 *
 * Never throws: a listener or invalidation failure is logged and costs nothing else.
 */
import type { Logger } from 'pino';
import type { RefundModel } from '../../domain/refund.js';
import { providerDefinition } from '../../providers/ids.js';
import type { LearntFrom, LedgerRefund, RecordedRefund } from '../ledger/ledger.js';
import type { RouterInvalidation } from './router-invalidation.js';

export interface RefundChange {
  /** The ledger row after the change. */
  readonly refund: LedgerRefund;
  /** The refund as its provider answered, for whoever shows it (live subscribers). */
  readonly model: RefundModel;
  readonly outcome: 'new' | 'changed';
  /** Where the change was seen. */
  readonly source: LearntFrom;
}

export type RefundChangeListener = (change: RefundChange) => void | Promise<void>;

export interface RefundChanges {
  /**
   * Passes on the new and changed refunds among what the ledger recorded; `models` are the refunds
   * recorded, one per record in the same order.
   */
  recorded(recorded: readonly RecordedRefund[], models: readonly RefundModel[], source: LearntFrom): void;
  /** Adds a listener; returns the function that removes it. */
  listen(listener: RefundChangeListener): () => void;
}

export interface RefundChangesOptions {
  readonly logger: Logger;
  /** Apollo Router's response-cache invalidation; null when not configured. */
  readonly invalidation: RouterInvalidation | null;
  /** Told of every change passed on (metrics). */
  readonly onChange?: (change: RefundChange) => void;
}

/** The router cache tags of a refund and of its payment, as `@cacheTag` formats them from the entities' `id`. */
function cacheTagsOf(refund: Pick<LedgerRefund, 'provider' | 'providerRefundId' | 'paymentId'>): string[] {
  const prefix = providerDefinition(refund.provider).globalIdPrefix;
  const tags = [`refund-${prefix}:${refund.providerRefundId}`];
  if (refund.paymentId !== null) tags.push(`payment-${prefix}:${refund.paymentId}`);
  return tags;
}

export function createRefundChanges(options: RefundChangesOptions): RefundChanges {
  const listeners = new Set<RefundChangeListener>();
  const tell = (listener: RefundChangeListener, change: RefundChange) => {
    Promise.resolve()
      .then(() => listener(change))
      .catch((error: unknown) => options.logger.error({ err: error }, 'A refund change listener failed'));
  };
  return {
    recorded(recorded, models, source) {
      const changes: RefundChange[] = [];
      for (const [index, { outcome, refund }] of recorded.entries()) {
        const model = models[index];
        if (outcome === 'unchanged' || model === undefined) continue;
        changes.push({ refund, model, outcome, source });
      }
      if (changes.length === 0) return;
      for (const change of changes) {
        options.onChange?.(change);
        for (const listener of listeners) tell(listener, change);
      }
      if (options.invalidation) {
        void options.invalidation.invalidate([...new Set(changes.flatMap((change) => cacheTagsOf(change.refund)))]);
      }
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
