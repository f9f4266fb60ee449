/**
 * The refund cache, between the loader and the provider clients (issue 9).
 *
 * - Entries are keyed by provider, credentials account, canonical refund id and schema version
 *   (cache-entry.ts); freshness depends on the refund's status (freshness.ts). Failures are never
 *   stored.
 * - Concurrent reads of one refund, from any operation in the process, share one provider call.
 * - When the provider fails (unavailable, timeout, rate limited, breaker open), a copy up to
 *   `staleIfErrorMs` old is served with `stale: true` instead of the error.
 * - The store is best effort: any store failure is a miss (reads go to the providers), logged at
 *   most once a minute and counted.
 * - Without a store (CACHE_ENABLED=false) every read goes to its provider, as before the cache.
 */
import type { Logger } from 'pino';
import { ProviderError, ProviderNotConfiguredError, type ProviderErrorCode } from '../../../domain/errors.js';
import type { RefundModel, RefundProviderName } from '../../../domain/refund.js';
import type { RetrievedRefund } from '../../../domain/retrieved-refund.js';
import { providerDefinition, type RefundRef } from '../../../providers/ids.js';
import type { ProviderCallContext, ProviderCallRecord, RefundProviderPort } from '../../../providers/port.js';
import type { KeyValueStore, StoreHealth } from '../../../store/key-value-store.js';
import type { SpanRunner } from '../../../observability/tracing.js';
import { cacheKey, decodeEntry, encodeEntry, type CacheEntry } from './cache-entry.js';
import { freshnessMs, type FreshnessPolicy } from './freshness.js';
import { SingleFlight } from './single-flight.js';
import { createThrottledWarning, type ThrottledWarning } from '../../../observability/throttled-warning.js';

/** Failures that mean "the provider cannot answer now": a recent copy beats an error. */
const STALE_IF: ReadonlySet<ProviderErrorCode> = new Set([
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_RATE_LIMITED',
]);

/** One warn line a minute at most while the store fails, however many reads it fails. */
export function createStoreWarning(logger: Logger): ThrottledWarning {
  return createThrottledWarning(logger, 'Refund cache store unavailable: reads go to the providers', 60_000);
}

/** One refund served without a provider call of this operation, for the log line and debug view. */
export interface CacheReadRecord {
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
  /** `hit`: a fresh copy; `stale`: a last copy served because the provider failed. */
  readonly result: 'hit' | 'stale';
  /** How long ago the copy was read from the provider. */
  readonly ageMs: number;
}

export interface RefundReadContext extends ProviderCallContext {
  /** Told about every refund served from the cache for this operation. */
  readonly onCacheRead?: (record: CacheReadRecord) => void;
  /** Told, for every ref answered without error (a refund or "none"), how long the answer stays fresh. */
  readonly onServed?: (served: ServedRecord) => void;
}

export interface ServedRecord {
  /** Epoch milliseconds until which the answer is fresh. */
  readonly freshUntil: number;
  readonly stale: boolean;
}

export interface CacheInstrumentation {
  lookup(provider: RefundProviderName, result: 'hit' | 'miss'): void;
  staleServed(provider: RefundProviderName): void;
  storeError(operation: 'read' | 'write'): void;
}

export interface CacheState {
  readonly enabled: boolean;
  /** `memory`, `redis`, or null when the cache is off. */
  readonly store: KeyValueStore['kind'] | null;
  /** `ok`, `unavailable` (reads go to the providers), or `disabled`. */
  readonly status: StoreHealth | 'disabled';
}

export type ProviderClientMap = ReadonlyMap<RefundProviderName, RefundProviderPort | null>;

export interface RefundCacheOptions {
  /** Each client's `account` (a non-secret id of its credentials) is part of every cache key. */
  readonly clients: ProviderClientMap;
  /** Null turns the cache off. */
  readonly store: KeyValueStore | null;
  readonly freshness: FreshnessPolicy;
  readonly staleIfErrorMs: number;
  readonly logger: Logger;
  readonly instrumentation?: CacheInstrumentation;
  /** Where store failures are reported; shared with the store's connection errors so both together log once a minute. */
  readonly storeWarning?: ThrottledWarning;
  readonly now?: () => number;
  /** Wraps each store lookup in a span (tracing on only). */
  readonly span?: SpanRunner;
}

export interface RefundReader {
  /** One entry per ref, in order: the refund, null when the provider has none, or that ref's Error. */
  readMany(refs: readonly RefundRef[], context: RefundReadContext): Promise<Array<RetrievedRefund | null | Error>>;
  /** Puts a refund just read or created elsewhere (e.g. by createRefund) into the cache. */
  remember(refund: RefundModel): Promise<RetrievedRefund>;
  state(): CacheState;
  close(): Promise<void>;
}

export function createRefundCache(options: RefundCacheOptions): RefundReader {
  return new RefundCache(options);
}

class RefundCache implements RefundReader {
  readonly #options: RefundCacheOptions;
  readonly #now: () => number;
  readonly #flights = new SingleFlight<CacheEntry, ProviderCallRecord>();
  readonly #warnStore: ThrottledWarning;

  constructor(options: RefundCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#warnStore = options.storeWarning ?? createStoreWarning(options.logger);
  }

  state(): CacheState {
    const store = this.#options.store;
    if (store === null) return { enabled: false, store: null, status: 'disabled' };
    return { enabled: true, store: store.kind, status: store.health() };
  }

