/**
 * Apollo Server's parsed-document store and persisted-query cache, bounded by the memory their
 * entries really hold. Apollo's defaults size a parsed document by the JSON of its AST, which
 * leaves out the source text every AST keeps (`loc.source`) and its token list; a document made
 * mostly of a comment then costs almost nothing in the budget and megabytes in the heap.
 */
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Budgets, in estimated bytes of heap. */
export const DOCUMENT_STORE_BYTES = 8 * 1024 * 1024;
export const PERSISTED_QUERY_CACHE_BYTES = 4 * 1024 * 1024;

/** The `KeyValueCache` shape Apollo Server asks for (`documentStore`, `persistedQueries.cache`). */
export interface BoundedKeyValueCache<V> {
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/** Heap a cached AST holds, over- rather than under-estimated (V8 objects cost more than their JSON). */
export function documentHeapBytes(document: DocumentNode): number {
  const source = document.loc?.source.body ?? '';
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token; token = token.next) tokens += 1;
  return 2 * source.length + 100 * tokens + 4 * JSON.stringify(document).length;
}

/** A JavaScript string costs up to two bytes per UTF-16 unit. */
const stringHeapBytes = (text: string): number => 2 * text.length + 64;

function boundedCache<V extends object | string>(
  maxBytes: number,
  sizeOf: (value: V) => number,
): BoundedKeyValueCache<V> {
  const cache = new LRUCache<string, V>({
    maxSize: maxBytes,
    // An entry larger than the whole budget is simply not kept.
    maxEntrySize: maxBytes,
    sizeCalculation: (value, key) => Math.max(1, sizeOf(value) + stringHeapBytes(key)),
  });
  return {
    get: async (key) => cache.get(key),
    set: async (key, value, options) => {
      cache.set(key, value, options?.ttl ? { ttl: options.ttl * 1000 } : {});
    },
    delete: async (key) => cache.delete(key),
  };
}

export function createDocumentStore(maxBytes = DOCUMENT_STORE_BYTES): BoundedKeyValueCache<DocumentNode> {
  return boundedCache<DocumentNode>(maxBytes, documentHeapBytes);
}

export function createPersistedQueryCache(maxBytes = PERSISTED_QUERY_CACHE_BYTES): BoundedKeyValueCache<string> {
  return boundedCache<string>(maxBytes, stringHeapBytes);
}
