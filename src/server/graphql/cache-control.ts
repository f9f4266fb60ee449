/**
 * `Cache-Control` for the router (Apollo Router's response cache reads it). A response that holds
 * refunds may be cached, `public`, for no longer than the freshness left on its least fresh
 * refund; one with any error, any stale refund, or from a mutation is `no-store`. A response that
 * read no refund at all gets no header (the router then treats it as not cacheable). A payment's
 * refunds and totals count as refunds read (they report each refund's freshness). One that ran
 * `refundSearch` or `refundSummary` is `private, no-store`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context.js';

export function createCacheControlPlugin(now: () => number = Date.now): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation }) {
          const policy = cacheControlFor(response.body, contextValue, operation?.operation, now());
          if (policy !== null) response.http.headers.set('cache-control', policy);
        },
      };
    },
  };
}

function cacheControlFor(
  body: { kind: 'single'; singleResult: { errors?: readonly unknown[] } } | { kind: 'incremental' },
  context: RequestContext,
  operationType: string | undefined,
  now: number,
): string | null {
  // Search and summary answer an analyst with the ledger's latest: never stored, by anyone.
  if (context.cachePolicy.privateNoStore) return 'private, no-store';
  if (body.kind !== 'single' || (body.singleResult.errors?.length ?? 0) > 0) return 'no-store';
  if (operationType !== undefined && operationType !== 'query') return 'no-store';
  const { freshness } = context;
  if (freshness.anyStale) return 'no-store';
  if (freshness.answers === 0) return null;
  return cacheControlUntil(freshness.until, now);
}

/** `public` for the whole seconds of freshness left at `now`; `no-store` when less than one is left. */
export function cacheControlUntil(freshUntil: number, now: number): string {
  const maxAge = Math.floor((freshUntil - now) / 1000);
  return maxAge > 0 ? `public, max-age=${maxAge}` : 'no-store';
}