  async readMany(
    refs: readonly RefundRef[],
    context: RefundReadContext,
  ): Promise<Array<RetrievedRefund | null | Error>> {
    const results = await this.#readMany(refs, context);
    if (context.onServed) {
      for (const result of results) {
        if (result instanceof Error) continue;
        // "No such refund" carries no model; its answer is fresh for the not-found policy from now.
        const freshUntil = result?.freshUntil.getTime() ?? this.#now() + this.#options.freshness.notFoundMs;
        context.onServed({ freshUntil, stale: result?.stale ?? false });
      }
    }
    return results;
  }

  async #readMany(
    refs: readonly RefundRef[],
    context: RefundReadContext,
  ): Promise<Array<RetrievedRefund | null | Error>> {
    const store = this.#options.store;
    if (store === null) {
      return Promise.all(refs.map((ref) => this.#fetch(ref, context).then(toRetrieved, toError)));
    }
    const keys = refs.map((ref) => this.#key(ref));
    const stored = await this.#readStore(store, keys);
    const now = this.#now();
    return Promise.all(
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
            this.#fetchAndStore(store, key, ref, { ...context, signal: shared.signal, observe: shared.observe }),
          );
          return toRetrieved(await promise);
        } catch (error) {
          return this.#staleOrError(ref, entry, toError(error), context);
        }
      }),
    );
  }

  async remember(refund: RefundModel): Promise<RetrievedRefund> {
    const entry = this.#entryFor(refund);
    const store = this.#options.store;
    const client = this.#options.clients.get(refund.provider);
    if (store !== null && client) {
      await this.#writeStore(store, cacheKey(refund.provider, client.account, refund.providerRefundId), entry);
    }
    return {
      ...refund,
      retrievedAt: new Date(entry.retrievedAt),
      freshUntil: new Date(entry.freshUntil),
      stale: false,
    };
  }

  close(): Promise<void> {
    return this.#options.store?.close() ?? Promise.resolve();
  }

  #key(ref: RefundRef): string | Error {
    const client = this.#options.clients.get(ref.provider);
    if (!client) return notConfigured(ref.provider);
    return cacheKey(ref.provider, client.account, ref.providerRefundId);
  }

  async #fetch(ref: RefundRef, context: ProviderCallContext): Promise<CacheEntry> {
    const client = this.#options.clients.get(ref.provider);
    if (!client) throw notConfigured(ref.provider);
    return this.#entryFor(await client.getRefund(ref.providerRefundId, context));
  }

  async #fetchAndStore(
    store: KeyValueStore,
    key: string,
    ref: RefundRef,
    context: ProviderCallContext,
  ): Promise<CacheEntry> {
    const entry = await this.#fetch(ref, context);
    await this.#writeStore(store, key, entry);
    return entry;
  }

  #entryFor(refund: RefundModel | null): CacheEntry {
    const retrievedAt = this.#now();
    return { refund, retrievedAt, freshUntil: retrievedAt + freshnessMs(this.#options.freshness, refund) };
  }

  #staleOrError(
    ref: RefundRef,
    entry: CacheEntry | null,
    error: Error,
    context: RefundReadContext,
  ): RetrievedRefund | Error {
    if (!(error instanceof ProviderError) || !STALE_IF.has(error.code) || entry?.refund == null) return error;
    const ageMs = Math.max(0, this.#now() - entry.retrievedAt);
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

  async #readStore(store: KeyValueStore, keys: ReadonlyArray<string | Error>): Promise<Array<CacheEntry | null>> {
    const wanted = keys.filter((key): key is string => typeof key === 'string');
    if (wanted.length === 0) return keys.map(() => null);
    let texts: Array<string | null>;
    try {
      const lookup = () => store.getMany(wanted);
      texts = await (this.#options.span
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
    const byKey = new Map(wanted.map((key, index) => [key, texts[index] ?? null]));
    return keys.map((key) => {
      const text = typeof key === 'string' ? byKey.get(key) : null;
      return text == null ? null : decodeEntry(text);
    });
  }

  async #writeStore(store: KeyValueStore, key: string, entry: CacheEntry): Promise<void> {
    // A refund copy is kept past its freshness so it can be served if the provider fails later.
    const freshFor = entry.freshUntil - entry.retrievedAt;
    const ttlMs = entry.refund === null ? freshFor : Math.max(freshFor, this.#options.staleIfErrorMs);
    if (ttlMs < 1) return;
    try {
      await store.set(key, encodeEntry(entry), ttlMs);
    } catch (error) {
      this.#storeFailed('write', error);
    }
  }

  #storeFailed(operation: 'read' | 'write', error: unknown): void {
    this.#options.instrumentation?.storeError(operation);
    this.#warnStore({
      event: 'cache.store_unavailable',
      store: this.#options.store?.kind,
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

function toRetrieved(entry: CacheEntry): RetrievedRefund | null {
  if (entry.refund === null) return null;
  return {
    ...entry.refund,
    retrievedAt: new Date(entry.retrievedAt),
    freshUntil: new Date(entry.freshUntil),
    stale: false,
  };
}

function notConfigured(provider: RefundProviderName): ProviderNotConfiguredError {
  return new ProviderNotConfiguredError(
    providerDefinition(provider),
    'no credentials are configured for this provider',
    {},
  );
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
