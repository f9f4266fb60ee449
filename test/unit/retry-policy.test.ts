/**
 * The retry policies as the provider HTTP core hands them to ky: which failures each retries,
 * how long it backs off, and where a Retry-After ends the call instead of being waited out.
 */
import { HTTPError, TimeoutError, type NormalizedOptions, type RetryOptions } from 'ky';
import { describe, expect, it } from 'vitest';
import { ProviderRateLimitedError } from '../../src/domain/errors.js';
import { createRetryPolicies } from '../../src/providers/http/retry-policy.js';
import type { ProviderHttpSettings } from '../../src/providers/http/types.js';
import { wooshPayIdentity } from '../../src/providers/wooshpay/identity.js';

/** The three settings the policies read; the rest of ProviderHttpSettings plays no part. */
const SETTINGS = {
  maxRetries: 3,
  retryBaseDelayMs: 100,
  retryAfterCapMs: 5000,
} as ProviderHttpSettings;

const policies = createRetryPolicies(SETTINGS);

function httpError(status: number, headers: Record<string, string> = {}): HTTPError {
  const request = new Request('http://127.0.0.1/v1/refunds/re_1');
  return new HTTPError(new Response(null, { status, headers }), request, {} as NormalizedOptions);
}

/** What the policy's shouldRetry says: true/false decide, undefined leaves it to ky's status and timeout rules. */
function shouldRetry(policy: RetryOptions, error: Error): boolean | undefined {
  const decision = policy.shouldRetry?.({ error, retryCount: 1 });
  if (decision instanceof Promise) throw new Error('Expected a synchronous decision');
  return decision;
}

/** A connect failure as undici reports it: a TypeError whose cause is the system error. */
function transportError(code: string, syscall: string): TypeError {
  const cause = Object.assign(new Error(`${syscall} ${code} 127.0.0.1:9`), { code, syscall });
  return new TypeError('fetch failed', { cause });
}

const SERVER_ERRORS = Array.from({ length: 100 }, (_, index) => 500 + index);

describe('every policy', () => {
  it.each(Object.keys(policies))(
    '%s: at most PROVIDER_MAX_RETRIES retries, exponential backoff with jitter, any method',
    (name) => {
      const policy = policies[name as keyof typeof policies];
      expect(policy.limit).toBe(3);
      expect(policy.jitter).toBe(true);
      expect(policy.methods).toEqual(expect.arrayContaining(['get', 'post']));
      const delay = policy.delay as (attempt: number) => number;
      expect([1, 2, 3, 4].map(delay)).toEqual([100, 200, 400, 800]);
    },
  );
});

describe.each(['idempotent-read', 'provider-idempotent'] as const)('%s', (name) => {
  const policy = policies[name];

  it('retries 408, 409, 429 and every 5xx, and attempt timeouts; no other status', () => {
    expect([...(policy.statusCodes ?? [])].sort((a, b) => a - b)).toEqual([408, 409, 429, ...SERVER_ERRORS]);
    expect(policy.retryOnTimeout).toBe(true);
    expect(policy.afterStatusCodes).toEqual([429, 503]);
    expect(policy.maxRetryAfter).toBe(5000);
  });

  it('leaves ordinary failures to those rules', () => {
    expect(shouldRetry(policy, httpError(500))).toBeUndefined();
    expect(shouldRetry(policy, httpError(503, { 'retry-after': '5' }))).toBeUndefined();
    expect(shouldRetry(policy, httpError(429, { 'retry-after': '0' }))).toBeUndefined();
    expect(shouldRetry(policy, transportError('ECONNRESET', 'read'))).toBeUndefined();
    expect(shouldRetry(policy, new TimeoutError(new Request('http://127.0.0.1/')))).toBeUndefined();
  });

  it('ends the call when a Retry-After on 429 or 503 asks for more than PROVIDER_RETRY_AFTER_CAP_MS', () => {
    expect(shouldRetry(policy, httpError(429, { 'retry-after': '6' }))).toBe(false);
    expect(shouldRetry(policy, httpError(503, { 'retry-after': '5.001' }))).toBe(false);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(shouldRetry(policy, httpError(503, { 'retry-after': inAMinute }))).toBe(false);
    // Only 429 and 503 carry a Retry-After worth reading.
    expect(shouldRetry(policy, httpError(500, { 'retry-after': '60' }))).toBeUndefined();
  });

  it('never retries a refusal from a before-attempt hook, a refused redirect or the deadline', () => {
    expect(shouldRetry(policy, new ProviderRateLimitedError(wooshPayIdentity, 'over budget'))).toBe(false);
    expect(shouldRetry(policy, new TypeError('fetch failed', { cause: new Error('unexpected redirect') }))).toBe(false);
    expect(shouldRetry(policy, new DOMException('The operation timed out.', 'TimeoutError'))).toBe(false);
    expect(shouldRetry(policy, new DOMException('This operation was aborted', 'AbortError'))).toBe(false);
  });
});

describe('connect-only', () => {
  const policy = policies['connect-only'];

  it('retries no status and no attempt timeout', () => {
    expect(policy.statusCodes).toEqual([]);
    expect(policy.afterStatusCodes).toEqual([]);
    expect(policy.retryOnTimeout).toBe(false);
  });

  it('retries only failures that prove the request never left: refused, DNS, connect timeout', () => {
    expect(shouldRetry(policy, transportError('ECONNREFUSED', 'connect'))).toBe(true);
    expect(shouldRetry(policy, transportError('ENOTFOUND', 'getaddrinfo'))).toBe(true);
    expect(shouldRetry(policy, transportError('EAI_AGAIN', 'getaddrinfo'))).toBe(true);
    expect(shouldRetry(policy, transportError('UND_ERR_CONNECT_TIMEOUT', 'connect'))).toBe(true);
  });

  it('treats anything else as final: a reset, a timeout, an answer', () => {
    expect(shouldRetry(policy, transportError('ECONNRESET', 'read'))).toBe(false);
    expect(shouldRetry(policy, transportError('EPIPE', 'write'))).toBe(false);
    expect(shouldRetry(policy, new TimeoutError(new Request('http://127.0.0.1/')))).toBe(false);
    expect(shouldRetry(policy, httpError(503))).toBe(false);
    expect(shouldRetry(policy, new DOMException('The operation timed out.', 'TimeoutError'))).toBe(false);
  });
});
