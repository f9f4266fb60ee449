/**
 * Reading refunds: the read use case's port (what the loader and the other use cases call) and the
 * reader over the provider ports. The refund cache (./cache/) wraps the provider reader with the
 * same port; with the cache off the provider reader serves alone.
 *
 * Every answer carries when it was read and how long it stays fresh (./freshness.ts), so Cache-Control
 * is the same with the cache on or off.
 */
import type { RefundModel, RefundProviderName } from '../../domain/refund.js';
import type { RetrievedRefund } from '../../domain/retrieved-refund.js';
import { providerNotConfigured, type RefundRef } from '../../providers/ids.js';
import type { ProviderCallContext, ProviderClients } from '../../providers/port.js';
import { freshnessMs, type FreshnessPolicy } from './freshness.js';

/** One refund served without a provider call of this operation, for the log line and debug view. */
export interface CacheReadRecord {
  readonly provider: RefundProviderName;
  readonly providerRefundId: string;
  /** `hit`: a fresh copy; `stale`: a last copy served because the provider failed. */
  readonly result: 'hit' | 'stale';
  /** How long ago the copy was read from the provider. */
  readonly ageMs: number;
}

export interface ServedRecord {
  /** Epoch milliseconds until which the answer is fresh. */
  readonly freshUntil: number;
  readonly stale: boolean;
  /** The refund answered; absent for answers built from more than refunds (a payment's list). */
  readonly ref?: RefundRef;
}

export interface RefundReadContext extends ProviderCallContext {
  /** Told about every refund served from the cache for this operation. */
  readonly onCacheRead?: (record: CacheReadRecord) => void;
  /** Told, for every ref answered without error (a refund or "none"), how long the answer stays fresh. */
  readonly onServed?: (served: ServedRecord) => void;
}

/** The cache's state for /ready and metrics. */
export interface CacheState {
  readonly enabled: boolean;
  /** `memory`, `redis`, or null when the cache is off. */
  readonly store: 'memory' | 'redis' | null;
  /** `ok`, `unavailable` (reads go to the providers), or `disabled`. */
  readonly status: 'ok' | 'unavailable' | 'disabled';
}

/** One provider answer: the refund or null for "no such refund", when it was read, and until when it is fresh. */
export interface ReadAnswer {
  readonly refund: RefundModel | null;
  /** Epoch milliseconds the provider answered. */
  readonly retrievedAt: number;
  /** Epoch milliseconds until which the answer is fresh. */
  readonly freshUntil: number;
}

/** The read use case's port. */
export interface RefundReader {
  /** One entry per ref, in order: the refund, null when the provider has none, or that ref's Error. */
  readMany(refs: readonly RefundRef[], context: RefundReadContext): Promise<Array<RetrievedRefund | null | Error>>;
  /**
   * Takes in a refund learnt outside a read (created by createRefund, re-read for a webhook or the
   * reconciler): the cache holds it from now on, so a changed refund is never served from an older copy.
   */
  remember(refund: RefundModel): Promise<RetrievedRefund>;
  state(): CacheState;
}

export interface ProviderReaderOptions {
  readonly clients: ProviderClients;
  readonly freshness: FreshnessPolicy;
  /** The clock (tests move it instead of sleeping). */
  readonly now?: () => number;
}

/** Reads every refund from its provider: no cache, no single flight. */
export class ProviderRefundReader implements RefundReader {
  readonly #options: ProviderReaderOptions;
  readonly now: () => number;

  constructor(options: ProviderReaderOptions) {
    this.#options = options;
    this.now = options.now ?? Date.now;
  }

  get freshness(): FreshnessPolicy {
    return this.#options.freshness;
  }

  /** The client of a provider, or the "not configured" error for a refund of a provider without credentials. */
  client(provider: RefundProviderName) {
    return this.#options.clients.get(provider) ?? null;
  }

  async readMany(
    refs: readonly RefundRef[],
    context: RefundReadContext,
  ): Promise<Array<RetrievedRefund | null | Error>> {
    const results = await Promise.all(refs.map((ref) => this.fetch(ref, context).then(toRetrieved, toError)));
    reportServed(refs, results, context, this.now() + this.#options.freshness.ttlNotFoundMs);
    return results;
  }

  /** Reads one refund from its provider now; rejects with a ProviderError. */
  async fetch(ref: RefundRef, context: ProviderCallContext): Promise<ReadAnswer> {
    const client = this.client(ref.provider);
    if (!client) throw providerNotConfigured(ref.provider);
    return this.answer(await client.getRefund(ref.providerRefundId, context));
  }

  /** A provider answer as of now, fresh for its status. */
  answer(refund: RefundModel | null): ReadAnswer {
    const retrievedAt = this.now();
    return { refund, retrievedAt, freshUntil: retrievedAt + freshnessMs(this.#options.freshness, refund) };
  }

  remember(refund: RefundModel): Promise<RetrievedRefund> {
    return Promise.resolve(toRetrieved(this.answer(refund))!);
  }

  state(): CacheState {
    return { enabled: false, store: null, status: 'disabled' };
  }
}

/** Tells `onServed` how long each answer (not the errors) stays fresh; "no such refund" until `notFoundUntil`. */
export function reportServed(
  refs: readonly RefundRef[],
  results: ReadonlyArray<RetrievedRefund | null | Error>,
  context: RefundReadContext,
  notFoundUntil: number,
): void {
  if (!context.onServed) return;
  for (const [index, result] of results.entries()) {
    if (result instanceof Error) continue;
    const freshUntil = result?.freshUntil.getTime() ?? notFoundUntil;
    context.onServed({ freshUntil, stale: result?.stale ?? false, ref: refs[index]! });
  }
}

export function toRetrieved(answer: ReadAnswer): RetrievedRefund | null {
  if (answer.refund === null) return null;
  return {
    ...answer.refund,
    retrievedAt: new Date(answer.retrievedAt),
    freshUntil: new Date(answer.freshUntil),
    stale: false,
  };
}

export function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
