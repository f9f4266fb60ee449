/**
 * What the refund cache keeps in the store, and under which key.
 *
 * Key: `refunds:v<schema>:<provider>:<account>:<canonical refund id>`. The account (a non-secret id
 * of the credentials) keeps two deployments with different credentials that share one store apart;
 * the schema version keeps a replica running older code from reading entries it cannot decode
 * (bump CACHE_SCHEMA_VERSION whenever RefundModel changes shape).
 */
import type { RefundModel, RefundProviderName } from '../../../domain/refund.js';
import type { ReadAnswer } from '../refund-reader.js';

/** Bumped whenever RefundModel changes shape (2: refunds carry their paymentId). */
const CACHE_SCHEMA_VERSION = 2;

export function cacheKey(provider: RefundProviderName, account: string, providerRefundId: string): string {
  return `refunds:v${CACHE_SCHEMA_VERSION}:${provider}:${encodeURIComponent(account)}:${providerRefundId}`;
}

/** What the cache stores: one provider answer. */
export type CacheEntry = ReadAnswer;

export function encodeEntry(entry: CacheEntry): string {
  // Dates become ISO strings; everything else in RefundModel is plain JSON.
  return JSON.stringify({
    v: CACHE_SCHEMA_VERSION,
    at: entry.retrievedAt,
    fresh: entry.freshUntil,
    refund: entry.refund,
  });
}

/** The entry, or null when the stored text is not one this version wrote (treated as a miss). */
export function decodeEntry(text: string): CacheEntry | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { v, at, fresh, refund } = raw as Record<string, unknown>;
  if (v !== CACHE_SCHEMA_VERSION || typeof at !== 'number' || typeof fresh !== 'number') return null;
  if (refund === null) return { refund: null, retrievedAt: at, freshUntil: fresh };
  if (typeof refund !== 'object' || refund === undefined) return null;
  const model = refund as Record<string, unknown>;
  if (typeof model.id !== 'string' || typeof model.createdAt !== 'string' || typeof model.amount !== 'object') {
    return null;
  }
  const createdAt = new Date(model.createdAt);
  if (Number.isNaN(createdAt.getTime())) return null;
  return { refund: { ...(model as unknown as RefundModel), createdAt }, retrievedAt: at, freshUntil: fresh };
}
