/**
 * `Refund.lastChangedAt` for one operation: every refund the operation asks it of is looked up in
 * the ledger in one query. The ledger never fails or holds up a read: when it errs or does not answer
 * within `timeoutMs`, the field is null (the refund's other fields are unaffected) and the failure is
 * reported once a minute at most.
 */
import DataLoader from 'dataloader';
import type { RefundRef } from '../../providers/ids.js';
import { refundLoaderKey } from '../read/refund-loader.js';
import type { Ledger } from './ledger.js';

export type LastChangedLoader = DataLoader<RefundRef, Date | null, string>;

export interface LastChangedOptions {
  readonly ledger: Pick<Ledger, 'getMany'> | null;
  /** How long the lookup may take before the field answers null. */
  readonly timeoutMs: number;
  /** Told when the ledger failed or ran out of time (a throttled warning). */
  readonly onFailure: (reason: string) => void;
}

export function createLastChangedLoader(options: LastChangedOptions): LastChangedLoader {
  return new DataLoader<RefundRef, Date | null, string>(
    async (refs) => {
      const ledger = options.ledger;
      if (ledger === null) return refs.map(() => null);
      let timer: NodeJS.Timeout | undefined;
      try {
        const rows = await Promise.race([
          ledger.getMany(refs),
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
          }),
        ]);
        return rows.map((row) => row?.lastChangedAt ?? null);
      } catch (error) {
        options.onFailure(error instanceof Error ? error.message : String(error));
        return refs.map(() => null);
      } finally {
        clearTimeout(timer);
      }
    },
    { cacheKeyFn: refundLoaderKey },
  );
}
