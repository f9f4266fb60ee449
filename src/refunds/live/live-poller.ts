/**
 * The live poller: while someone watches a refund that is not final, it is re-read at least every
 * poll interval, so a page sees the change even where webhooks are not configured. Reads go through
 * the read port (the refund cache, under the provider budget); a refund watched many times is one
 * entry and one read per round. What a read returns is published: the bus drops it when nothing
 * changed.
 */
import type { Logger } from 'pino';
import type { RefundModel, RefundStatus } from '../../domain/refund.js';
import { toGlobalId, type RefundRef } from '../../providers/ids.js';
import { isSettled } from '../read/freshness.js';
import type { RefundReader } from '../read/refund-reader.js';

/** Refunds per read-port call (the port batches them per provider). */
const POLL_BATCH = 100;

export interface LivePollerOptions {
  readonly reader: RefundReader;
  readonly intervalMs: number;
  /** Where each refund read goes (the bus). */
  readonly publish: (refund: RefundModel) => void;
  readonly logger: Logger;
}

export interface LivePoller {
  /** Watches a refund (counted: one entry however many watch it); returns the release function. */
  watch(ref: RefundRef, status: RefundStatus | null): () => void;
  /** Notes a refund's latest status, when it is watched (a settled one is no longer re-read). */
  observe(refund: RefundModel): void;
  /** One round now: every watched refund not final, or with `all` every watched refund. */
  poll(options?: { all?: boolean }): Promise<void>;
  /** Refunds watched. */
  size(): number;
  close(): void;
}

interface Entry {
  readonly ref: RefundRef;
  status: RefundStatus | null;
  watchers: number;
}

export function createLivePoller(options: LivePollerOptions): LivePoller {
  const entries = new Map<string, Entry>();
  let round = 0;
  let running: Promise<void> | null = null;
  let closed = false;

  const poll = async ({ all = false }: { all?: boolean } = {}): Promise<void> => {
    const due = [...entries.values()].filter((entry) => all || entry.status === null || !isSettled(entry.status));
    for (let start = 0; start < due.length && !closed; start += POLL_BATCH) {
      const refs = due.slice(start, start + POLL_BATCH).map((entry) => entry.ref);
      round += 1;
      const results = await options.reader.readMany(refs, { requestId: `live-poll-${round}` });
      results.forEach((result, index) => {
        if (result instanceof Error) {
          options.logger.debug(
            { event: 'live.poll_failed', refundId: toGlobalId(refs[index]!), err: result },
            'A watched refund could not be re-read; the next round tries again',
          );
        } else if (result !== null && !closed) {
          options.publish(result);
        }
      });
    }
  };

  const timer = setInterval(() => {
    // One round at a time: a slow round makes the next start later, never two at once.
    if (running || entries.size === 0) return;
    running = poll()
      .catch((error: unknown) => options.logger.warn({ event: 'live.poll_failed', err: error }, 'A live poll failed'))
      .finally(() => {
        running = null;
      });
  }, options.intervalMs);
  timer.unref();

  return {
    watch(ref, status) {
      const key = toGlobalId(ref);
      let entry = entries.get(key);
      if (!entry) {
        entry = { ref, status, watchers: 0 };
        entries.set(key, entry);
      } else if (status !== null) {
        entry.status = status;
      }
      entry.watchers += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const current = entries.get(key);
        if (!current) return;
        current.watchers -= 1;
        if (current.watchers <= 0) entries.delete(key);
      };
    },
    observe(refund) {
      const entry = entries.get(refund.id);
      if (entry) entry.status = refund.status;
    },
    poll,
    size: () => entries.size,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
