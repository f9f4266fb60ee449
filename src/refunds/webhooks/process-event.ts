/**
 * Processing one recorded webhook event: find the refund (the event's id, or the provider's
 * finder for its lookup facts), re-read it from the provider by id, record what the provider says
 * now (source `webhook`), mark the event processed, then tell `onRefreshed`. The re-read decides
 * the state, so an event arriving late or out of order cannot move a refund backwards. Any failure
 * leaves the event unprocessed: the reconciler retries it through the same function.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RefundModel, RefundProviderName } from '../../domain/refund.js';
import type { ProviderCallContext } from '../../providers/port.js';
import type { Ledger, RecordedRefund, WebhookEventInput } from '../ledger/ledger.js';
import type { WebhookEndpoint } from './webhook-endpoints.js';

/**
 * `processed`: recorded and marked; `unresolved`: no refund matches the event (yet); `failed`: the
 * finder, the re-read or the ledger failed. Both of the last leave the event for the reconciler.
 */
export type ProcessOutcome = 'processed' | 'unresolved' | 'failed';

/** What a webhook taught: the refund as re-read, and what recording it did. */
export interface WebhookRefresh {
  readonly refund: RefundModel;
  /** When the re-read answered. */
  readonly retrievedAt: Date;
  readonly recorded: RecordedRefund;
}

export interface WebhookEventProcessorOptions {
  readonly ledger: Pick<Ledger, 'record' | 'markEventProcessed'>;
  /** The providers' endpoints (how each finds the refund of an event that names none). */
  readonly providers: readonly WebhookEndpoint[];
  /**
   * Reads one refund from the provider itself, by id, past any cache; null when the provider has
   * no such refund. Rejects with a ProviderError.
   */
  readonly readRefund: (
    provider: RefundProviderName,
    providerRefundId: string,
    context: ProviderCallContext,
  ) => Promise<RefundModel | null>;
  /** Told each recorded refund (the cache and live events follow it); a failure is only logged. */
  readonly onRefreshed?: (refresh: WebhookRefresh) => void | Promise<void>;
  readonly logger: Logger;
  readonly observe?: (provider: RefundProviderName, outcome: ProcessOutcome) => void;
  readonly now?: () => Date;
}

export interface WebhookEventProcessor {
  processEvent(event: WebhookEventInput): Promise<ProcessOutcome>;
}

export function createWebhookEventProcessor(options: WebhookEventProcessorOptions): WebhookEventProcessor {
  const { ledger, logger, readRefund } = options;
  const now = options.now ?? (() => new Date());
  const byProvider = new Map(options.providers.map((endpoint) => [endpoint.provider, endpoint]));

  async function refundIdOf(event: WebhookEventInput, context: ProviderCallContext): Promise<string | null> {
    if (event.providerRefundId !== null) return event.providerRefundId;
    const findRefund = byProvider.get(event.provider)?.findRefund;
    if (event.lookup === null || findRefund == null) return null;
    return findRefund(event.lookup, context);
  }

  async function process(event: WebhookEventInput): Promise<ProcessOutcome> {
    const { provider, eventId } = event;
    const context: ProviderCallContext = { requestId: `webhook-${randomUUID()}` };
    const refundId = await refundIdOf(event, context);
    if (refundId === null) {
      logger.warn(
        { event: 'webhook.unresolved', provider, eventId },
        'Webhook event names no refund the provider has; left for the reconciler',
      );
      return 'unresolved';
    }
    const retrievedAt = now();
    const refund = await readRefund(provider, refundId, context);
    if (refund === null) {
      logger.warn(
        { event: 'webhook.unresolved', provider, eventId, refundId },
        'Webhook event names a refund the provider does not have; left for the reconciler',
      );
      return 'unresolved';
    }
    // With the time of the read, so that a slower, older answer recorded meanwhile cannot win.
    const [recorded] = await ledger.record([{ ...refund, retrievedAt }], 'webhook');
    if (recorded === undefined) throw new Error('The ledger recorded nothing for one refund');
    await ledger.markEventProcessed(provider, eventId, now());
    logger.info(
      {
        event: 'webhook.processed',
        provider,
        eventId,
        refundId: refund.id,
        status: refund.status,
        change: recorded.outcome,
      },
      'Webhook event processed',
    );
    try {
      await options.onRefreshed?.({ refund, retrievedAt, recorded });
    } catch (error) {
      logger.warn(
        { event: 'webhook.update_failed', provider, eventId, err: error },
        'Updating after a webhook failed; the ledger holds the change',
      );
    }
    return 'processed';
  }

  return {
    async processEvent(event) {
      let outcome: ProcessOutcome;
      try {
        outcome = await process(event);
      } catch (error) {
        logger.warn(
          { event: 'webhook.failed', provider: event.provider, eventId: event.eventId, err: error },
          'Webhook event could not be processed; left for the reconciler',
        );
        outcome = 'failed';
      }
      options.observe?.(event.provider, outcome);
      return outcome;
    },
  };
}
