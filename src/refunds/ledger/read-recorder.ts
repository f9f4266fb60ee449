/**
 * Records what reads saw, in the background. `note()` is the read path's only contact with the
 * ledger: synchronous, cheap, never throws, never waits. A ledger that is down or slow never fails
 * or slows a read; what it costs instead is counted (dropped, errors, lag) and logged at most once
 * a minute.
 *
 * - Skips a refund whose (status, provider status, amount) is what this recorder last wrote for it
 *   (a bounded LRU of what it knows); a refund it does not know is written once.
 * - Batches: up to `maxBatch` refunds per write, written `flushEveryMs` after the first note or at
 *   once when a batch is full; one write in flight at a time.
 * - Bounded queue: when `maxQueue` refunds wait, further notes are dropped and counted. A refund
 *   noted again while it waits replaces its queued copy (the newer read) and keeps its place.
 * - A failed write is not retried: the refunds stay unknown, so the next read of them notes them
 *   again.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { createThrottledWarning } from '../../observability/throttled-warning.js';
import type { Ledger, ObservedRefund, RecordedRefund } from './ledger.js';

export interface ReadRecorderOptions {
  readonly ledger: Pick<Ledger, 'record'>;
  readonly logger: Logger;
  /** Refunds per write (default 100). */
  readonly maxBatch?: number;
  /** How long a note waits for others to join its batch, in ms (default 50). */
  readonly flushEveryMs?: number;
  /** Refunds that may wait; notes beyond it are dropped (default 10 000). */
  readonly maxQueue?: number;
  /** Refunds whose last written state is remembered (default 10 000). */
  readonly knownEntries?: number;
  /** At most one warning per this many ms about failed writes (default 60 000). */
  readonly warnEveryMs?: number;
  /** Milliseconds clock for lag (default Date.now). */
  readonly now?: () => number;
  /**
   * Told of what each write did (new and changed refunds: live events), with the refunds written,
   * one per record in the same order. Errors it throws are logged.
   */
  readonly onRecorded?: (recorded: readonly RecordedRefund[], refunds: readonly ObservedRefund[]) => void;
}

export interface ReadRecorderCounters {
  /** Refunds written to the ledger. */
  readonly written: number;
  /** Refunds skipped because they were as last written. */
  readonly skipped: number;
  /** Refunds dropped because the queue was full. */
  readonly dropped: number;
  /** Writes that failed. */
  readonly errors: number;
  /** Refunds waiting now. */
  readonly queued: number;
  /** How long the oldest waiting refund has waited, in ms (0 when none wait). */
  readonly lagMs: number;
  /** How long the refunds of the last successful write waited from note to written, in ms (the oldest of them). */
  readonly lastWriteLagMs: number;
}

export interface ReadRecorder {
  /** Queues refunds a read returned. Synchronous; never throws. */
  note(refunds: readonly ObservedRefund[]): void;
  counters(): ReadRecorderCounters;
  /** Writes everything queued now (tests, shutdown); resolves when done, never rejects. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is queued; later notes are ignored. */
  close(): Promise<void>;
}

interface Waiting {
  refund: ObservedRefund;
  notedAt: number;
}

const keyOf = (refund: ObservedRefund): string => `${refund.provider}\u0000${refund.providerRefundId}`;
const stateOf = (refund: ObservedRefund): string =>
  `${refund.status}\u0000${refund.providerStatus}\u0000${refund.amount.minorUnits}\u0000${refund.amount.currencyCode}`;

export function createReadRecorder(options: ReadRecorderOptions): ReadRecorder {
  const maxBatch = options.maxBatch ?? 100;
  const flushEveryMs = options.flushEveryMs ?? 50;
  const maxQueue = options.maxQueue ?? 10_000;
  const now = options.now ?? Date.now;
  const known = new LRUCache<string, string>({ max: options.knownEntries ?? 10_000 });
  const queue = new Map<string, Waiting>();
  const warn = createThrottledWarning(
    options.logger,
    'ledger write of read refunds failed; reads are unaffected, the refunds are noted again on their next read',
    options.warnEveryMs ?? 60_000,
    now,
  );
  let written = 0;
  let skipped = 0;
  let dropped = 0;
  let errors = 0;
  let lastWriteLagMs = 0;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let closed = false;

  function schedule(): void {
    if (closed || inFlight !== null || queue.size === 0) return;
    if (queue.size >= maxBatch) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      // Never in the caller's stack: the write starts on a later turn of the event loop.
      setImmediate(startWrite);
      return;
    }
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        startWrite();
      }, flushEveryMs);
      timer.unref();
    }
  }

  function startWrite(): void {
    if (inFlight !== null || queue.size === 0) return;
    inFlight = writeBatch().finally(() => {
      inFlight = null;
      schedule();
    });
  }

  async function writeBatch(): Promise<void> {
    const batch: Waiting[] = [];
    for (const [key, waiting] of queue) {
      if (batch.length >= maxBatch) break;
      batch.push(waiting);
      queue.delete(key);
    }
    try {
      const recorded = await options.ledger.record(
        batch.map((waiting) => waiting.refund),
        'read',
      );
      const at = now();
      written += batch.length;
      lastWriteLagMs = Math.max(0, ...batch.map((waiting) => at - waiting.notedAt));
      for (const waiting of batch) known.set(keyOf(waiting.refund), stateOf(waiting.refund));
      if (options.onRecorded) {
        try {
          options.onRecorded(
            recorded,
            batch.map((waiting) => waiting.refund),
          );
        } catch (error) {
          options.logger.error({ err: error }, 'read recorder: onRecorded threw');
        }
      }
    } catch (error) {
      errors += 1;
      warn({
        err: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        refunds: batch.length,
      });
    }
  }

  async function flush(): Promise<void> {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    while (inFlight !== null || queue.size > 0) {
      if (inFlight === null) startWrite();
      await inFlight;
    }
  }

  return {
    note(refunds) {
      if (closed) return;
      try {
        const at = now();
        for (const refund of refunds) {
          const key = keyOf(refund);
          const waiting = queue.get(key);
          if (waiting !== undefined) {
            waiting.refund = refund;
            continue;
          }
          if (known.get(key) === stateOf(refund)) {
            skipped += 1;
            continue;
          }
          if (queue.size >= maxQueue) {
            dropped += 1;
            continue;
          }
          queue.set(key, { refund, notedAt: at });
        }
        schedule();
      } catch (error) {
        // A malformed refund must not fail the read that noted it.
        errors += 1;
        warn({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
      }
    },

    counters() {
      const oldest = queue.values().next();
      return {
        written,
        skipped,
        dropped,
        errors,
        queued: queue.size,
        lagMs: oldest.done ? 0 : Math.max(0, now() - oldest.value.notedAt),
        lastWriteLagMs,
      };
    },

    flush,

    async close() {
      await flush();
      closed = true;
    },
  };
}
