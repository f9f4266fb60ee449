/**
 * The typed errors of the domain. Provider clients translate every transport or provider failure
 * into one of the ProviderError family (keeping the original as `cause`, for the log only); the
 * GraphQL layer turns these into GraphQL errors with a stable `extensions.code`. Messages are
 * written for clients: they never carry a credential, a provider URL or a provider response body.
 */
import type { ProviderIdentity, RefundProviderName } from './refund.js';

export type ProviderErrorCode =
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_AUTH_FAILED'
  | 'PROVIDER_BAD_RESPONSE'
  | 'PROVIDER_NOT_CONFIGURED';

export abstract class ProviderError extends Error {
  abstract readonly code: ProviderErrorCode;
  /** The provider's enum value (`extensions.provider`). */
  readonly provider: RefundProviderName;
  /** The provider's HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** The message starts with the provider's label: `<label>: the provider failed (…)`. */
  constructor(identity: ProviderIdentity, message: string, options?: { cause?: unknown; status?: number }) {
    super(`${identity.label}: ${message}`, { cause: options?.cause });
    this.provider = identity.name;
    this.status = options?.status;
  }
  /**
   * False only when the request provably never reached the provider (nothing was sent: connection
   * refused, DNS failure, breaker open, deadline passed while queued), so repeating a write cannot
   * act twice. Set by the HTTP core that made the call, the only one that knows what went on the wire.
   */
  mayHaveReachedProvider = true;
}

export class ProviderUnavailableError extends ProviderError {
  override readonly name = 'ProviderUnavailableError';
  readonly code = 'PROVIDER_UNAVAILABLE';
}

export class ProviderTimeoutError extends ProviderError {
  override readonly name = 'ProviderTimeoutError';
  readonly code = 'PROVIDER_TIMEOUT';
}

export class ProviderRateLimitedError extends ProviderError {
  override readonly name = 'ProviderRateLimitedError';
  readonly code = 'PROVIDER_RATE_LIMITED';
}

export class ProviderAuthFailedError extends ProviderError {
  override readonly name = 'ProviderAuthFailedError';
  readonly code = 'PROVIDER_AUTH_FAILED';
}

export class ProviderBadResponseError extends ProviderError {
  override readonly name = 'ProviderBadResponseError';
  readonly code = 'PROVIDER_BAD_RESPONSE';
}

export class ProviderNotConfiguredError extends ProviderError {
  override readonly name = 'ProviderNotConfiguredError';
  readonly code = 'PROVIDER_NOT_CONFIGURED';
}

/** Input a client sent that can never be valid; maps to `BAD_USER_INPUT`. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly code = 'BAD_USER_INPUT';
}

/**
 * Quotes client input for an error message: JSON-escaped (so CR, LF and NUL stay visible and
 * cannot forge log lines) and cut to a readable length.
 */
export function quoteInput(value: unknown, maxLength = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return JSON.stringify(cut) + (text.length > maxLength ? ` (${text.length} characters)` : '');
}
