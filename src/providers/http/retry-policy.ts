/**
 * Which failed attempts are tried again, chosen per call, as ky retry options:
 *
 * - `idempotent-read`: a call that changes nothing (a GET). Network errors, attempt timeouts,
 *   408, 409, 429 and 5xx are retried.
 * - `provider-idempotent`: a write the provider deduplicates by a key header (e.g.
 *   `Idempotency-Key`), so repeating it is as safe as a read; retried the same way.
 * - `connect-only`: a write nothing deduplicates. Retried only when the attempt provably never
 *   reached the provider (connection refused, DNS failure, connect timeout); a timeout, a reset
 *   or any answer is final.
 *
 * All policies: at most PROVIDER_MAX_RETRIES retries, exponential backoff from
 * PROVIDER_RETRY_BASE_DELAY_MS with full jitter, never past the call's deadline. A `Retry-After` on
 * 429/503 is waited out exactly when it is within PROVIDER_RETRY_AFTER_CAP_MS; beyond the cap the
 * call fails at once instead of waiting the cap.
 */
import { HTTPError, type RetryOptions } from 'ky';
import { ProviderError } from '../../domain/errors.js';
import type { ProviderHttpSettings } from './types.js';
import { provablyNotSent } from './delivery.js';
import { retryAfterMs } from './retry-after.js';
import { isDeadlineAbort, isRedirectRefusal } from './translate-error.js';

export type RetryPolicy = 'idempotent-read' | 'connect-only' | 'provider-idempotent';

const RETRY_STATUS_CODES = [408, 409, 429, ...Array.from({ length: 100 }, (_, index) => 500 + index)];
const RETRY_AFTER_STATUS_CODES = [429, 503];
/** The policy, not the method, decides; ky only retries methods listed here. */
const ALL_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function createRetryPolicies(http: ProviderHttpSettings): Readonly<Record<RetryPolicy, RetryOptions>> {
  const backoff = {
    limit: http.maxRetries,
    methods: ALL_METHODS,
    delay: (attempt: number) => http.retryBaseDelayMs * 2 ** (attempt - 1),
    jitter: true,
  } satisfies RetryOptions;
  const likeARead: RetryOptions = {
    ...backoff,
    statusCodes: RETRY_STATUS_CODES,
    afterStatusCodes: RETRY_AFTER_STATUS_CODES,
    maxRetryAfter: http.retryAfterCapMs,
    retryOnTimeout: true,
    shouldRetry: ({ error }) => {
      // A ProviderError here was thrown by a before-attempt hook (e.g. no rate-limit slot): final.
      if (error instanceof ProviderError || isRedirectRefusal(error) || isDeadlineAbort(error)) return false;
      if (error instanceof HTTPError && RETRY_AFTER_STATUS_CODES.includes(error.response.status)) {
        // ky would wait the full cap for a longer Retry-After; past the cap we fail fast instead.
        const wait = retryAfterMs(error.response.headers.get('retry-after'));
        if (wait !== null && wait > http.retryAfterCapMs) return false;
      }
      return undefined;
    },
  };
  const connectOnly: RetryOptions = {
    ...backoff,
    statusCodes: [],
    afterStatusCodes: [],
    retryOnTimeout: false,
    shouldRetry: ({ error }) => provablyNotSent(error),
  };
  return { 'idempotent-read': likeARead, 'provider-idempotent': likeARead, 'connect-only': connectOnly };
}
