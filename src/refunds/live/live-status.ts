/**
 * Live refund status, the use case behind the subscriptions: watches of one refund or of one
 * payment's refunds, fed by the event bus (refund-events.ts) and the poller (live-poller.ts).
 *
 * - `refundChanged(refund)` is where every change the service learns of goes (the composition
 *   root's one "a refund changed" callback: webhooks, the reconciler, createRefund, reads).
 * - A watch is an async iterator over a bounded queue (event-queue.ts). It delivers a refund only
 *   when its fingerprint differs from the last one it delivered for that refund, so one change seen
 *   twice (by two sources, or two replicas) reaches each subscriber once.
 * - A watched refund that is not final is re-read by the poller at least every poll interval.
 *   A payment watch has no list to poll (not every provider can list a payment's refunds): the refunds it
 *   has delivered that are not final are polled while it lasts.
 * - When pub/sub comes back after being down, every watched refund is re-read, so a change published
 *   by another replica meanwhile is delivered late rather than never.
 */
import type { Logger } from 'pino';
import type { PaymentRef } from '../../domain/payment.js';
import type { RefundModel, RefundProviderName } from '../../domain/refund.js';
import type { RetrievedRefund } from '../../domain/retrieved-refund.js';
import type { RedisConnection } from '../../store/redis-connection.js';
import { toGlobalId, type RefundRef } from '../../providers/ids.js';
import { isSettled } from '../read/freshness.js';
import type { RefundReader } from '../read/refund-reader.js';
import { EventQueue } from './event-queue.js';
import { createLivePoller, type LivePoller } from './live-poller.js';
import type { LiveSettings } from './live-settings.js';
import { changeFingerprint, paymentKey } from './refund-change.js';
import {
  createInProcessRefundEvents,
  createRedisRefundEvents,
  type PubSubState,
  type RefundEvents,
} from './refund-events.js';

/** The subscription fields, as metrics label them. */
export type LiveField = 'refundUpdated' | 'paymentRefundsUpdated';

/** Events one subscriber may have waiting before it counts as not reading. */
export const SUBSCRIBER_QUEUE_CAPACITY = 64;
/** Refunds of one payment watch whose last delivered state it remembers (for its dedupe). */
const PAYMENT_WATCH_MEMORY = 1000;
/** Refunds of one payment watch polled at most while not final. */
const PAYMENT_WATCH_POLLED = 100;

/** What live status reports to metrics. */
export interface LiveCounters {
  subscriptionStarted(field: LiveField): void;
  subscriptionEnded(field: LiveField): void;
  /** An event handed to a subscriber. */
  delivered(field: LiveField): void;
  /** An event dropped because the subscriber's queue was full. */
  dropped(field: LiveField): void;
}

/** One subscriber, as the transport describes it. */
export interface Subscriber {
  readonly field: LiveField;
  /** Told once when the subscriber's queue is full (it is not reading): the transport closes it. */
  readonly onOverflow: () => void;
}

/** A watch of one refund: nothing is delivered until `start` hands over the current state. */
export interface RefundWatch extends AsyncIterableIterator<RefundModel> {
  /** The refund's current state: delivered first, then every change. */
  start(current: RefundModel): void;
}

export interface LiveStatus {
  /** A refund changed (or may have): tells every watcher of it and of its payment, once per change. */
  refundChanged(refund: RefundModel): void;
  watchRefund(ref: RefundRef, subscriber: Subscriber): RefundWatch;
  watchPayment(payment: PaymentRef, subscriber: Subscriber): AsyncIterableIterator<RefundModel>;
  /** A refund's current state through the read port (cache or provider); null when the provider has none. */
  current(ref: RefundRef, requestId: string): Promise<RetrievedRefund | null>;
  /** One poll round now (tests and operators; the poller runs on its own otherwise). */
  poll(): Promise<void>;
  state(): { readonly pubsub: PubSubState; readonly watchedRefunds: number; readonly watches: number };
  /** Ends every watch (their subscriptions complete) and stops polling and listening. */
  close(): Promise<void>;
}

export interface LiveStatusOptions {
  readonly reader: RefundReader;
  /** The process's Redis connection: pub/sub over a dedicated duplicate of it; null: in process. */
  readonly redis: RedisConnection | null;
  readonly settings: Pick<LiveSettings, 'pollIntervalMs'>;
  readonly logger: Logger;
  readonly counters?: LiveCounters;
  readonly queueCapacity?: number;
}

const NO_COUNTERS: LiveCounters = {
  subscriptionStarted: () => undefined,
  subscriptionEnded: () => undefined,
  delivered: () => undefined,
  dropped: () => undefined,
};

/** What the watches of one LiveStatus share. */
interface WatchParts {
  readonly events: RefundEvents;
  readonly poller: LivePoller;
  /** A bounded queue for one subscriber, counted while it lives; `onEnd` runs when it ends. */
  readonly queueFor: (subscriber: Subscriber, onEnd: () => void) => EventQueue<RefundModel>;
}

/**
 * Assembles live status: the event bus (Redis pub/sub, or in process without Redis), the poller
 * that publishes what it re-reads, a re-read of every watched refund on each pub/sub resync, and
 * the open watches (each ended by `close()`).
 */
