/**
 * The webhook path for a test, assembled from the real parts on loopback: every provider's
 * simulator (sending signed webhooks), the provider clients of the composition root, the ledger on
 * node:sqlite in memory, the receiver, and an express app serving only the webhook router. Log
 * lines are captured as parsed JSON.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { loadConfig, type AppConfig } from '../../src/app/config.js';
import { createApp, type App } from '../../src/app/create-app.js';
import type { RefundProviderName } from '../../src/domain/refund.js';
import { createLogger } from '../../src/observability/logger.js';
import type { StartedProviderSimulator } from '../../src/providers/definition.js';
import { PROVIDERS } from '../../src/providers/registry.js';
import { openSqlLedger } from '../../src/refunds/ledger/create-ledger.js';
import type { Ledger } from '../../src/refunds/ledger/ledger.js';
import type { WebhookRefresh } from '../../src/refunds/webhooks/process-event.js';
import { createWebhookEndpoints, type WebhookEndpoint } from '../../src/refunds/webhooks/webhook-endpoints.js';
import {
  createWebhookReceiver,
  type WebhookObservation,
  type WebhookReceiver,
} from '../../src/refunds/webhooks/webhook-receiver.js';
import { createWebhookRouter } from '../../src/server/http/webhook-routes.js';
import type { SimulatorHandle } from '../../src/simulator-kit/fault-injection.js';
import type { SimulatorWebhooks } from '../../src/simulator-kit/webhook-sender.js';

export interface WebhookStackOptions {
  /** Extra environment for loadConfig; `undefined` removes a variable the simulators set. */
  readonly env?: Record<string, string | undefined>;
  readonly rateLimit?: { points: number; durationS: number };
  readonly settleMs?: number;
}

export interface WebhookStack {
  readonly url: string;
  readonly config: AppConfig;
  readonly env: Readonly<Record<string, string>>;
  readonly app: App;
  readonly ledger: Ledger;
  readonly receiver: WebhookReceiver;
  readonly endpoints: readonly WebhookEndpoint[];
  readonly simulators: Readonly<Record<'wooshpay' | 'efundpay', SimulatorHandle>>;
  webhooks(provider: 'wooshpay' | 'efundpay'): SimulatorWebhooks;
  readonly logs: Array<Record<string, unknown>>;
  readonly rawLogs: string[];
  readonly observations: WebhookObservation[];
  readonly refreshes: WebhookRefresh[];
  /** POSTs raw bytes to /webhooks/<path>. */
  post(path: string, body: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startWebhookStack(options: WebhookStackOptions = {}): Promise<WebhookStack> {
  const started = new Map<RefundProviderName, StartedProviderSimulator>();
  for (const definition of PROVIDERS) {
    started.set(
      definition.name,
      await definition.startSimulator({
        latencyMs: 0,
        settleMs: options.settleMs ?? 300,
        env: {},
        webhookRetry: { maxAttempts: 3, baseDelayMs: 50 },
      }),
    );
  }
  const env: Record<string, string> = { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' };
  for (const simulator of started.values()) Object.assign(env, simulator.env);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const config = loadConfig(env);

  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        rawLogs.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = createLogger(config, destination);
  const app = await createApp(config, { logger });
  const { ledger } = await openSqlLedger(
    { kind: 'sqlite', path: ':memory:' },
    // No lease: a test may look at the unprocessed events as often as it likes.
    { eventLeaseMs: 0 },
  );
  const endpoints = createWebhookEndpoints({ settings: config.providers, clients: app.clients });
  const observations: WebhookObservation[] = [];
  const refreshes: WebhookRefresh[] = [];
  const receiver = createWebhookReceiver({
    ledger,
    providers: endpoints,
    readRefund: async (provider, id, context) => {
      const client = app.clients.get(provider);
      if (!client) throw new Error(`${provider} has no client`);
      return client.getRefund(id, context);
    },
    onRefreshed: (refresh) => {
      refreshes.push(refresh);
    },
    logger,
    observe: (observation) => observations.push(observation),
    toleranceS: config.webhooks.toleranceS,
  });

  const server = express();
  server.use(createWebhookRouter({ receiver, ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}) }));
  const http: Server = await new Promise((resolve) => {
    const listening = server.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const simulator = (name: RefundProviderName) => {
    const handle = started.get(name)?.handle;
    if (handle === undefined) throw new Error(`No ${name} simulator started`);
    return handle;
  };
  const simulators = { wooshpay: simulator('WOOSHPAY'), efundpay: simulator('EFUNDPAY') };
  for (const [path, handle] of Object.entries(simulators)) handle.webhooks?.setTarget(`${url}/webhooks/${path}`);

  return {
    url,
    config,
    env,
    app,
    ledger,
    receiver,
    endpoints,
    simulators,
    webhooks(provider) {
      const webhooks = simulators[provider].webhooks;
      if (webhooks === undefined) throw new Error(`The ${provider} simulator sends no webhooks`);
      return webhooks;
    },
    logs,
    rawLogs,
    observations,
    refreshes,
    post: (path, body, headers = { 'content-type': 'application/json' }) =>
      fetch(`${url}/webhooks/${path}`, { method: 'POST', headers, body }),
    async close() {
      await Promise.all(Object.values(simulators).map((handle) => handle.close()));
      await receiver.idle();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await app.close();
      await ledger.close();
    },
  };
}
