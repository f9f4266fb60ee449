/**
 * The typed errors of the domain. Provider clients translate every transport or provider failure
 * into one of the ProviderError family (keeping the original as `cause`, for the log only); the
 * GraphQL layer turns these into GraphQL errors with a stable `extensions.code`. Messages are
 * written for clients: they never carry a credential, a provider URL or a provider response body.
 */
import type { ProviderIdentity, RefundProviderName } from './refund.js';

/** Every ProviderError code (`extensions.code`). */
export const PROVIDER_ERROR_CODES = [
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_AUTH_FAILED',
  'PROVIDER_BAD_RESPONSE',
  'PROVIDER_NOT_CONFIGURED',
  'PROVIDER_OUTCOME_UNKNOWN',
] as const;

export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

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

/**
 * A refund creation may or may not have reached the provider (a timeout, a reset after sending,
 * a 5xx) and looking it up did not settle it. Repeating the same call with the same idempotency key
 * is safe: the provider's idempotency (or our refund reference) turns it into the same refund.
 */
export class ProviderOutcomeUnknownError extends ProviderError {
  override readonly name = 'ProviderOutcomeUnknownError';
  readonly code = 'PROVIDER_OUTCOME_UNKNOWN';
  /** `why` says what left the outcome open (e.g. "PROVIDER_TIMEOUT twice"); the rest is the same for every provider. */
  constructor(identity: ProviderIdentity, why: string, options?: { cause?: unknown; status?: number }) {
    super(
      identity,
      `the refund may or may not have been made (${why}); repeating the same call with the same idempotencyKey is safe`,
      options,
    );
  }
}

/** Every RequestRefusedError code (`extensions.code`). */
export const REQUEST_REFUSED_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'IDEMPOTENCY_STORE_UNAVAILABLE',
] as const;

export type RequestRefusedCode = (typeof REQUEST_REFUSED_CODES)[number];

/**
 * A request refused before (or instead of) any provider call: missing or invalid credentials, a
 * missing scope, or an idempotency key that cannot be honoured. The message is for the client.
 */
export class RequestRefusedError extends Error {
  override readonly name = 'RequestRefusedError';
  constructor(
    readonly code: RequestRefusedCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** InvalidInputError's code: Apollo's own code for bad input, so both read the same to clients. */
export const INVALID_INPUT_CODE = 'BAD_USER_INPUT';

/** Input a client sent that can never be valid; maps to `BAD_USER_INPUT`. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly code = INVALID_INPUT_CODE;
}

/**
 * Characters that must never reach a message, a log line or a terminal as themselves: controls,
 * format characters (bidi overrides and isolates, zero-width spaces and joiners, BOM, tags), other
 * default-ignorable code points (variation selectors, Hangul fillers), line and paragraph
 * separators, spaces other than U+0020, private-use, unassigned and lone surrogate code points.
 */
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|(?! )\p{Zs}/gu;

/** `\uXXXX` for each UTF-16 unit of the character (a surrogate pair for code points above U+FFFF). */
const escapeCharacter = (character: string): string =>
  Array.from(
    { length: character.length },
    (_, index) => `\\u${character.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`,
  ).join('');

/** Replaces every unsafe character with its `\uXXXX` escape; everything else is kept as it is. */
export function escapeForDisplay(text: string): string {
  return text.replace(UNSAFE_CHARACTER, escapeCharacter);
}

/** How deep `previewJson` descends into client input before writing `…`. */
const PREVIEW_DEPTH = 4;

/**
 * A JSON-like preview of client input of any shape, at most about `budget` characters. Bounded in
 * depth and in work, so input nested 100,000 deep costs no more than flat input and cannot
 * overflow the stack (JSON.stringify would).
 */
function previewJson(value: unknown, budget: number): string {
  const parts: string[] = [];
  let used = 0;
  const push = (text: string): boolean => {
    parts.push(text);
    used += text.length;
    return used <= budget;
  };
  const write = (item: unknown, depth: number): boolean => {
    if (item === null || typeof item === 'boolean' || typeof item === 'number') return push(String(item));
    if (typeof item === 'string') return push(JSON.stringify(item.length > budget ? item.slice(0, budget) : item));
    if (typeof item !== 'object') return push(typeof item === 'undefined' ? 'undefined' : `[${typeof item}]`);
    if (depth >= PREVIEW_DEPTH) return push(Array.isArray(item) ? '[…]' : '{…}');
    const isArray = Array.isArray(item);
    if (!push(isArray ? '[' : '{')) return false;
    let first = true;
    // Lazy iteration: a million-element list stops costing anything once the budget is spent.
    for (const key of isArray ? item.keys() : Object.keys(item)) {
      if (!first && !push(',')) return false;
      first = false;
      if (!isArray && !push(`${JSON.stringify(key)}:`)) return false;
      if (!write((item as Record<string | number, unknown>)[key], depth + 1)) return false;
    }
    return push(isArray ? ']' : '}');
  };
  write(value, 0);
  return parts.join('');
}

/**
 * Quotes client input for an error message: JSON-escaped (so CR, LF and NUL stay visible and
 * cannot forge log lines), with bidi, invisible and other unsafe characters shown as `\uXXXX`
 * (so the text cannot disguise itself in GraphiQL or a terminal), and cut to a readable length.
 * Safe for input of any size and nesting.
 */
export function quoteInput(value: unknown, maxLength = 80): string {
  const text = typeof value === 'string' ? value : previewJson(value, maxLength + 1);
  if (text.length <= maxLength) return escapeForDisplay(JSON.stringify(text));
  // A preview is cut short on purpose, so only a string's full length is worth telling.
  const count = typeof value === 'string' ? ` (${text.length} characters)` : '';
  return escapeForDisplay(JSON.stringify(`${cutAt(text, maxLength)}…`)) + count;
}

/** The first `length` UTF-16 units, without splitting a surrogate pair. */
function cutAt(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