export function createLiveStatus(options: LiveStatusOptions): LiveStatus {
  const logger = options.logger.child({ component: 'live-status' });
  const counters = options.counters ?? NO_COUNTERS;
  const capacity = options.queueCapacity ?? SUBSCRIBER_QUEUE_CAPACITY;
  const events: RefundEvents = options.redis
    ? createRedisRefundEvents({ publisher: options.redis.client, subscriber: options.redis.duplicate(), logger })
    : createInProcessRefundEvents(logger);
  const poller = createLivePoller({
    reader: options.reader,
    intervalMs: options.settings.pollIntervalMs,
    publish: (refund) => events.publish(refund),
    logger,
  });
  const watches = new Set<EventQueue<RefundModel>>();
  events.onResync(() => {
    poller.poll({ all: true }).catch((error: unknown) => {
      logger.warn({ event: 'live.resync_failed', err: error }, 'Re-reading the watched refunds failed');
    });
  });
  const parts: WatchParts = {
    events,
    poller,
    queueFor: (subscriber, onEnd) => openQueue(watches, counters, capacity, subscriber, onEnd),
  };

  return {
    refundChanged(refund) {
      events.publish(refund);
    },

    watchRefund: (ref, subscriber) => watchRefund(parts, ref, subscriber),

    watchPayment: (payment, subscriber) => watchPayment(parts, payment, subscriber),

    async current(ref, requestId) {
      const [result] = await options.reader.readMany([ref], { requestId });
      if (result instanceof Error) throw result;
      return result ?? null;
    },

    poll: () => poller.poll(),

    state: () => ({ pubsub: events.state(), watchedRefunds: poller.size(), watches: watches.size }),

    async close() {
      poller.close();
      for (const queue of [...watches]) queue.end();
      await events.close();
    },
  };
}

/**
 * A bounded queue for one subscriber, held in `watches` and counted (started, delivered, dropped,
 * ended) while it lives; when it ends it leaves `watches` and then `onEnd` runs.
 */
function openQueue(
  watches: Set<EventQueue<RefundModel>>,
  counters: LiveCounters,
  capacity: number,
  subscriber: Subscriber,
  onEnd: () => void,
): EventQueue<RefundModel> {
  counters.subscriptionStarted(subscriber.field);
  const queue: EventQueue<RefundModel> = new EventQueue<RefundModel>({
    capacity,
    onOverflow: subscriber.onOverflow,
    onDrop: () => counters.dropped(subscriber.field),
    onYield: () => counters.delivered(subscriber.field),
    onEnd: () => {
      watches.delete(queue);
      counters.subscriptionEnded(subscriber.field);
      onEnd();
    },
  });
  watches.add(queue);
  return queue;
}

/**
 * A watch of one refund. It listens at once; until `start(current)` only the latest change is
 * kept, then the current state and that change are offered, and the refund is polled from its
 * status. A state with the fingerprint last delivered is not delivered again. Ending the watch
 * stops listening and releases the poll.
 */
function watchRefund({ events, poller, queueFor }: WatchParts, ref: RefundRef, subscriber: Subscriber): RefundWatch {
  const refundId = toGlobalId(ref);
  let last: string | null = null;
  let early: RefundModel | null = null;
  let started = false;
  let releasePoll: (() => void) | null = null;
  const offer = (refund: RefundModel) => {
    const fingerprint = changeFingerprint(refund);
    if (fingerprint === last) return;
    last = fingerprint;
    queue.push(refund);
  };
  const stopListening = events.onRefund(refundId, (refund) => {
    poller.observe(refund);
    // Until the current state is handed over, only the latest change is kept.
    if (started) offer(refund);
    else early = refund;
  });
  const queue = queueFor(subscriber, () => {
    stopListening();
    releasePoll?.();
  });
  return Object.assign(queue, {
    start(current: RefundModel) {
      if (started || queue.ended) return;
      started = true;
      offer(current);
      if (early !== null) offer(early);
      releasePoll = poller.watch(ref, (early ?? current).status);
    },
  });
}

/**
 * A watch of one payment's refunds. Each refund is delivered when its fingerprint differs from the
 * last one delivered for it (the last PAYMENT_WATCH_MEMORY refunds are remembered); up to
 * PAYMENT_WATCH_POLLED refunds it delivered are polled while not final. Ending the watch stops
 * listening and releases every poll.
 */
function watchPayment(
  { events, poller, queueFor }: WatchParts,
  payment: PaymentRef,
  subscriber: Subscriber,
): AsyncIterableIterator<RefundModel> {
  const delivered = new Map<string, string>();
  const polled = new Map<string, () => void>();
  const track = (refund: RefundModel) => {
    const release = polled.get(refund.id);
    if (isSettled(refund.status)) {
      release?.();
      polled.delete(refund.id);
    } else if (!release && polled.size < PAYMENT_WATCH_POLLED) {
      polled.set(refund.id, poller.watch(refRefOf(refund), refund.status));
    }
  };
  const stopListening = events.onPayment(paymentKey(payment), (refund) => {
    poller.observe(refund);
    const fingerprint = changeFingerprint(refund);
    if (delivered.get(refund.id) === fingerprint) return;
    delivered.delete(refund.id);
    delivered.set(refund.id, fingerprint);
    if (delivered.size > PAYMENT_WATCH_MEMORY) delivered.delete(delivered.keys().next().value!);
    track(refund);
    queue.push(refund);
  });
  const queue = queueFor(subscriber, () => {
    stopListening();
    for (const release of polled.values()) release();
    polled.clear();
  });
  return queue;
}

function refRefOf(refund: { provider: RefundProviderName; providerRefundId: string }): RefundRef {
  return { provider: refund.provider, providerRefundId: refund.providerRefundId };
}
