/**
 * The refund cache: the provider reader (../refund-reader.ts) behind a key-value store, with the
 * same port. Absent when CACHE_ENABLED=false.
 *
 * - Entries are keyed by provider, credentials account, canonical refund id and schema version
 *   (cache-entry.ts) and live as long as the freshness policy says (../freshness.ts). Failures are
 *   never stored.
 * - Concurrent reads of one refund, from any operation in the process, share one provider call.
 * - When the provider fails (unavailable, timeout, rate limited, breaker open), a copy up to
 *   `staleIfErrorMs` old is served with `stale: true` instead of the error.
 * - The store is best effort: any store failure is a miss (reads go to the providers), logged at
 *   most once a minute and counted.
 */
import type { Logger } from 'pino';
import { ProviderError, type ProviderErrorCode } from '../../../domain/errors.js';
import type { RefundModel, RefundProviderName } from '../../../domain/refund.js';
import type { RetrievedRefund } from '../../../domain/retrieved-refund.js';
import type { ThrottledWarning } from '../../../observability/throttled-warning.js';
import type { SpanRunner } from '../../../observability/tracing.js';
import { providerNotConfigured, type RefundRef } from '../../../providers/ids.js';
import type { ProviderCallContext, ProviderCallRecord } from '../../../providers/port.js';
import type { KeyValueStore } from '../../../store/key-value-store.js';
import {
  reportServed,
  toError,
  toRetrieved,
  type CacheState,
  type ProviderRefundReader,
  type ReadAnswer,
  type RefundReadContext,
  type RefundReader,
} from '../refund-reader.js';
import { cacheKey, decodeEntry, encodeEntry } from './cache-entry.js';
import { SingleFlight } from './single-flight.js';

/** Failures that mean "the provider cannot answer now": a recent copy beats an error. */
const STALE_IF: ReadonlySet<ProviderErrorCode> = new Set([
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_RATE_LIMITED',
]);

/**
 * A store that keeps each value's decoded form (the in-process store): an entry read again is not
 * parsed again. The decoded entries are shared between reads, and nothing here mutates them.
 */
interface DecodingStore {
  getManyDecoded<T>(keys: readonly string[], decode: (text: string) => T | null): Promise<Array<T | null>>;
}

function isDecodingStore(store: KeyValueStore): store is KeyValueStore & DecodingStore {
  return typeof (store as Partial<DecodingStore>).getManyDecoded === 'function';
}

export interface CacheInstrumentation {
  lookup(provider: RefundProviderName, result: 'hit' | 'miss'): void;
  staleServed(provider: RefundProviderName): void;
  storeError(operation: 'read' | 'write'): void;
}

export interface RefundCacheOptions {
  /** Reads what the cache misses; its clock and freshness policy are the cache's too. */
  readonly source: ProviderRefundReader;
  readonly store: KeyValueStore;
  readonly staleIfErrorMs: number;
  readonly logger: Logger;
  /** Where store failures are reported (one line a minute at most, shared with the store's connection). */
  readonly storeWarning: ThrottledWarning;
  readonly instrumentation?: CacheInstrumentation;
  /** Wraps each store lookup in a span (tracing on only). */
  readonly span?: SpanRunner;
  /** Told before and after every refund the cache writes: answers built from the copy it replaces are out of date. */
  readonly onWrite?: (ref: RefundRef) => void;
}

export function createRefundCache(options: RefundCacheOptions): RefundReader {
  return new RefundCache(options);
}

class RefundCache implements RefundReader {
  readonly #options: RefundCacheOptions;
  readonly #source: ProviderRefundReader;
  readonly #flights = new SingleFlight<ReadAnswer, ProviderCallRecord>();

  constructor(options: RefundCacheOptions) {
    this.#options = options;
    this.#source = options.source;
  }

