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
 * Any refund change this process sees (a webhook, the reconciler, createRefund, a read that found
 * something new; refunds/changes) clears every answer, and an answer whose operation was running
 * while a change came is not kept. A change seen by another replica reaches this one's answers
 * within `ttlMs`. Bounded in bytes (least recently used first out).
 */
import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';

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
}

export interface OperationCache {
  /** The key of a POST body with its request's headers; null when this request's answer is never kept. */
  keyOf(req: IncomingMessage, body: string): string | null;
  /** The answer kept under `key` that is still within its time, or undefined. */
  get(key: string, now: number): CachedAnswer | undefined;
  /** The count of clears so far: read before running an operation, given back to `set`. */
  generation(): number;
  /** Keeps an answer, unless a clear came since `generation` was read. */
  set(key: string, answer: Omit<CachedAnswer, 'expiresAt'>, generation: number, now: number): void;
  /** Drops every answer (a refund changed). */
  clear(): void;
}

export interface OperationCacheOptions {
  /** The longest an answer is kept, in ms (OPERATION_CACHE_TTL_MS). */
  readonly ttlMs: number;
  /** The most the answers and their keys may hold, in UTF-16 code units (about bytes for JSON). */
  readonly maxSize?: number;
  /** Requests larger than this (body) are not kept. */
  readonly maxKeyLength?: number;
}

const DEFAULT_MAX_SIZE = 8 * 1024 * 1024;
const DEFAULT_MAX_KEY_LENGTH = 16 * 1024;

export function createOperationCache(options: OperationCacheOptions): OperationCache {
  const maxKeyLength = options.maxKeyLength ?? DEFAULT_MAX_KEY_LENGTH;
  const answers = new LRUCache<string, CachedAnswer>({
    maxSize: options.maxSize ?? DEFAULT_MAX_SIZE,
    sizeCalculation: (answer, key) => key.length + answer.body.length + 256,
  });
  let clears = 0;
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
    generation: () => clears,
    set(key, answer, generation, now) {
      if (generation !== clears) return;
      const expiresAt = Math.min(answer.freshUntil, now + options.ttlMs);
      if (expiresAt <= now) return;
      answers.set(key, { ...answer, expiresAt });
    },
    clear() {
      clears += 1;
      answers.clear();
    },
  };
}
