/** What a provider client asks the HTTP core for, and what it gets back. */
import type { HttpMethod } from '../port.js';
import type { RetryPolicy } from './retry-policy.js';

export interface ProviderRequest<T> {
  readonly method: HttpMethod;
  /** Relative to the base URL, already encoded. */
  readonly path: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Extra headers for this call (e.g. `Idempotency-Key`); credentials are set after them. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Which failed attempts are tried again (retry-policy.ts). Only `idempotent-read` calls count in the breaker. */
  readonly retry: RetryPolicy;
  /** Turns a 2xx JSON body into the caller's value; throws a ProviderError when it cannot. */
  readonly parse: (body: unknown) => T;
  /**
   * True for a 4xx answer that is the provider's own refusal (e.g. 404 "no such payment", 402
   * declined), handed back as data. Never asked for 401, 403, 408 or 429; any 4xx it rejects is
   * PROVIDER_BAD_RESPONSE.
   */
  readonly refusal?: (status: number, body: unknown) => boolean;
}

/** A 2xx answer parsed, or a refusal with the provider's JSON error body (`undefined` if none). */
export type ProviderAnswer<T> =
  | { readonly ok: true; readonly status: number; readonly value: T }
  | { readonly ok: false; readonly status: number; readonly body: unknown };
