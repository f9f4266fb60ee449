/**
 * The ledger and what keeps it current, built for the composition root: the database (SQLite or
 * PostgreSQL), the background recorder of reads, the webhook receiver, the reconciler, and the one
 * place a recorded change goes on from (src/refunds/changes/). Each feeder re-reads a refund from
 * its provider past the cache and puts the answer in the cache, so a settled refund is never served
 * from an older copy after its webhook.
 */
import type { Logger } from 'pino';
import type { RefundModel } from '../domain/refund.js';
import type { LedgerMetrics } from '../observability/ledger-metrics.js';
import type { RefundRef } from '../providers/ids.js';
import type { ProviderCallContext, ProviderClients } from '../providers/port.js';
import { createRefundChanges, type RefundChanges } from '../refunds/changes/refund-changes.js';
import { createRouterInvalidation } from '../refunds/changes/router-invalidation.js';
import { openLedgerFromConfig } from '../refunds/ledger/create-ledger.js';
import type { LedgerTables } from '../refunds/ledger/ledger-tables.js';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { Ledger, LedgerState } from '../refunds/ledger/ledger.js';
import { createReadRecorder, type ReadRecorder } from '../refunds/ledger/read-recorder.js';
import { createReconciler, type Reconciler } from '../refunds/ledger/reconciler.js';
import type { ProviderRefundReader, RefundReader } from '../refunds/read/refund-reader.js';
import { createWebhookEndpoints, describeWebhookEndpoints } from '../refunds/webhooks/webhook-endpoints.js';
import { createWebhookReceiver, type WebhookReceiver } from '../refunds/webhooks/webhook-receiver.js';
import type { AppConfig } from './config.js';

/** How often the ledger's database is asked whether it answers, for /ready. */
const LEDGER_CHECK_INTERVAL_MS = 10_000;

export interface LedgerParts {
  readonly ledger: Ledger;
  /** The database under the ledger, for its read side (payment refunds, search). */
  readonly database: SqlDatabase<LedgerTables>;
  readonly recorder: ReadRecorder;
  readonly changes: RefundChanges;
  readonly webhooks: WebhookReceiver;
  /** Which webhook endpoints are on, for the start line. */
  readonly webhooksSummary: string;
  readonly reconciler: Reconciler;
  state(): LedgerState;
  /** Stops the reconciler, lets webhook processing and background writes finish, closes the database. */
  close(): Promise<void>;
}

export interface LedgerDependencies {
  readonly logger: Logger;
  readonly metrics: LedgerMetrics;
  readonly clients: ProviderClients;
  /** Reads past the cache: what webhooks and the reconciler re-read with. */
  readonly source: ProviderRefundReader;
  /** The read port (the cache when on): re-read refunds go in with `remember`. */
  readonly reader: RefundReader;
  /** Told of every refund a webhook or the reconciler re-read (e.g. to drop its payment's cached list). */
  readonly onRefreshed?: (refund: RefundModel) => Promise<void>;
}

export async function createLedgerParts(config: AppConfig, deps: LedgerDependencies): Promise<LedgerParts> {
  const { logger, metrics } = deps;
  const { ledger, database } = await openLedgerFromConfig(config, logger);
  const changes = createRefundChanges({
    logger,
    invalidation: config.routerInvalidation ? createRouterInvalidation(config.routerInvalidation, logger) : null,
  });
  /** A re-read past the cache whose answer goes into the cache at once. */
  const reRead = async (ref: RefundRef, context: ProviderCallContext): Promise<RefundModel | null> => {
    const { refund } = await deps.source.fetch(ref, context);
    if (refund !== null) {
      await deps.reader.remember(refund);
      await deps.onRefreshed?.(refund);
    }
    return refund;
  };
  const recorder = createReadRecorder({
    ledger,
    logger,
    onRecorded: (recorded, refunds) => changes.recorded(recorded, refunds, 'read'),
  });
  metrics.watchWrites(() => recorder.counters());
  const endpoints = createWebhookEndpoints({ settings: config.providers, clients: deps.clients });
  const webhooks = createWebhookReceiver({
    ledger,
    providers: endpoints,
    readRefund: (provider, providerRefundId, context) => reRead({ provider, providerRefundId }, context),
    onRefreshed: ({ recorded, refund }) => changes.recorded([recorded], [refund], 'webhook'),
    logger,
    observe: ({ provider, outcome }) => metrics.webhookEvent(provider, outcome),
    toleranceS: config.webhooks.toleranceS,
  });
  const reconciler = createReconciler({
    ledger,
    readRefund: (ref) => reRead(ref, { requestId: 'reconciler' }),
    processEvent: (event) => webhooks.retryEvent(event),
    onChanged: (recorded, refund) => changes.recorded([recorded], [refund], 'reconciled'),
    settings: config.ledger.reconcile,
    // An event is the receiving replica's for two rounds; after that its replica is taken to have died.
    eventGraceMs: 2 * config.ledger.reconcile.intervalMs,
    logger,
    onRound: (round) => metrics.reconcileRound(round),
  });
  reconciler.start();
  // /ready shows the ledger's last known state; a quiet replica still asks the database now and then.
  const health = setInterval(() => void ledger.check(), LEDGER_CHECK_INTERVAL_MS);
  health.unref();
  return {
    ledger,
    database,
    recorder,
    changes,
    webhooks,
    webhooksSummary: describeWebhookEndpoints(endpoints),
    reconciler,
    state: () => ledger.state(),
    async close() {
      clearInterval(health);
      await reconciler.stop();
      await webhooks.idle();
      await recorder.close();
      await ledger.close();
    },
  };
}
