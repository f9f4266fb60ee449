/**
 * Ledger metrics (webhook events, reconciler rounds, background writes), on the process's registry
 * beside the others (metrics.ts). Names are part of the operators' contract; the README lists them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the background read recorder reports (src/refunds/ledger/read-recorder.ts fits). */
export interface LedgerWriteCounters {
  readonly errors: number;
  readonly dropped: number;
  readonly queued: number;
  readonly lagMs: number;
}

export interface LedgerMetrics {
  /** A webhook request or its processing ended, by provider and outcome (recorded, duplicate, rejected, processed, …). */
  webhookEvent(provider: string, outcome: string): void;
  /** A reconciler round ended: refunds re-read, and how many had changed. */
  reconcileRound(round: { readonly checked: number; readonly changed: number; readonly readFailures: number }): void;
  /** A synchronous ledger write failed (createRefund). */
  writeFailed(): void;
  /** Reads the background writer's counters on each scrape. */
  watchWrites(counters: () => LedgerWriteCounters): void;
}

export function createLedgerMetrics(registry: Registry): LedgerMetrics {
  const webhooks = new Counter({
    name: 'refunds_webhook_events_total',
    help: 'Provider webhook requests and their processing, by provider and outcome (recorded, duplicate, rejected, processed, unresolved, failed, …)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  });
  const rounds = new Counter({
    name: 'refunds_reconciler_rounds_total',
    help: 'Reconciler rounds run by this replica',
    registers: [registry],
  });
  const checked = new Counter({
    name: 'refunds_reconciler_refunds_checked_total',
    help: 'Unsettled refunds the reconciler re-read from their provider (read failures included)',
    registers: [registry],
  });
  const changes = new Counter({
    name: 'refunds_reconciler_changes_total',
    help: 'Refunds the reconciler found changed (or new) at their provider',
    registers: [registry],
  });
  const syncWriteErrors = new Counter({
    name: 'refunds_ledger_sync_write_errors_total',
    help: 'Ledger writes that failed while answering createRefund (the refund exists; its next read records it)',
    registers: [registry],
  });
  let writes: (() => LedgerWriteCounters) | null = null;
  new Gauge({
    name: 'refunds_ledger_write_errors',
    help: 'Background ledger writes (of refunds reads saw) that failed since start',
    registers: [registry],
    collect() {
      this.set(writes?.().errors ?? 0);
    },
  });
  new Gauge({
    name: 'refunds_ledger_writes_dropped',
    help: 'Refunds reads saw that the background writer dropped because its queue was full, since start',
    registers: [registry],
    collect() {
      this.set(writes?.().dropped ?? 0);
    },
  });
  new Gauge({
    name: 'refunds_ledger_lag_seconds',
    help: 'How long the oldest refund waiting for the background ledger writer has waited (0 when none waits)',
    registers: [registry],
    collect() {
      this.set((writes?.().lagMs ?? 0) / 1000);
    },
  });
  return {
    webhookEvent: (provider, outcome) => webhooks.inc({ provider, outcome }),
    reconcileRound(round) {
      rounds.inc();
      checked.inc(round.checked);
      changes.inc(round.changed);
    },
    writeFailed: () => syncWriteErrors.inc(),
    watchWrites(counters) {
      writes = counters;
    },
  };
}