  state(): CacheState {
    return { enabled: true, store: this.#options.store.kind, status: this.#options.store.health() };
  }

  async readMany(
    refs: readonly RefundRef[],
    context: RefundReadContext,
  ): Promise<Array<RetrievedRefund | null | Error>> {
    const keys = refs.map((ref) => this.#key(ref));
    const stored = await this.#readStore(keys);
    const now = this.#source.now();
    const results = await Promise.all(
      refs.map(async (ref, index) => {
        const key = keys[index];
        if (key === undefined || key instanceof Error) return key ?? new Error('missing key');
        const entry = stored[index] ?? null;
        if (entry !== null && entry.freshUntil > now) {
          this.#options.instrumentation?.lookup(ref.provider, 'hit');
          context.onCacheRead?.({ ...ref, result: 'hit', ageMs: Math.max(0, now - entry.retrievedAt) });
          return toRetrieved(entry);
        }
        this.#options.instrumentation?.lookup(ref.provider, 'miss');
        try {
          const { promise } = this.#flights.run(key, waiterOf(context), (shared) =>
            this.#fetchAndStore(key, ref, { ...context, signal: shared.signal, observe: shared.observe }),
          );
          return toRetrieved(await promise);
        } catch (error) {
          return this.#staleOrError(ref, entry, toError(error), context);
        }
      }),
    );
    reportServed(refs, results, context, this.#source.now() + this.#source.freshness.ttlNotFoundMs);
    return results;
  }

  async remember(refund: RefundModel): Promise<RetrievedRefund> {
    const answer = this.#source.answer(refund);
    const client = this.#source.client(refund.provider);
    if (client)
      await this.#writeStore(cacheKey(refund.provider, client.account, refund.providerRefundId), refund, answer);
    return toRetrieved(answer)!;
  }

  #key(ref: RefundRef): string | Error {
    const client = this.#source.client(ref.provider);
    if (!client) return providerNotConfigured(ref.provider);
    return cacheKey(ref.provider, client.account, ref.providerRefundId);
  }

  async #fetchAndStore(key: string, ref: RefundRef, context: ProviderCallContext): Promise<ReadAnswer> {
    const answer = await this.#source.fetch(ref, context);
    await this.#writeStore(key, ref, answer);
    return answer;
  }

  #staleOrError(
    ref: RefundRef,
    entry: ReadAnswer | null,
    error: Error,
    context: RefundReadContext,
  ): RetrievedRefund | Error {
    if (!(error instanceof ProviderError) || !STALE_IF.has(error.code) || entry?.refund == null) return error;
    const ageMs = Math.max(0, this.#source.now() - entry.retrievedAt);
    if (ageMs > this.#options.staleIfErrorMs) return error;
    this.#options.instrumentation?.staleServed(ref.provider);
    context.onCacheRead?.({ ...ref, result: 'stale', ageMs });
    this.#options.logger.warn(
      {
        event: 'refund.stale_served',
        requestId: context.requestId,
        provider: ref.provider,
        providerRefundId: ref.providerRefundId,
        ageMs,
        errorCode: error.code,
      },
      'Provider failed: served the last cached copy of the refund (stale: true)',
    );
    return { ...toRetrieved(entry), stale: true } as RetrievedRefund;
  }

  async #readStore(keys: ReadonlyArray<string | Error>): Promise<Array<ReadAnswer | null>> {
    const store = this.#options.store;
    const wanted = keys.filter((key): key is string => typeof key === 'string');
    if (wanted.length === 0) return keys.map(() => null);
    let entries: Array<ReadAnswer | null>;
    try {
      const decoding = isDecodingStore(store) ? store : null;
      const lookup = decoding
        ? () => decoding.getManyDecoded(wanted, decodeEntry)
        : async () => (await store.getMany(wanted)).map((text) => (text === null ? null : decodeEntry(text)));
      entries = await (this.#options.span
        ? this.#options.span(
            'refunds.cache.lookup',
            { 'refunds.cache.store': store.kind, 'refunds.cache.keys': wanted.length },
            lookup,
          )
        : lookup());
    } catch (error) {
      this.#storeFailed('read', error);
      return keys.map(() => null);
    }
    const byKey = new Map(wanted.map((key, index) => [key, entries[index] ?? null]));
    return keys.map((key) => (typeof key === 'string' ? (byKey.get(key) ?? null) : null));
  }

  async #writeStore(key: string, ref: RefundRef, answer: ReadAnswer): Promise<void> {
    // A refund copy is kept past its freshness so it can be served if the provider fails later.
    const freshFor = answer.freshUntil - answer.retrievedAt;
    const ttlMs = answer.refund === null ? freshFor : Math.max(freshFor, this.#options.staleIfErrorMs);
    if (ttlMs < 1) return;
    // Before and after: an answer read from the old copy while the write is in flight is not kept either.
    this.#options.onWrite?.(ref);
    try {
      await this.#options.store.set(key, encodeEntry(answer), ttlMs);
    } catch (error) {
      this.#storeFailed('write', error);
    } finally {
      this.#options.onWrite?.(ref);
    }
  }

  #storeFailed(operation: 'read' | 'write', error: unknown): void {
    this.#options.instrumentation?.storeError(operation);
    this.#options.storeWarning({
      event: 'cache.store_unavailable',
      store: this.#options.store.kind,
      operation,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}

function waiterOf(context: ProviderCallContext) {
  return {
    ...(context.signal ? { signal: context.signal } : {}),
    ...(context.observe ? { observe: context.observe } : {}),
  };
}
