/**
 * The reconciler: follows refunds nobody tells us about. Every interval, one round:
 *  1. claims refunds that are not final (PENDING, REQUIRES_ACTION, UNKNOWN), first seen within the
 *     maximum age and not checked within (most of) the interval, in batches; re-reads each through
 *     `readRefund` (the provider, bypassing the cache, under the provider budget); records what it
 *     read as `reconciled`; tells `onChanged` of every refund that is new or changed;
 *  2. claims webhook events still unprocessed after a grace period (their replica failed or died
 *     before processing them) and processes them through `processEvent`, marking them processed on
 *     success; a failure leaves the event for a later round.
 * Claims go through the ledger, which gives each refund and event to one replica per round.
 *
 * Rounds never overlap and never throw: a failure is logged (at most once a minute per kind) and
 * counted in the round's report. The timer is unref'd (it never keeps the process alive); stop()
 * lets the batch in flight finish and waits for it.
 */
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { RefundModel } from '../../domain/refund.js';
import { createThrottledWarning } from '../../observability/throttled-warning.js';
import type { RefundRef } from '../../providers/ids.js';
import type { Ledger, RecordedRefund, WebhookEvent } from './ledger.js';
import type { ReconcileSettings } from './ledger-settings.js';

export interface ReconcilerOptions {
  readonly ledger: Pick<Ledger, 'claimUnsettled' | 'record' | 'claimPendingEvents' | 'markEventProcessed'>;
  /** Reads one refund from its provider, bypassing any cache; null when the provider has none. */
  readonly readRefund: (ref: RefundRef) => Promise<RefundModel | null>;
  /** Processes a webhook event as its receiver would (re-read, record, update the cache); absent: events are left alone. */
  readonly processEvent?: (event: WebhookEvent) => Promise<void>;
  /** Told of every refund a round found new or changed (cache updates, live events). Errors are logged. */
  readonly onChanged?: (recorded: RecordedRefund, refund: RefundModel) => void | Promise<void>;
  readonly settings: ReconcileSettings;
  readonly logger: Logger;
  /** Refunds or events claimed at a time (default 25). */
  readonly batchSize?: number;
  /** Batches of refunds per round at most, so one round's provider load is bounded (default 20). */
  readonly maxBatchesPerRound?: number;
  /** Provider reads in parallel within a batch (default 4). */
  readonly concurrency?: number;
  /** How long an event is left to the replica that received it before a round takes it, in ms (default 60 000). */
  readonly eventGraceMs?: number;
  readonly clock?: () => Date;
  /** Told of every round's report (metrics). */
  readonly onRound?: (round: ReconcileRound) => void;
}

export interface ReconcileRound {
  /** Refunds claimed and re-read (or attempted). */
  readonly checked: number;
  /** Refunds found new or changed. */
  readonly changed: number;
  /** Re-reads that failed (left for the next round). */
  readonly readFailures: number;
  /** Refunds their provider says it does not have. */
  readonly notFound: number;
  readonly eventsProcessed: number;
  /** Events whose processing failed (left for a later round). */
  readonly eventFailures: number;
  /** The round stopped early because the ledger failed. */
  readonly ledgerFailed: boolean;
  readonly durationMs: number;
}

export interface Reconciler {
  /** Starts the rounds (the first one interval from now); does nothing when disabled or started. */
  start(): void;
  /** Runs one round now (after the one in flight, if any) and answers its report. */
  runOnce(): Promise<ReconcileRound>;
  /** No new round or batch starts; resolves when the one in flight has finished. */
  stop(): Promise<void>;
}

