/**
 * The operation cache: a read asked again, byte for byte, is answered from memory, without parsing,
 * validating or executing it again.
 *
 * Only answers the router itself may cache are kept: HTTP 200, `Cache-Control: public, max-age=…`
 * (a query, no error, no stale refund, no search; see graphql/cache-control.ts), and no debug view.
 * The key is the request body as sent, with the headers that can change an answer (`Accept`,
 * `Authorization`). An answer is kept for `ttlMs` at most and never past the freshness of its least
 * fresh refund, so it never serves a refund older than the refund cache would; its `Cache-Control`
 * is worked out again on every hit from that freshness, as the plugin would.
 *
 * Each answer is tagged with the refunds it holds. A change to a refund this process sees (the
 * refund cache writing it: a read, a webhook, the reconciler, createRefund; or the ledger recording
 * it as new or changed) drops every answer tagged with it, and every answer that also holds
 * something other than refunds read one by one (a payment's list: any change may alter it). An
 * answer whose operation was running while one of its refunds changed is not kept. A change seen
 * by another replica reaches this one's answers within `ttlMs`. Bounded in bytes (least recently
 * used first out).
 */
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { RefundProviderName } from '../../domain/refund.js';

export interface CachedAnswer {
  /** The response body as it was sent. */
  readonly body: string;
  /** The response headers as they were sent, but `cache-control` (worked out per hit). */
  readonly headers: Readonly<Record<string, string>>;
  /** When the least fresh refund in the answer stops being fresh (epoch ms). */
  readonly freshUntil: number;
  /** When the answer is dropped: `freshUntil` or `ttlMs` after it was kept, whichever is first. */
  readonly expiresAt: number;
  /** The operation's log fields when it ran (name, type, refunds requested), for the hit's log line. */
  readonly logged: Readonly<Record<string, unknown>>;
  /** The refunds the answer holds (refundTag); null: it holds more than refunds, and any change drops it. */
  readonly tags: readonly string[] | null;
}

export interface OperationCache {
  /** The key of a POST body with its request's headers; null when this request's answer is never kept. */
  keyOf(req: IncomingMessage, body: string): string | null;
  /** The answer kept under `key` that is still within its time, or undefined. */
  get(key: string, now: number): CachedAnswer | undefined;
  /** The count of changes so far: read before running an operation, given back to `set`. */
  generation(): number;
  /** Keeps an answer, unless one of its refunds changed (or everything was cleared) since `generation` was read. */
  set(key: string, answer: Omit<CachedAnswer, 'expiresAt'>, generation: number, now: number): void;
  /** A refund changed: drops the answers that hold it (and those that hold more than refunds). */
  invalidate(tag: string): void;
  /** Drops every answer. */
  clear(): void;
}

export interface OperationCacheOptions {
  /** The longest an answer is kept, in ms (OPERATION_CACHE_TTL_MS). */
  readonly ttlMs: number;
  /** The most the answers and their keys may hold, in UTF-16 code units (about bytes for JSON). */
  readonly maxSize?: number;
  /** Requests larger than this (body) are not kept. */
  readonly maxKeyLength?: number;
  /** Refund changes remembered for answers still running (default 10 000; beyond it, older runs keep nothing). */
  readonly recentChanges?: number;
}

/** The tag of a refund: its provider and its id there. */
export function refundTag(ref: { readonly provider: RefundProviderName; readonly providerRefundId: string }): string {
  return `${ref.provider}:${ref.providerRefundId}`;
}

/** The provider of a refund tag. */
export function providerOfTag(tag: string): RefundProviderName {
  return tag.slice(0, tag.indexOf(':')) as RefundProviderName;
}

const DEFAULT_MAX_SIZE = 8 * 1024 * 1024;
const DEFAULT_MAX_KEY_LENGTH = 16 * 1024;
const DEFAULT_RECENT_CHANGES = 10_000;

export function createOperationCache(options: OperationCacheOptions): OperationCache {
  const maxKeyLength = options.maxKeyLength ?? DEFAULT_MAX_KEY_LENGTH;
  /** Keys of the answers holding each refund, and of the answers that hold more than refunds. */
  const byTag = new Map<string, Set<string>>();
  const untagged = new Set<string>();
  const answers = new LRUCache<string, CachedAnswer>({
    maxSize: options.maxSize ?? DEFAULT_MAX_SIZE,
    sizeCalculation: (answer, key) => key.length + answer.body.length + 256,
    dispose: (answer, key) => unindex(key, answer.tags),
  });
  // Changes count up: `changes` is the last one, `clearedAt` the last clear, `anyChangeAt` the last
  // refund change, `forgottenAt` the newest change no longer remembered per refund.
  let changes = 0;
  let clearedAt = 0;
  let anyChangeAt = 0;
  let forgottenAt = 0;
  const changedAt = new LRUCache<string, number>({
    max: options.recentChanges ?? DEFAULT_RECENT_CHANGES,
    dispose: (at, _tag, reason) => {
      if (reason === 'evict') forgottenAt = Math.max(forgottenAt, at);
    },
  });

  function unindex(key: string, tags: readonly string[] | null): void {
    if (tags === null) return void untagged.delete(key);
    for (const tag of tags) {
      const keys = byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) byTag.delete(tag);
    }
  }

  /** Whether something the answer depends on changed since `generation`. */
  function changedSince(generation: number, tags: readonly string[] | null): boolean {
    if (clearedAt > generation || forgottenAt > generation) return true;
    if (tags === null) return anyChangeAt > generation;
    return tags.some((tag) => (changedAt.get(tag) ?? 0) > generation);
  }

  return {
    keyOf(req, body) {
      if (body.length > maxKeyLength || req.headers['x-refunds-debug'] !== undefined) return null;
      return `${req.headers.accept ?? ''}\n${req.headers.authorization ?? ''}\n${body}`;
    },
    get(key, now) {
      const answer = answers.get(key);
      if (answer === undefined) return undefined;
      if (answer.expiresAt > now) return answer;
      answers.delete(key);
      return undefined;
    },
    generation: () => changes,
    set(key, answer, generation, now) {
      if (changedSince(generation, answer.tags)) return;
      const expiresAt = Math.min(answer.freshUntil, now + options.ttlMs);
      if (expiresAt <= now) return;
      answers.set(key, { ...answer, expiresAt });
      // lru-cache refuses an entry larger than the whole bound (and disposes of nothing then).
      if (!answers.has(key)) return;
      if (answer.tags === null) untagged.add(key);
      else for (const tag of answer.tags) byTag.set(tag, (byTag.get(tag) ?? new Set()).add(key));
    },
    invalidate(tag) {
      changes += 1;
      anyChangeAt = changes;
      changedAt.set(tag, changes);
      for (const key of [...(byTag.get(tag) ?? []), ...untagged]) answers.delete(key);
    },
    clear() {
      changes += 1;
      clearedAt = changes;
      answers.clear();
    },
  };
}
