/** The operators' endpoints: liveness, readiness (each provider's breaker, the cache, Redis and what else the app reports), metrics. */
import { Router } from 'express';
import type { Metrics } from '../../observability/metrics.js';
import type { ProviderClients } from '../../providers/port.js';

/** Parts of /ready beside the providers, by name (`cache`, `redis`, `idempotency`, …). None fails readiness. */
export type ReadinessReport = Readonly<Record<string, unknown>>;

export interface OperationsRouterOptions {
  /** True once the server accepts connections, false again while it shuts down. */
  readonly isReady: () => boolean;
  readonly clients: ProviderClients;
  readonly metrics: Metrics;
  readonly report: () => ReadinessReport;
}

export function createOperationsRouter({ isReady, clients, metrics, report }: OperationsRouterOptions): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/ready', (_req, res) => {
    const providers = Object.fromEntries(
      [...clients].map(([name, client]) => [
        name,
        { configured: client !== null, breaker: client?.breakerState() ?? 'not-configured' },
      ]),
    );
    // A provider outage (open breaker) does not fail readiness: the subgraph still answers,
    // with PROVIDER_UNAVAILABLE for that provider's refunds, and restarting it would not help.
    // Nor does Redis or the cache store being down: reads then go to the providers.
    const ready = isReady();
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'ready' : 'stopping', providers, ...report() });
  });
  router.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
