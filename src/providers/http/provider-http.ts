/**
 * One configured HTTP client per provider: a ky instance over a keep-alive undici Agent, with the
 * process-wide concurrency cap, per-attempt timeouts, an overall deadline per refund, retries for
 * GETs only (network errors, 408, 409, 429, 5xx; full-jitter exponential backoff; Retry-After
 * honoured up to a cap), redirects refused, bounded bodies, and a circuit breaker. Every call is
 * reported to the observers as a ProviderCallRecord.
 */
import ky, { HTTPError, type KyInstance } from 'ky';
import pLimit from 'p-limit';
import { Agent } from 'undici';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config.js';
import { ProviderAuthFailedError, ProviderBadResponseError, ProviderError } from '../../domain/errors.js';
import type { ProviderIdentity, RefundProviderName } from '../../domain/refund.js';
import type { BreakerState, ProviderCallContext, ProviderCallObserver, ProviderCallRecord } from '../provider.js';
import { createProviderBreaker } from './circuit-breaker.js';
import { createDispatcherFetch } from './dispatcher-fetch.js';
import { SchemaMismatchError } from './parse-body.js';
import { readJsonBody } from './read-body.js';
import { retryAfterMs } from './retry-after.js';
import {
  ProviderCallCancelledError,
  isDeadlineAbort,
  isRedirectRefusal,
  translateTransportError,
} from './translate-error.js';

/** The largest response body read from a provider; a refund is a few hundred bytes. */
const MAX_BODY_BYTES = 256 * 1024;

const RETRY_STATUS_CODES = [408, 409, 429, ...Array.from({ length: 100 }, (_, index) => 500 + index)];

export interface ProviderHttpOptions {
  readonly provider: ProviderIdentity;
  /** The base URL as configured; paths are appended to it. */
  readonly baseUrl: string;
  readonly http: AppConfig['http'];
  readonly breaker: AppConfig['breaker'];
  /** Adds the provider's credentials to a request. */
  readonly authorize: (headers: Headers) => void | Promise<void>;
  /** The setting an operator should check when the provider answers 401/403. */
  readonly credentialSettings: string;
  /** True when a 404 body is the provider's own "no such refund" (not, say, a proxy's HTML page). */
  readonly isNotFoundBody: (body: unknown) => boolean;
  /** The provider's machine-readable error code from an error body, for the log only. */
  readonly errorCodeOf: (body: unknown) => string | undefined;
  readonly logger: Logger;
  readonly observe: ProviderCallObserver;
  readonly onBreakerStateChange?: (provider: RefundProviderName, state: BreakerState) => void;
}

export interface ProviderHttp {
  /**
   * GETs `path` (relative to the base URL, already encoded) and hands the JSON body to `parse`.
   * Resolves null on the provider's "not found"; rejects with a ProviderError otherwise.
   */
  getResource<T>(path: string, context: ProviderCallContext, parse: (body: unknown) => T): Promise<T | null>;
  breakerState(): BreakerState;
  close(): Promise<void>;
}

/**
 * The URL of a provider resource: the configured base URL (no trailing slash) + `/` + `path`
 * (relative, already encoded by the provider's client). This is the only place a provider URL is
 * built, so the property test of the id allowlist checks exactly what goes on the wire.
 */
export function providerUrl(baseUrl: string, path: string): URL {
  return new URL(`${baseUrl}/${path}`);
}

/** Per-call bookkeeping, shared with ky's hooks. */
interface CallState {
  attempts: number;
  status: number | null;
}

/**
 * ky shallow-copies its `context` option into each request, so the mutable state travels one
 * level down: hooks write to `context.call`, which is the caller's own object. The request id
 * travels here too, for the beforeRequest hook that sets the headers.
 */
type CallContext = { call: CallState; requestId: string } & Record<string, unknown>;

