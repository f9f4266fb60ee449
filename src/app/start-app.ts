/**
 * startApp(config): the composition root's parts (create-app.ts) served over HTTP (src/server/).
 * Stopping it stops HTTP first (in-flight requests finish), then closes the parts in reverse order.
 */
import type { Logger } from 'pino';
import type { RefundAuthorizer } from '../auth/refund-authorizer.js';
import type { Metrics } from '../observability/metrics.js';
import type { ProviderClients } from '../providers/port.js';
import type { LiveStatus } from '../refunds/live/live-status.js';
import type { RefundCreation } from '../refunds/create/refund-creation.js';
import type { RefundReader } from '../refunds/read/refund-reader.js';
import { startServer, type ServerOptions } from '../server/create-server.js';
import type { Express } from 'express';
import type { Server } from 'node:http';
import type { AppConfig } from './config.js';
import { createApp, type AppOptions as BuildOptions } from './create-app.js';

export type AppOptions = BuildOptions & ServerOptions;

export interface RunningApp {
  /** e.g. http://127.0.0.1:4001 */
  readonly url: string;
  readonly port: number;
  readonly app: Express;
  readonly httpServer: Server;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clients: ProviderClients;
  /** Who may create refunds (for the start log). */
  readonly authorizer: RefundAuthorizer;
  /** Reading refunds (e.g. to `remember()` a refund learnt outside a GraphQL request). */
  readonly refundCache: RefundReader;
  /** Live refund status (e.g. to tell subscribers of a change learnt outside this app's own paths). */
  readonly live: LiveStatus;
  /** createRefund outside a GraphQL request (the sandbox's start). */
  readonly creation: RefundCreation;
  /** Resolves once the background ledger writes queued so far are done. */
  flushLedger(): Promise<void>;
  /** Which provider webhook endpoints are on, in words, for the start line. */
  readonly webhooksSummary: string;
  /** Stops HTTP (in-flight requests finish, bounded), then closes every part. */
  stop(): Promise<void>;
}

export async function startApp(config: AppConfig, options: AppOptions = {}): Promise<RunningApp> {
  const parts = await createApp(config, options.logger ? { logger: options.logger } : {});
  let server;
  try {
    server = await startServer(config, parts, {
      ...(options.graphiqlAssetsDir ? { graphiqlAssetsDir: options.graphiqlAssetsDir } : {}),
      ...(options.ws ? { ws: options.ws } : {}),
    });
  } catch (error) {
    await parts.close();
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    app: server.app,
    httpServer: server.httpServer,
    logger: parts.logger,
    metrics: parts.metrics,
    clients: parts.clients,
    authorizer: parts.authorizer,
    refundCache: parts.reader,
    webhooksSummary: parts.ledger.webhooksSummary,
    creation: parts.creation,
    flushLedger: () => parts.ledger.recorder.flush(),
    live: parts.live,
    stop: () => {
      stopping ??= server.stop().then(() => parts.close());
      return stopping;
    },
  };
}
