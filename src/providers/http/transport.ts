/**
 * The wire: one ky instance per provider and retry policy (built once; a call only names its
 * method, its context and its attempt function) over a keep-alive undici Agent (through
 * send-attempt.ts), with redirects refused, bodies bounded to MAX_BODY_BYTES, and the headers every
 * request carries. ky runs the retries; the attempt timeout and the call's deadline are applied
 * on the wire (send-attempt.ts), so ky keeps no timer and no signal of its own per call.
 */
import ky, { type KyInstance, type KyRequest } from 'ky';
import { Agent } from 'undici';
import type { ProviderHttpSettings } from './types.js';
import type { CallAttempts } from './call-attempts.js';
import { createRetryPolicies, type RetryPolicy } from './retry-policy.js';
import { createAttemptSender, type SendAttempt } from './send-attempt.js';

/** The largest response body read from a provider; a refund is a few hundred bytes. */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * ky shallow-copies its `context` option into each request, so the call's mutable state travels
 * one level down: the hooks read `context.call`, the caller's own object.
 */
export type TransportContext = { call: CallAttempts } & Record<string, unknown>;

export interface TransportOptions {
  readonly http: ProviderHttpSettings;
  /** Keep-alive connections to the provider at most (its concurrency limit's bound). */
  readonly connections: number;
  /** Adds the provider's credentials to a request. */
  readonly authorize: (headers: Headers) => void | Promise<void>;
}

export interface Transport {
  /** The ky instance for each retry policy. */
  readonly clients: Readonly<Record<RetryPolicy, KyInstance>>;
  /** One attempt's request and response, over the keep-alive Agent. */
  readonly send: SendAttempt;
  /** Releases the keep-alive connections. */
  close(): Promise<void>;
}

export function createTransport(options: TransportOptions): Transport {
  const { http } = options;
  const agent = new Agent({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    connect: { timeout: http.attemptTimeoutMs },
  });

  // Every header is set here rather than through ky's `headers` option, which ky merges into
  // fresh Headers objects several times per call (defaults, per-call options, the Request).
  const prepare = (request: KyRequest, call: CallAttempts) => {
    request.headers.set('accept', 'application/json');
    request.headers.set('user-agent', 'refunds-subgraph');
    request.headers.set('x-request-id', call.requestId);
    if (call.body !== undefined) request.headers.set('content-type', 'application/json');
    if (call.headers) for (const [name, value] of Object.entries(call.headers)) request.headers.set(name, value);
    return options.authorize(request.headers);
  };

  const policies = createRetryPolicies(http);
  const create = (policy: RetryPolicy) =>
    ky.create({
      // The attempt timeout is send-attempt.ts's; it rejects with ky's TimeoutError, which ky retries.
      timeout: false,
      redirect: 'error',
      retry: policies[policy],
      hooks: {
        // Runs before every attempt: the wait for a concurrency slot and the attempt hooks.
        beforeRequest: [
          (request, requestOptions) => {
            const { call } = requestOptions.context as TransportContext;
            const wait = call.beforeAttempt();
            return wait ? wait.then(() => prepare(request, call)) : prepare(request, call);
          },
        ],
      },
    });
  return {
    clients: {
      'idempotent-read': create('idempotent-read'),
      'provider-idempotent': create('provider-idempotent'),
      'connect-only': create('connect-only'),
    },
    send: createAttemptSender(agent, MAX_BODY_BYTES),
    close: () => agent.close(),
  };
}
