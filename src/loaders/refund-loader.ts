/**
 * The per-request refund loader. Keyed by (provider, canonical provider refund id), so a refund
 * asked for many times, through either id form or entity key shape, costs one provider GET per
 * operation. A batch fans out to every provider at once; the process-wide concurrency cap lives in
 * each provider's HTTP client. Returns one entry per key, in key order: the refund, null when the
 * provider has none, or the Error for that key alone.
 */
import DataLoader from 'dataloader';
import { ProviderNotConfiguredError } from '../domain/errors.js';
import type { RefundModel, RefundProviderName } from '../domain/refund.js';
import { providerDefinition, type RefundRef } from '../providers/ids.js';
import type { ProviderCallContext, RefundProviderPort } from '../providers/provider.js';

export type ProviderClients = ReadonlyMap<RefundProviderName, RefundProviderPort | null>;

export interface Loaders {
  readonly refund: DataLoader<RefundRef, RefundModel | null, string>;
}

export interface LoaderOptions {
  readonly clients: ProviderClients;
  readonly call: ProviderCallContext;
  /** Told the size of every batch (metrics). */
  readonly onBatch?: (size: number) => void;
}

export const refundCacheKey = (ref: RefundRef): string => `${ref.provider}:${ref.providerRefundId}`;

export function createLoaders(options: LoaderOptions): Loaders {
  const refund = new DataLoader<RefundRef, RefundModel | null, string>(
    async (refs) => {
      options.onBatch?.(refs.length);
      const settled = await Promise.allSettled(refs.map((ref) => fetchRefund(options, ref)));
      return settled.map((result) => (result.status === 'fulfilled' ? result.value : toError(result.reason)));
    },
    { cacheKeyFn: refundCacheKey },
  );
  return { refund };
}

function fetchRefund(options: LoaderOptions, ref: RefundRef): Promise<RefundModel | null> {
  const client = options.clients.get(ref.provider);
  if (!client) {
    return Promise.reject(
      new ProviderNotConfiguredError(
        providerDefinition(ref.provider),
        'no credentials are configured for this provider',
        {},
      ),
    );
  }
  return client.getRefund(ref.providerRefundId, options.call);
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
