/**
 * The wire: one ky instance per provider over a keep-alive undici Agent (through
 * dispatcher-fetch.ts), with the per-attempt timeout, redirects refused, bodies bounded to
 * MAX_PROVIDER_RESPONSE_BYTES, and the headers every request carries. Retries are chosen per call (see
 * retry-policy.ts); ky runs them.
 */
import ky, { type KyInstance, type KyRequest } from 'ky';
import { Agent } from 'undici';
import type { ProviderHttpSettings } from './types.js';
import type { CallAttempts } from './call-attempts.js';
import { createDispatcherFetch } from './dispatcher-fetch.js';

/** The largest response body read from a provider; a refund is a few hundred bytes. */
const MAX_PROVIDER_RESPONSE_BYTES = 256 * 1024;

/**
 * ky shallow-copies its `context` option into each request, so the call's mutable state travels
 * one level down: the hooks read `context.call`, the caller's own object.
 */
export type TransportContext = { call: CallAttempts } & Record<string, unknown>;

export interface TransportOptions {
  readonly http: ProviderHttpSettings;
  /** Adds the provider's credentials to a request. */
  readonly authorize: (headers: Headers) => void | Promise<void>;
}

export interface Transport {
  readonly client: KyInstance;
  /** One attempt's request and response, over the keep-alive Agent. */
  readonly fetch: typeof fetch;
  /** Releases the keep-alive connections. */
  close(): Promise<void>;
}

export function createTransport(options: TransportOptions): Transport {
  const { http } = options;
  const agent = new Agent({
    connections: http.concurrency,
    keepAliveTimeout: 30_000,
    connect: { timeout: http.attemptTimeoutMs },
  });
  // Keep-alive connections, capped per provider, without the WHATWG fetch overhead.
  const fetch = createDispatcherFetch(agent, MAX_PROVIDER_RESPONSE_BYTES);

  // Every header is set here rather than through ky's `headers` option, which ky merges into
  // fresh Headers objects several times per call (defaults, per-call options, the Request).
  const prepare = (request: KyRequest, call: CallAttempts) => {
    request.headers.set('accept', 'application/json');
    request.headers.set('user-agent', 'refunds-subgraph');
    request.headers.set('x-request-id', call.requestId);
    if (call.headers) for (const [name, value] of Object.entries(call.headers)) request.headers.set(name, value);
    return options.authorize(request.headers);
  };

  const client = ky.create({
    timeout: http.attemptTimeoutMs,
    redirect: 'error',
    fetch,
    hooks: {
      // Runs before every attempt, outside ky's attempt timeout.
      beforeRequest: [
        (request, requestOptions) => {
          const { call } = requestOptions.context as TransportContext;
          const wait = call.beforeAttempt();
          return wait ? wait.then(() => prepare(request, call)) : prepare(request, call);
        },
      ],
    },
  });
  return { client, fetch, close: () => agent.close() };
}
