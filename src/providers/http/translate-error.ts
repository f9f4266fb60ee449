/**
 * The transport boundary: whatever ky, fetch or the deadline threw becomes one typed
 * ProviderError. Messages name the provider, the HTTP status and the attempts, never the URL,
 * the credentials or the provider's body; the original error stays as `cause` for the log.
 */
import { HTTPError, TimeoutError } from 'ky';
import {
  ProviderAuthFailedError,
  ProviderBadResponseError,
  ProviderError,
  ProviderRateLimitedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from '../../domain/errors.js';
import type { ProviderIdentity } from '../../domain/refund.js';

/**
 * The client went away, so its provider calls were cancelled. Nobody sees it as a response, and
 * it says nothing about the provider's health: the breaker does not count it.
 */
export class ProviderCallCancelledError extends ProviderError {
  override readonly name = 'ProviderCallCancelledError';
  readonly code = 'PROVIDER_TIMEOUT';
}

export interface AttemptInfo {
  readonly attempts: number;
  readonly deadlineMs: number;
  readonly attemptTimeoutMs: number;
}

/** fetch rejects a redirect under `redirect: 'error'` with a TypeError whose cause says so. */
export function isRedirectRefusal(error: unknown): boolean {
  return error instanceof TypeError && error.cause instanceof Error && /redirect/i.test(error.cause.message);
}

/** The per-refund deadline firing (AbortSignal.timeout), as opposed to ky's per-attempt timeout. */
export function isDeadlineAbort(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

export function translateTransportError(provider: ProviderIdentity, error: unknown, info: AttemptInfo): ProviderError {
  if (error instanceof ProviderError) return error;
  const tries = info.attempts === 1 ? '1 attempt' : `${info.attempts} attempts`;
  if (error instanceof HTTPError) {
    const status = error.response.status;
    const options = { cause: error, status };
    if (status === 401 || status === 403) {
      return new ProviderAuthFailedError(provider, `the provider refused our credentials (HTTP ${status})`, options);
    }
    if (status === 429) {
      return new ProviderRateLimitedError(
        provider,
        `the provider is rate limiting requests (HTTP 429 after ${tries})`,
        options,
      );
    }
    if (status === 408 || status >= 500) {
      return new ProviderUnavailableError(provider, `the provider failed (HTTP ${status} after ${tries})`, options);
    }
    if (status >= 300 && status < 400) {
      return new ProviderBadResponseError(
        provider,
        `the provider answered with a redirect (HTTP ${status}), which is never followed`,
        options,
      );
    }
    return new ProviderBadResponseError(provider, `the provider answered with an unexpected HTTP ${status}`, options);
  }
  if (error instanceof TimeoutError) {
    return new ProviderTimeoutError(provider, `no answer within ${info.attemptTimeoutMs} ms (${tries})`, {
      cause: error,
    });
  }
  if (isDeadlineAbort(error)) {
    const waited = info.attempts === 0 ? 'still waiting for a free connection to the provider' : tries;
    return new ProviderTimeoutError(provider, `no answer within the ${info.deadlineMs} ms deadline (${waited})`, {
      cause: error,
    });
  }
  if (isRedirectRefusal(error)) {
    return new ProviderBadResponseError(provider, 'the provider answered with a redirect, which is never followed', {
      cause: error,
    });
  }
  return new ProviderUnavailableError(provider, `the provider could not be reached (${tries})`, { cause: error });
}
