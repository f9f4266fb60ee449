/**
 * The live-status event bus: "this refund changed" from anywhere in the process (webhooks, the
 * reconciler, createRefund, reads, the live poller), to every watcher of the refund or of its
 * payment, in this process and — with Redis — in every replica.
 *
 * - In process (no REDIS_URL): a publish reaches this process's listeners.
 * - Over Redis: a publish goes out on one pub/sub channel (on the shared connection); every
 *   replica, this one included, receives it on its dedicated subscriber connection and hands it to
 *   its own listeners. While either connection is down, a publish reaches this process's listeners
 *   directly (and the other replicas when the publishing side still works); when the subscriber
 *   connection comes back, `onResync` listeners are told, since changes published elsewhere
 *   meanwhile were missed.
 *
 * A publisher drops a change whose fingerprint (status, amount, provider status) equals the last
 * one it published for that refund: the same change seen twice (a webhook and a read, createRefund
 * and the ledger) goes out once. Watchers dedupe again on what they delivered, which also covers
 * the same change published by two replicas.
 */
import type { Logger } from 'pino';
import type { RefundModel } from '../../domain/refund.js';
import type { RedisClient } from '../../store/redis-connection.js';
import { changeFingerprint, decodeChange, encodeChange, paymentKeyOf } from './refund-change.js';

export type RefundListener = (refund: RefundModel) => void;

/** `in-process` without Redis; otherwise whether the subscriber connection is up. */
export type PubSubState = 'in-process' | 'ok' | 'unavailable';

export interface RefundEvents {
  /** A refund changed (or may have: unchanged fingerprints are dropped here). Never throws. */
  publish(refund: RefundModel): void;
  /** Listens to one refund, by global id; returns the function that stops listening. */
  onRefund(refundId: string, listener: RefundListener): () => void;
  /** Listens to every refund of one payment, by payment key (refund-change.ts `paymentKey`). */
  onPayment(paymentKey: string, listener: RefundListener): () => void;
  /** Told when pub/sub is back after being down: changes published elsewhere meanwhile were missed. */
  onResync(listener: () => void): () => void;
  state(): PubSubState;
  close(): Promise<void>;
}

/** The one channel every replica publishes and listens on (versioned with the message format). */
export const LIVE_CHANNEL = 'refunds:live:v1';

/** Refunds whose last published fingerprint a publisher remembers (least recently published go first). */
const REMEMBERED_FINGERPRINTS = 10_000;

/** Listeners by key; a key's set goes when its last listener does. */
class Listeners {
  readonly #byKey = new Map<string, Set<RefundListener>>();

  add(key: string, listener: RefundListener): () => void {
    let set = this.#byKey.get(key);
    if (!set) {
      set = new Set();
      this.#byKey.set(key, set);
    }
    set.add(listener);
    return () => {
      const current = this.#byKey.get(key);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.#byKey.delete(key);
    };
  }

  tell(key: string, refund: RefundModel, logger: Logger): void {
    const set = this.#byKey.get(key);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(refund);
      } catch (error) {
        logger.error({ err: error, event: 'live.listener_failed' }, 'A live-status listener threw');
      }
    }
  }
}

/** What both buses share: listeners, local delivery, the publisher's dedupe. */
class LocalDelivery {
  readonly #refunds = new Listeners();
  readonly #payments = new Listeners();
  readonly #resync = new Set<() => void>();
  readonly #published = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  onRefund(refundId: string, listener: RefundListener): () => void {
    return this.#refunds.add(refundId, listener);
  }

  onPayment(paymentKey: string, listener: RefundListener): () => void {
    return this.#payments.add(paymentKey, listener);
  }

  onResync(listener: () => void): () => void {
    this.#resync.add(listener);
    return () => this.#resync.delete(listener);
  }

  /** False when this fingerprint is the last one published or received for the refund (the same change again). */
  isNew(refund: RefundModel): boolean {
    const fingerprint = changeFingerprint(refund);
    if (this.#published.get(refund.id) === fingerprint) return false;
    this.note(refund);
    return true;
  }

  /** Remembers the refund's fingerprint as the last one seen on the bus. */
  note(refund: RefundModel): void {
    const fingerprint = changeFingerprint(refund);
    this.#published.delete(refund.id);
    this.#published.set(refund.id, fingerprint);
    if (this.#published.size > REMEMBERED_FINGERPRINTS) {
      this.#published.delete(this.#published.keys().next().value!);
    }
  }

  deliver(refund: RefundModel): void {
    this.#refunds.tell(refund.id, refund, this.logger);
    const payment = paymentKeyOf(refund);
    if (payment !== null) this.#payments.tell(payment, refund, this.logger);
  }

  resync(): void {
    for (const listener of [...this.#resync]) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error, event: 'live.listener_failed' }, 'A live-status resync listener threw');
      }
    }
  }
}

