/**
 * Reads feed the ledger in the background: every refund a read returns from its provider or a fresh
 * cache copy is noted to the read recorder, which writes only what is new or changed, in batches,
 * off the read's path. A ledger that is down or slow never fails or slows a read; stale copies
 * (served because the provider failed) are not news and are not noted.
 */
import type { RetrievedRefund } from '../../domain/retrieved-refund.js';
import type { RefundReader } from '../read/refund-reader.js';
import type { ReadRecorder } from './read-recorder.js';

export function recordReads(reader: RefundReader, recorder: Pick<ReadRecorder, 'note'>): RefundReader {
  return {
    async readMany(refs, context) {
      const results = await reader.readMany(refs, context);
      const seen = results.filter(
        (result): result is RetrievedRefund => result !== null && !(result instanceof Error) && !result.stale,
      );
      if (seen.length > 0) recorder.note(seen);
      return results;
    },
    remember: (refund) => reader.remember(refund),
    state: () => reader.state(),
  };
}