/** A refund checked by any replica within this share of the interval is left alone (timer jitter between replicas). */
const RECHECK_SHARE = 0.9;

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { ledger, settings, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const batchSize = options.batchSize ?? 25;
  const maxBatches = options.maxBatchesPerRound ?? 20;
  const eventGraceMs = options.eventGraceMs ?? 60_000;
  const limit = pLimit(options.concurrency ?? 4);
  const log = logger.child({ component: 'reconciler' });
  const warnRead = createThrottledWarning(
    log,
    'reconciler: re-reading a refund failed; it is tried again next round',
    60_000,
  );
  const warnEvent = createThrottledWarning(
    log,
    'reconciler: processing a webhook event failed; it is tried again later',
    60_000,
  );
  const warnLedger = createThrottledWarning(log, 'reconciler: the ledger failed; the round stopped early', 60_000);
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<ReconcileRound> | null = null;
  let started = false;
  let stopping = false;

  const describe = (error: unknown) =>
    error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };

  async function notify(recorded: RecordedRefund, refund: RefundModel): Promise<void> {
    if (!options.onChanged) return;
    try {
      await options.onChanged(recorded, refund);
    } catch (error) {
      log.error({ err: describe(error), refund: recorded.refund.providerRefundId }, 'reconciler: onChanged failed');
    }
  }

  async function round(): Promise<ReconcileRound> {
    const startedAt = clock().getTime();
    const seenAfter = new Date(startedAt - settings.maxAgeMs);
    const checkedBefore = new Date(startedAt - settings.intervalMs * RECHECK_SHARE);
    let checked = 0;
    let changed = 0;
    let readFailures = 0;
    let notFound = 0;
    let eventsProcessed = 0;
    let eventFailures = 0;
    let ledgerFailed = false;
    try {
      for (let batch = 0; batch < maxBatches && !stopping; batch += 1) {
        const claimed = await ledger.claimUnsettled(batchSize, seenAfter, checkedBefore);
        checked += claimed.length;
        const read = await Promise.all(
          claimed.map((refund) =>
            limit(async () => {
              try {
                const model = await options.readRefund({
                  provider: refund.provider,
                  providerRefundId: refund.providerRefundId,
                });
                if (model === null) notFound += 1;
                return model;
              } catch (error) {
                readFailures += 1;
                warnRead({ err: describe(error), provider: refund.provider, refund: refund.providerRefundId });
                return null;
              }
            }),
          ),
        );
        const found = read.filter((model): model is RefundModel => model !== null);
        if (found.length > 0) {
          const recordedAll = await ledger.record(found, 'reconciled');
          for (const [index, recorded] of recordedAll.entries()) {
            if (recorded.outcome === 'unchanged') continue;
            changed += 1;
            await notify(recorded, found[index]!);
          }
        }
        if (claimed.length < batchSize) break;
      }

      if (options.processEvent && !stopping) {
        const processEvent = options.processEvent;
        const events = await ledger.claimPendingEvents(batchSize, new Date(startedAt - eventGraceMs), seenAfter);
        await Promise.all(
          events.map((event) =>
            limit(async () => {
              try {
                await processEvent(event);
              } catch (error) {
                eventFailures += 1;
                warnEvent({
                  err: describe(error),
                  provider: event.provider,
                  eventId: event.eventId,
                  attempts: event.attempts,
                });
                return;
              }
              await ledger.markEventProcessed(event.provider, event.eventId, clock());
              eventsProcessed += 1;
            }),
          ),
        );
      }
    } catch (error) {
      ledgerFailed = true;
      warnLedger({ err: describe(error) });
    }
    const report: ReconcileRound = {
      checked,
      changed,
      readFailures,
      notFound,
      eventsProcessed,
      eventFailures,
      ledgerFailed,
      durationMs: clock().getTime() - startedAt,
    };
    if (changed > 0 || eventsProcessed > 0 || readFailures > 0 || eventFailures > 0) {
      log.info({ round: report }, 'reconciler round');
    }
    try {
      options.onRound?.(report);
    } catch (error) {
      log.error({ err: describe(error) }, 'reconciler: onRound failed');
    }
    return report;
  }

  /** Rounds run one at a time: a round asked for while one runs starts after it. */
  function runRound(): Promise<ReconcileRound> {
    const previous = current;
    const next: Promise<ReconcileRound> = (async () => {
      if (previous !== null) await previous;
      return round();
    })().finally(() => {
      if (current === next) current = null;
    });
    current = next;
    return next;
  }

  function scheduleNext(): void {
    if (stopping) return;
    timer = setTimeout(() => {
      timer = null;
      void runRound().finally(scheduleNext);
    }, settings.intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (!settings.enabled || started || stopping) return;
      started = true;
      scheduleNext();
    },
    runOnce: runRound,
    async stop() {
      stopping = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (current !== null) await current;
    },
  };
}
