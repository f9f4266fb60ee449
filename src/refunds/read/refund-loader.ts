/**
 * The per-request refund loader. Keyed by (provider, canonical provider refund id), so a refund
 * asked for many times, through either id form or entity key shape, is read once per operation. A
 * batch goes to the refund cache in one piece (one store round trip), which fans the misses out to
 * every provider at once; the process-wide concurrency cap lives in each provider's HTTP client.
 * Returns one entry per key, in key order: the refund, null when the provider has none, or the
 * Error for that key alone.
 */
import DataLoader from 'dataloader';
import type { RefundReadContext, RefundReader } from './refund-reader.js';
import type { RetrievedRefund } from '../../domain/retrieved-refund.js';
import type { RefundRef } from '../../providers/ids.js';
import type { SpanRunner } from '../../observability/tracing.js';

export interface Loaders {
  readonly refund: DataLoader<RefundRef, RetrievedRefund | null, string>;
}

export interface LoaderOptions {
  /** The read use case: the refund cache, or with the cache off the provider reader. */
  readonly reader: RefundReader;
  readonly call: RefundReadContext;
  /** Told the size of every batch (metrics). */
  readonly onBatch?: (size: number) => void;
  /** Wraps each batch in a span (tracing on only). */
  readonly span?: SpanRunner;
}

export const refundLoaderKey = (ref: RefundRef): string => `${ref.provider}:${ref.providerRefundId}`;

export function createLoaders(options: LoaderOptions): Loaders {
  const refund = new DataLoader<RefundRef, RetrievedRefund | null, string>(
    async (refs) => {
      options.onBatch?.(refs.length);
      const read = () => options.reader.readMany(refs, options.call);
      return options.span ? options.span('refunds.loader.batch', { 'refunds.batch_size': refs.length }, read) : read();
    },
    { cacheKeyFn: refundLoaderKey },
  );
  return { refund };
}