export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const { provider: identity, http, logger } = options;
  const provider = identity.name;
  const agent = new Agent({
    connections: http.concurrency,
    keepAliveTimeout: 30_000,
    connect: { timeout: http.attemptTimeoutMs },
  });
  const limit = pLimit(http.concurrency);
  const breaker = createProviderBreaker(identity, options.breaker, logger, options.onBreakerStateChange);
  const client = createKy(options, agent);

  /** The signals of one refund: its own deadline, and the client's request (gone = cancelled). */
  interface CallSignals {
    /** Aborted when the deadline passes or the client goes away. */
    readonly any: AbortSignal;
    readonly client: AbortSignal | undefined;
    readonly deadlinePassed: () => boolean;
  }

  /** A client that went away cancelled the call; the deadline firing is a timeout. */
  function cancellation(signals: CallSignals): ProviderCallCancelledError | null {
    return signals.client?.aborted && !signals.deadlinePassed()
      ? new ProviderCallCancelledError(identity, 'the client went away; the call was cancelled', {
          cause: signals.client.reason,
        })
      : null;
  }

  /**
   * One AbortController per refund, aborted by the deadline timer or by the client going away.
   * Both are released as soon as the call settles (unlike AbortSignal.timeout/any, whose timer
   * keeps every call's signals alive for the whole deadline), so memory follows the calls in flight.
   */
  function startSignals(client: AbortSignal | undefined): CallSignals & { release(): void } {
    const controller = new AbortController();
    let deadlinePassed = false;
    const timer = setTimeout(() => {
      deadlinePassed = true;
      controller.abort(new DOMException(`The ${http.deadlineMs} ms deadline passed`, 'TimeoutError'));
    }, http.deadlineMs);
    const onClientAbort = () => controller.abort(client?.reason);
    if (client?.aborted) onClientAbort();
    else client?.addEventListener('abort', onClientAbort, { once: true });
    return {
      any: controller.signal,
      client,
      deadlinePassed: () => deadlinePassed,
      release() {
        clearTimeout(timer);
        client?.removeEventListener('abort', onClientAbort);
      },
    };
  }

  async function call<T>(
    url: URL,
    context: ProviderCallContext,
    state: CallState,
    parse: (body: unknown) => T,
    signals: CallSignals,
  ): Promise<T | null> {
    // Still queued when the deadline passed or the client left: no request at all.
    if (signals.any.aborted) throw signals.any.reason;
    state.attempts = 1;
    try {
      const callContext: CallContext = { call: state, requestId: context.requestId };
      const response = await client.get(url, { signal: signals.any, context: callContext });
      state.status = response.status;
      const body = await readJsonBody(response, MAX_BODY_BYTES);
      if (body === undefined) {
        throw new ProviderBadResponseError(
          identity,
          `the provider answered HTTP ${response.status} without a JSON body`,
          {
            status: response.status,
          },
        );
      }
      return parse(body);
    } catch (error) {
      const cancelled = cancellation(signals);
      if (cancelled) throw cancelled;
      let providerErrorCode: string | undefined;
      if (error instanceof HTTPError) {
        state.status = error.response.status;
        const body = await readJsonBody(error.response, MAX_BODY_BYTES).catch(() => undefined);
        if (state.status === 404 && options.isNotFoundBody(body)) return null;
        providerErrorCode = options.errorCodeOf(body);
      }
      const translated = translateTransportError(identity, error, { attempts: state.attempts, ...http });
      logFailure(translated, providerErrorCode, context.requestId);
      throw translated;
    }
  }

  function logFailure(error: ProviderError, providerErrorCode: string | undefined, requestId: string): void {
    const fields = {
      requestId,
      provider,
      code: error.code,
      status: error.status,
      providerErrorCode: safeCode(providerErrorCode),
    };
    if (error instanceof ProviderAuthFailedError) {
      logger.error(fields, `${provider} refused our credentials: check ${options.credentialSettings}`);
    } else {
      logger.warn({ ...fields, err: describeCause(error) }, error.message);
    }
  }

  return {
    async getResource(path, context, parse) {
      const started = performance.now();
      const url = providerUrl(options.baseUrl, path);
      const record = (
        outcome: ProviderCallRecord['outcome'],
        status: number | null,
        attempts: number,
        errorCode?: string,
      ) => {
        const entry: ProviderCallRecord = {
          provider,
          method: 'GET',
          path: url.pathname,
          status,
          attempts,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          outcome,
          ...(errorCode ? { errorCode } : {}),
        };
        options.observe(entry);
        context.observe?.(entry);
      };
      const state: CallState = { attempts: 0, status: null };
      // The deadline starts now, so the wait for a free slot under PROVIDER_CONCURRENCY counts too.
      const signals = startSignals(context.signal);
      try {
        const result = await breaker.fire(() =>
          rejectOnAbort(
            signals.any,
            limit(() => call(url, context, state, parse, signals)),
          ),
        );
        record(result === null ? 'not_found' : 'ok', state.status, state.attempts);
        return result;
      } catch (error) {
        if (breaker.isShortCircuit(error)) {
          const shortCircuited = breaker.toError(error);
          record('short_circuited', null, 0, shortCircuited.code);
          throw shortCircuited;
        }
        const failure =
          error instanceof ProviderError
            ? error
            : (cancellation(signals) ??
              translateTransportError(identity, error, { attempts: state.attempts, ...http }));
        if (failure instanceof ProviderCallCancelledError) {
          logger.debug({ requestId: context.requestId, provider }, `${provider} call cancelled: the client went away`);
        } else if (state.attempts === 0) {
          logFailure(failure, undefined, context.requestId);
        }
        record('error', state.status, state.attempts, failure.code);
        throw failure;
      } finally {
        signals.release();
      }
    },
    breakerState: () => breaker.state(),
    async close() {
      breaker.shutdown();
      await agent.close();
    },
  };
}

