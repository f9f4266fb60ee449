/**
 * Apollo Router's response-cache invalidation: when a refund changes, the router's cached answers
 * tagged `refund-<id>` (and its payment's, `payment-<id>`) are dropped at once instead of living out
 * their max-age. Off unless ROUTER_INVALIDATION_URL and ROUTER_INVALIDATION_KEY are both set.
 *
 * Best effort: a failed POST is logged at most once a minute and never fails what caused it; the
 * tags' max-age still bounds how long the router serves an old answer.
 */
import type { Logger } from 'pino';
import { createThrottledWarning } from '../../observability/throttled-warning.js';

/** The settings this needs (AppConfig's `routerInvalidation`); null when off. */
export interface RouterInvalidationSettings {
  /** The router's invalidation endpoint (e.g. http://router:4000/invalidation). Never logged. */
  readonly url: string;
  /** Sent as `Authorization` as is. A secret: never logged. */
  readonly key: string;
}

/** The subgraph name the router knows this service by, as in the supergraph. */
const SUBGRAPH_NAME = 'refunds';

export interface RouterInvalidation {
  /** Drops the router's cached answers carrying any of these tags (`refund-<global refund id>`, `payment-<global payment id>`). */
  invalidate(tags: readonly string[]): Promise<void>;
}

export function createRouterInvalidation(
  settings: RouterInvalidationSettings,
  logger: Logger,
  options: { readonly timeoutMs?: number } = {},
): RouterInvalidation {
  const warn = createThrottledWarning(
    logger,
    'Router cache invalidation failed; answers expire at their max-age',
    60_000,
  );
  return {
    async invalidate(tags) {
      if (tags.length === 0) return;
      const body = tags.map((tag) => ({ kind: 'cache_tag', subgraphs: [SUBGRAPH_NAME], cache_tag: tag }));
      try {
        const response = await fetch(settings.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: settings.key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
        });
        await response.body?.cancel();
        if (!response.ok) warn({ event: 'router.invalidation_failed', status: response.status, tags: tags.length });
      } catch (error) {
        warn({
          event: 'router.invalidation_failed',
          reason: error instanceof Error ? error.name : 'error',
          tags: tags.length,
        });
      }
    },
  };
}
