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

/**
 * What waits to be written, keyed by refund in note order, and what was last written for each
 * refund (a bounded LRU). Counts the notes it turns away: skipped (as last written) and dropped
 * (the queue full).
 */
interface WaitingRoom {
  /** Refunds waiting now. */
  readonly size: number;
  readonly skipped: number;
  readonly dropped: number;
  /**
   * Queues each refund unless it is as last written (skipped) or the queue is full (dropped); a
   * refund already waiting is replaced by the newer read and keeps its place. Throws on a malformed
   * refund, leaving the refunds before it queued.
   */
  admit(refunds: readonly ObservedRefund[], notedAt: number): void;
  /** Takes up to `max` waiting refunds off the queue, oldest first. */
  take(max: number): Waiting[];
  /** Remembers what was written for each refund, so an unchanged re-read is skipped. */
  remember(written: readonly Waiting[]): void;
  /** When the oldest waiting refund was noted; undefined when none waits. */
  oldestNotedAt(): number | undefined;
}

function createWaitingRoom(maxQueue: number, knownEntries: number): WaitingRoom {
  const known = new LRUCache<string, string>({ max: knownEntries });
  const queue = new Map<string, Waiting>();
  let skipped = 0;
  let dropped = 0;
  return {
    get size() {
      return queue.size;
    },
    get skipped() {
      return skipped;
    },
    get dropped() {
      return dropped;
    },
    admit(refunds, notedAt) {
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
        queue.set(key, { refund, notedAt });
      }
    },
    take(max) {
      const batch: Waiting[] = [];
      for (const [key, waiting] of queue) {
        if (batch.length >= max) break;
        batch.push(waiting);
        queue.delete(key);
      }
      return batch;
    },
    remember(written) {
      for (const waiting of written) known.set(keyOf(waiting.refund), stateOf(waiting.refund));
    },
    oldestNotedAt() {
      const oldest = queue.values().next();
      return oldest.done ? undefined : oldest.value.notedAt;
    },
  };
}

/**
 * Drains a queue by batches, one write in flight at a time: `write` runs `flushEveryMs` after
 * `schedule()` first finds something waiting, or on a later turn of the event loop (never in the
 * caller's stack) once `maxBatch` wait. `write` takes its batch off the queue and must not reject.
 */
interface BatchDrain {
  /** Arranges a write for what waits, unless one is pending or in flight, or the drain is closed. */
  schedule(): void;
  /** Writes everything waiting now, batch after batch; resolves when done. */
  flush(): Promise<void>;
  /** Flushes, then schedules nothing more. */
  close(): Promise<void>;
  readonly closed: boolean;
}

function createBatchDrain(
  queue: { readonly size: number },
  maxBatch: number,
  flushEveryMs: number,
  write: () => Promise<void>,
): BatchDrain {
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
    inFlight = write().finally(() => {
      inFlight = null;
      schedule();
    });
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
    schedule,
    flush,
    async close() {
      await flush();
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
}

/** Tells `onRecorded` what a write of `batch` did; what it throws is logged, never passed on. */
function tellRecorded(
  options: ReadRecorderOptions,
  recorded: readonly RecordedRefund[],
  batch: readonly Waiting[],
): void {
  if (!options.onRecorded) return;
  try {
    options.onRecorded(
      recorded,
      batch.map((waiting) => waiting.refund),
    );
  } catch (error) {
    options.logger.error({ err: error }, 'read recorder: onRecorded threw');
  }
}

const describeError = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message } : String(error);

export function createReadRecorder(options: ReadRecorderOptions): ReadRecorder {
  const maxBatch = options.maxBatch ?? 100;
  const now = options.now ?? Date.now;
  const room = createWaitingRoom(options.maxQueue ?? 10_000, options.knownEntries ?? 10_000);
  const warn = createThrottledWarning(
    options.logger,
    'ledger write of read refunds failed; reads are unaffected, the refunds are noted again on their next read',
    options.warnEveryMs ?? 60_000,
    now,
  );
  let written = 0;
  let errors = 0;
  let lastWriteLagMs = 0;

  /** Writes one batch off the front of the queue; a failure is counted and warned about, never thrown. */
  async function writeBatch(): Promise<void> {
    const batch = room.take(maxBatch);
    try {
      const recorded = await options.ledger.record(
        batch.map((waiting) => waiting.refund),
        'read',
      );
      const at = now();
      written += batch.length;
      lastWriteLagMs = Math.max(0, ...batch.map((waiting) => at - waiting.notedAt));
      room.remember(batch);
      tellRecorded(options, recorded, batch);
    } catch (error) {
      errors += 1;
      warn({ err: describeError(error), refunds: batch.length });
    }
  }

  const drain = createBatchDrain(room, maxBatch, options.flushEveryMs ?? 50, writeBatch);

  return {
    note(refunds) {
      if (drain.closed) return;
      try {
        room.admit(refunds, now());
        drain.schedule();
      } catch (error) {
        // A malformed refund must not fail the read that noted it.
        errors += 1;
        warn({ err: describeError(error) });
      }
    },

    counters() {
      const oldestNotedAt = room.oldestNotedAt();
      return {
        written,
        skipped: room.skipped,
        dropped: room.dropped,
        errors,
        queued: room.size,
        lagMs: oldestNotedAt === undefined ? 0 : Math.max(0, now() - oldestNotedAt),
        lastWriteLagMs,
      };
    },

    flush: () => drain.flush(),

    close: () => drain.close(),
  };
}
