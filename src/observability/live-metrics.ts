/**
 * Live-status metrics (subscriptions over WebSocket), on the process's registry beside the others
 * (metrics.ts). Names are part of the operators' contract; the README lists them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The subscription fields, as the metrics label them. */
export type LiveFieldLabel = 'refundUpdated' | 'paymentRefundsUpdated';

export interface LiveMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  /** A connection refused or closed by a limit, by reason. */
  refused(reason: string): void;
  subscriptionStarted(field: LiveFieldLabel): void;
  subscriptionEnded(field: LiveFieldLabel): void;
  delivered(field: LiveFieldLabel): void;
  dropped(field: LiveFieldLabel): void;
}

export function createLiveMetrics(registry: Registry): LiveMetrics {
  const connections = new Gauge({
    name: 'refunds_ws_connections',
    help: 'Open GraphQL WebSocket connections (graphql-transport-ws at /graphql)',
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'refunds_ws_refusals_total',
    help: 'WebSocket connections refused or closed by a limit or check, by reason (router_secret, origin, max_connections, slow_consumer, max_subscriptions)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const subscriptions = new Gauge({
    name: 'refunds_subscriptions_active',
    help: 'Active subscriptions by field',
    labelNames: ['field'] as const,
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'refunds_subscription_events_delivered_total',
    help: 'Refund events handed to subscribers, by field',
    labelNames: ['field'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'refunds_subscription_events_dropped_total',
    help: 'Refund events dropped because a subscriber was not reading (its queue was full), by field',
    labelNames: ['field'] as const,
    registers: [registry],
  });
  for (const field of ['refundUpdated', 'paymentRefundsUpdated'] as const) {
    subscriptions.set({ field }, 0);
    delivered.inc({ field }, 0);
    dropped.inc({ field }, 0);
  }
  return {
    connectionOpened: () => connections.inc(),
    connectionClosed: () => connections.dec(),
    refused: (reason) => refusals.inc({ reason }),
    subscriptionStarted: (field) => subscriptions.inc({ field }),
    subscriptionEnded: (field) => subscriptions.dec({ field }),
    delivered: (field) => delivered.inc({ field }),
    dropped: (field) => dropped.inc({ field }),
  };
}
