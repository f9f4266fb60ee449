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
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import type { RefundModel } from '../../domain/refund.js';
import { createThrottledWarning, type ThrottledWarning } from '../../observability/throttled-warning.js';
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

/** What a round needs from its reconciler: the options, the resolved defaults and the shared parts. */
interface RoundContext {
  readonly options: ReconcilerOptions;
  readonly ledger: ReconcilerOptions['ledger'];
  readonly settings: ReconcileSettings;
  readonly log: Logger;
  readonly clock: () => Date;
  readonly batchSize: number;
  readonly maxBatches: number;
  readonly eventGraceMs: number;
  /** Provider reads and event processing in parallel, shared by every round. */
  readonly limit: LimitFunction;
  readonly warnRead: ThrottledWarning;
  readonly warnEvent: ThrottledWarning;
  readonly warnLedger: ThrottledWarning;
  /** True once stop() was called: no further batch starts. */
  readonly stopping: () => boolean;
}

/** A round's counts so far (the report without `ledgerFailed` and `durationMs`). */
interface RoundTally {
  checked: number;
  changed: number;
  readFailures: number;
  notFound: number;
  eventsProcessed: number;
  eventFailures: number;
}

const describe = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };

/** Tells `onChanged` of one refund; what it throws or rejects with is logged, never passed on. */
async function notifyChanged(context: RoundContext, recorded: RecordedRefund, refund: RefundModel): Promise<void> {
  if (!context.options.onChanged) return;
  try {
    await context.options.onChanged(recorded, refund);
  } catch (error) {
    context.log.error(
      { err: describe(error), refund: recorded.refund.providerRefundId },
      'reconciler: onChanged failed',
    );
  }
}

/** Re-reads one claimed refund; null when its provider has none or the read failed (counted, warned about). */
async function rereadRefund(context: RoundContext, refund: RefundRef, tally: RoundTally): Promise<RefundModel | null> {
  try {
    const model = await context.options.readRefund({
      provider: refund.provider,
      providerRefundId: refund.providerRefundId,
    });
    if (model === null) tally.notFound += 1;
    return model;
  } catch (error) {
    tally.readFailures += 1;
    context.warnRead({ err: describe(error), provider: refund.provider, refund: refund.providerRefundId });
    return null;
  }
}

/**
 * Claims one batch of unsettled refunds, re-reads them, records what was found as `reconciled` and
 * tells `onChanged` of each new or changed one, in batch order. Answers how many were claimed.
 * Rejects when the ledger fails.
 */
async function reconcileBatch(
  context: RoundContext,
  seenAfter: Date,
  checkedBefore: Date,
  tally: RoundTally,
): Promise<number> {
  const { ledger } = context;
  const claimed = await ledger.claimUnsettled(context.batchSize, seenAfter, checkedBefore);
  tally.checked += claimed.length;
  const read = await Promise.all(claimed.map((refund) => context.limit(() => rereadRefund(context, refund, tally))));
  const found = read.filter((model): model is RefundModel => model !== null);
  if (found.length > 0) {
    const recordedAll = await ledger.record(found, 'reconciled');
    for (const [index, recorded] of recordedAll.entries()) {
      if (recorded.outcome === 'unchanged') continue;
      tally.changed += 1;
      await notifyChanged(context, recorded, found[index]!);
    }
  }
  return claimed.length;
}

/**
 * Claims webhook events left unprocessed past the grace period and processes each, marking it
 * processed on success; a failed one is counted and left for a later round. Rejects when the
 * ledger fails.
 */
async function processPendingEvents(
  context: RoundContext,
  processEvent: (event: WebhookEvent) => Promise<void>,
  startedAt: number,
  seenAfter: Date,
  tally: RoundTally,
): Promise<void> {
  const { ledger } = context;
  const events = await ledger.claimPendingEvents(
    context.batchSize,
    new Date(startedAt - context.eventGraceMs),
    seenAfter,
  );
  await Promise.all(
    events.map((event) =>
      context.limit(async () => {
        try {
          await processEvent(event);
        } catch (error) {
          tally.eventFailures += 1;
          context.warnEvent({
            err: describe(error),
            provider: event.provider,
            eventId: event.eventId,
            attempts: event.attempts,
          });
          return;
        }
        await ledger.markEventProcessed(event.provider, event.eventId, context.clock());
        tally.eventsProcessed += 1;
      }),
    ),
  );
}

/** Logs a round that did or failed something, and tells `onRound` (what it throws is logged). */
function reportRound(context: RoundContext, report: ReconcileRound): void {
  const { changed, eventsProcessed, readFailures, eventFailures } = report;
  if (changed > 0 || eventsProcessed > 0 || readFailures > 0 || eventFailures > 0) {
    context.log.info({ round: report }, 'reconciler round');
  }
  try {
    context.options.onRound?.(report);
  } catch (error) {
    context.log.error({ err: describe(error) }, 'reconciler: onRound failed');
  }
}

/** One round: the refund batches, then the pending events. Never rejects: a ledger failure ends it early. */
async function runReconcileRound(context: RoundContext): Promise<ReconcileRound> {
  const { settings } = context;
  const startedAt = context.clock().getTime();
  const seenAfter = new Date(startedAt - settings.maxAgeMs);
  const checkedBefore = new Date(startedAt - settings.intervalMs * RECHECK_SHARE);
  const tally: RoundTally = {
    checked: 0,
    changed: 0,
    readFailures: 0,
    notFound: 0,
    eventsProcessed: 0,
    eventFailures: 0,
  };
  let ledgerFailed = false;
  try {
    for (let batch = 0; batch < context.maxBatches && !context.stopping(); batch += 1) {
      const claimed = await reconcileBatch(context, seenAfter, checkedBefore, tally);
      if (claimed < context.batchSize) break;
    }
    const { processEvent } = context.options;
    if (processEvent && !context.stopping()) {
      await processPendingEvents(context, processEvent, startedAt, seenAfter, tally);
    }
  } catch (error) {
    ledgerFailed = true;
    context.warnLedger({ err: describe(error) });
  }
  const report: ReconcileRound = {
    checked: tally.checked,
    changed: tally.changed,
    readFailures: tally.readFailures,
    notFound: tally.notFound,
    eventsProcessed: tally.eventsProcessed,
    eventFailures: tally.eventFailures,
    ledgerFailed,
    durationMs: context.clock().getTime() - startedAt,
  };
  reportRound(context, report);
  return report;
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { ledger, settings, logger } = options;
  const log = logger.child({ component: 'reconciler' });
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<ReconcileRound> | null = null;
  let started = false;
  let stopping = false;
  const context: RoundContext = {
    options,
    ledger,
    settings,
    log,
    clock: options.clock ?? (() => new Date()),
    batchSize: options.batchSize ?? 25,
    maxBatches: options.maxBatchesPerRound ?? 20,
    eventGraceMs: options.eventGraceMs ?? 60_000,
    limit: pLimit(options.concurrency ?? 4),
    warnRead: createThrottledWarning(
      log,
      'reconciler: re-reading a refund failed; it is tried again next round',
      60_000,
    ),
    warnEvent: createThrottledWarning(
      log,
      'reconciler: processing a webhook event failed; it is tried again later',
      60_000,
    ),
    warnLedger: createThrottledWarning(log, 'reconciler: the ledger failed; the round stopped early', 60_000),
    stopping: () => stopping,
  };

  /** Rounds run one at a time: a round asked for while one runs starts after it. */
  function runRound(): Promise<ReconcileRound> {
    const previous = current;
    const next: Promise<ReconcileRound> = (async () => {
      if (previous !== null) await previous;
      return runReconcileRound(context);
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
