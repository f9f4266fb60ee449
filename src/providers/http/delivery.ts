/**
 * Whether a request may have reached the provider: what a caller of a non-idempotent call (a
 * POST that moves money) needs to know before it repeats the call. Only failures that prove no
 * byte of the request left this process count as "not sent"; anything else may have been received.
 */
import type { ProviderError } from '../../domain/errors.js';

/** undici's connect timeout: the connection (and TLS) was never established. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Failures of these system calls happen before a connection exists. */
const NOT_SENT_SYSCALLS: ReadonlySet<string> = new Set(['connect', 'getaddrinfo']);

/**
 * True when `error` (as the transport threw it, cause chain included) proves the request was never
 * sent: connection refused, DNS failure, connect timeout. A reset, an attempt timeout or an abort
 * is never proof: the request may have been written before it happened.
 */
export function provablyNotSent(error: unknown): boolean {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth += 1) {
    const { code, syscall } = cause as NodeJS.ErrnoException;
    if ((code !== undefined && NOT_SENT_CODES.has(code)) || (syscall !== undefined && NOT_SENT_SYSCALLS.has(syscall))) {
      return true;
    }
    cause = cause.cause;
  }
  return false;
}

/**
 * True when the provider may have acted on a failed call: it may have been received
 * (`mayHaveReachedProvider`) and no 4xx answer says the provider refused it. Timeouts, resets after
 * sending, 5xx answers, redirects and unreadable 2xx answers are all unknown outcomes.
 */
export function outcomeUnknown(error: ProviderError): boolean {
  const refused = error.status !== undefined && error.status >= 400 && error.status < 500;
  return error.mayHaveReachedProvider && !refused;
}
