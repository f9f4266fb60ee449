/**
 * At most once per key: the idempotency records of refund creation, in the shared key-value store
 * (in memory, or Redis shared by every replica). A record holds the fingerprint of the input and,
 * once known, the outcome, for 24 hours.
 *
 * - The first call claims the record atomically (`setIfAbsent` of a `pending` record with a lease)
 *   and alone calls the provider; then it stores the outcome (`done`).
 * - A repeat with the same input gets the stored outcome (`replayed: true`) without a provider call;
 *   with other input, IDEMPOTENCY_KEY_REUSED.
 * - A repeat while the first call runs (on any replica) waits for its outcome up to `waitMs`, then
 *   gets IDEMPOTENCY_KEY_IN_USE.
 * - A call that fails with an error (nothing is known to have been refunded, or the outcome is
 *   unknown) releases the record, so the caller may repeat it: the provider-level key derived from
 *   the same scope makes the repeat land on the same refund.
 * - The store failing is never "no record": it is IDEMPOTENCY_STORE_UNAVAILABLE before any provider
 *   call. If it fails only when storing the outcome, the answer is still returned; the record stays
 *   `pending` until its lease ends, and the provider-level key keeps repeats safe after that.
 */
import type { Logger } from 'pino';
import type { ThrottledWarning } from '../../observability/throttled-warning.js';
import { RequestRefusedError } from '../../domain/errors.js';
import type { RefundCreationOutcome } from '../../domain/refund-creation.js';
import type { RefundModel } from '../../domain/refund.js';
import type { KeyValueStore } from '../../store/key-value-store.js';
import { idempotencyRecordKey, type IdempotencyScope } from './idempotency-keys.js';

export const RECORD_TTL_MS = 24 * 60 * 60 * 1000;
const POLL_MS = 50;

type StoredRecord =
  | { readonly state: 'pending'; readonly fingerprint: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly outcome: RefundCreationOutcome };

export interface IdempotencyRecordsOptions {
  readonly store: KeyValueStore;
  /** How long a repeat waits for a running first call before IDEMPOTENCY_KEY_IN_USE. */
  readonly waitMs: number;
  /** How long a `pending` claim lives if its replica dies mid-call; longer than any provider call. */
  readonly leaseMs: number;
  readonly logger: Logger;
  /**
   * Where a store failure is reported instead of a warn line each: the shared Redis warning (one
   * line a minute), since each refused call is in its own audit line already.
   */
  readonly storeWarning?: ThrottledWarning;
}

export interface IdempotencyRecords {
  /**
   * Runs `action` at most once for the scope and input fingerprint; answers repeats from the record
   * (`fromRecord`, and a created refund's `replayed` set).
   */
  run(
    scope: IdempotencyScope,
    fingerprint: string,
    action: () => Promise<RefundCreationOutcome>,
  ): Promise<{ readonly outcome: RefundCreationOutcome; readonly fromRecord: boolean }>;
}

export function createIdempotencyRecords(options: IdempotencyRecordsOptions): IdempotencyRecords {
  const { store, logger } = options;

  const unavailable = (cause: unknown) => {
    const fields = { err: cause, store: store.kind };
    if (options.storeWarning) options.storeWarning({ ...fields, refused: 'createRefund' });
    else logger.warn(fields, 'idempotency store unavailable: refund creation refused, nothing was sent');
    return new RequestRefusedError(
      'IDEMPOTENCY_STORE_UNAVAILABLE',
      'The idempotency records cannot be read right now, so no refund was attempted; try again shortly with the same idempotencyKey',
      { cause },
    );
  };

  async function execute(
    key: string,
    fingerprint: string,
    action: () => Promise<RefundCreationOutcome>,
  ): Promise<RefundCreationOutcome> {
    let outcome: RefundCreationOutcome;
    try {
      outcome = await action();
    } catch (error) {
      await store.delete(key).catch((cause: unknown) => {
        logger.warn({ err: cause }, 'idempotency record could not be released; repeats wait for its lease to end');
      });
      throw error;
    }
    const record: StoredRecord = { state: 'done', fingerprint, outcome };
    try {
      await store.set(key, JSON.stringify(record), RECORD_TTL_MS);
    } catch (cause) {
      logger.error(
        { err: cause },
        'idempotency outcome could not be stored; repeats get IDEMPOTENCY_KEY_IN_USE until the lease ends, then the provider-level key answers them',
      );
    }
    return outcome;
  }

  return {
    async run(scope, fingerprint, action) {
      const key = idempotencyRecordKey(scope);
      const giveUpAt = Date.now() + options.waitMs;
      const pending: StoredRecord = { state: 'pending', fingerprint };
      for (;;) {
        let claimed: boolean;
        let existing: string | null = null;
        try {
          claimed = await store.setIfAbsent(key, JSON.stringify(pending), options.leaseMs);
          if (!claimed) existing = await store.get(key);
        } catch (cause) {
          throw unavailable(cause);
        }
        if (claimed) return { outcome: await execute(key, fingerprint, action), fromRecord: false };
        if (existing !== null) {
          const record = parseRecord(existing);
          if (record === null) throw unavailable(new Error('an idempotency record could not be parsed'));
          if (record.fingerprint !== fingerprint) {
            throw new RequestRefusedError(
              'IDEMPOTENCY_KEY_REUSED',
              'This idempotencyKey was already used with different input; use a new key for a different refund',
            );
          }
          if (record.state === 'done') return { outcome: replay(record.outcome), fromRecord: true };
        }
        // Pending elsewhere (or released a moment ago): wait for it, within bounds.
        if (Date.now() + POLL_MS > giveUpAt) {
          throw new RequestRefusedError(
            'IDEMPOTENCY_KEY_IN_USE',
            `A call with this idempotencyKey is still running (waited ${options.waitMs} ms); repeat the same call shortly for its outcome`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}

/** The stored outcome as a repeat's answer: the refund's date revived, `replayed` set. */
function replay(outcome: RefundCreationOutcome): RefundCreationOutcome {
  if (outcome.kind === 'RefundRejected') return outcome;
  const refund = outcome.refund as RefundModel & { createdAt: Date | string };
  return { ...outcome, replayed: true, refund: { ...refund, createdAt: new Date(refund.createdAt) } };
}

function parseRecord(text: string): StoredRecord | null {
  try {
    const value = JSON.parse(text) as Partial<StoredRecord> | null;
    if (typeof value?.fingerprint !== 'string') return null;
    if (value.state === 'pending') return value as StoredRecord;
    if (value.state === 'done' && typeof value.outcome === 'object' && value.outcome !== null) {
      return value as StoredRecord;
    }
    return null;
  } catch {
    return null;
  }
}