/** Events within this process only (no REDIS_URL). */
export function createInProcessRefundEvents(logger: Logger): RefundEvents {
  const local = new LocalDelivery(logger);
  return {
    publish(refund) {
      if (local.isNew(refund)) local.deliver(refund);
    },
    onRefund: (id, listener) => local.onRefund(id, listener),
    onPayment: (key, listener) => local.onPayment(key, listener),
    onResync: (listener) => local.onResync(listener),
    state: () => 'in-process',
    close: () => Promise.resolve(),
  };
}

export interface RedisRefundEventsOptions {
  /** The process's shared connection: publishes go out on it. */
  readonly publisher: RedisClient;
  /** A dedicated connection (pub/sub takes a connection over): this bus subscribes on it and owns it. */
  readonly subscriber: RedisClient;
  readonly logger: Logger;
  readonly channel?: string;
}

/** Events across replicas over Redis pub/sub, falling back to this process while Redis is down. */
export function createRedisRefundEvents(options: RedisRefundEventsOptions): RefundEvents {
  const { publisher, subscriber, logger } = options;
  const channel = options.channel ?? LIVE_CHANNEL;
  const local = new LocalDelivery(logger);
  let closed = false;
  let wasReady = false;
  let down = false;

  const onMessage = (message: string) => {
    const refund = decodeChange(message);
    if (refund === null) {
      logger.warn({ event: 'live.bad_message', channel }, 'Ignored a live-status message that is not a refund change');
      return;
    }
    local.note(refund);
    local.deliver(refund);
  };
  // node-redis registers the listener at once, sends SUBSCRIBE when the connection is ready, and
  // subscribes again by itself after every reconnect.
  subscriber.subscribe(channel, onMessage).catch((error: unknown) => {
    if (!closed) logger.warn({ event: 'live.subscribe_failed', err: error }, 'Live status could not subscribe yet');
  });
  const onReady = () => {
    if (wasReady && down && !closed) {
      logger.info({ event: 'live.pubsub_resync' }, 'Live-status pub/sub is back: re-reading every watched refund');
      local.resync();
    }
    wasReady = true;
    down = false;
  };
  const onDown = () => {
    if (wasReady) down = true;
  };
  subscriber.on('ready', onReady);
  subscriber.on('end', onDown);
  subscriber.on('reconnecting', onDown);

  return {
    publish(refund) {
      if (closed || !local.isNew(refund)) return;
      const echoed = subscriber.isReady && publisher.isReady;
      if (!echoed) local.deliver(refund);
      if (!publisher.isReady) return;
      publisher.publish(channel, encodeChange(refund)).catch((error: unknown) => {
        // Not sent (or not known to be): this process's watchers get it directly; they drop a repeat.
        if (echoed) local.deliver(refund);
        logger.debug({ event: 'live.publish_failed', err: error }, 'A live-status publish failed');
      });
    },
    onRefund: (id, listener) => local.onRefund(id, listener),
    onPayment: (key, listener) => local.onPayment(key, listener),
    onResync: (listener) => local.onResync(listener),
    state: () => (subscriber.isReady ? 'ok' : 'unavailable'),
    async close() {
      closed = true;
      subscriber.off('ready', onReady);
      subscriber.off('end', onDown);
      subscriber.off('reconnecting', onDown);
      if (subscriber.isReady) await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