function createKy(options: ProviderHttpOptions, agent: Agent): KyInstance {
  const { http } = options;
  return ky.create({
    timeout: http.attemptTimeoutMs,
    redirect: 'error',
    // Keep-alive connections, capped per provider, without the WHATWG fetch overhead.
    fetch: createDispatcherFetch(agent, MAX_BODY_BYTES),
    retry: {
      limit: http.maxRetries,
      methods: ['get'],
      statusCodes: RETRY_STATUS_CODES,
      afterStatusCodes: [429, 503],
      maxRetryAfter: http.retryAfterCapMs,
      delay: (attempt) => http.retryBaseDelayMs * 2 ** (attempt - 1),
      jitter: true,
      retryOnTimeout: true,
      shouldRetry: ({ error }) => {
        if (isRedirectRefusal(error) || isDeadlineAbort(error)) return false;
        if (error instanceof HTTPError && (error.response.status === 429 || error.response.status === 503)) {
          // ky would wait the full cap for a longer Retry-After; past the cap we fail fast instead.
          const wait = retryAfterMs(error.response.headers.get('retry-after'));
          if (wait !== null && wait > http.retryAfterCapMs) return false;
        }
        return undefined;
      },
    },
    hooks: {
      // Every header is set here rather than through ky's `headers` option, which ky merges into
      // fresh Headers objects several times per call (defaults, per-call options, the Request).
      beforeRequest: [
        (request, requestOptions) => {
          request.headers.set('accept', 'application/json');
          request.headers.set('user-agent', 'refunds-subgraph');
          request.headers.set('x-request-id', (requestOptions.context as CallContext).requestId);
          return options.authorize(request.headers);
        },
      ],
      beforeRetry: [
        ({ options: requestOptions, retryCount }) => {
          (requestOptions.context as CallContext).call.attempts = retryCount + 1;
        },
      ],
    },
  });
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts. The promise
 * is left to finish on its own (a queued call sees the aborted signal and makes no request).
 */
function rejectOnAbort<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/** Provider error codes are logged only when they look like codes, never free text. */
function safeCode(code: string | undefined): string | undefined {
  return code !== undefined && /^[a-z][a-z0-9_]{0,63}$/.test(code) ? code : undefined;
}

/**
 * The cause's class and code for the log (and, for a schema mismatch, the failing field paths):
 * enough to diagnose, never a URL, a message of a library's or a body.
 */
function describeCause(error: ProviderError): { type: string; code?: string; fields?: readonly string[] } | undefined {
  let cause: unknown = error.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  if (!(cause instanceof Error)) return undefined;
  if (cause instanceof SchemaMismatchError) return { type: cause.name, fields: cause.fields };
  const code = (cause as NodeJS.ErrnoException).code;
  return { type: cause.name, ...(typeof code === 'string' ? { code } : {}) };
}
