/**
 * One attempt on the wire: ky's transport, built on undici's dispatcher API (`agent.dispatch` with
 * a handler) over the provider's keep-alive Agent. Node's WHATWG fetch, and undici's own
 * `request()` with its body stream, spend more CPU on a provider GET than the rest of the call:
 * this sends the method, path, headers and body it is given and buffers the answer, and nothing
 * else.
 *
 * What the rest of the client relies on, as fetch and ky would give it:
 * - a 3xx is refused with fetch's own `TypeError('fetch failed')` whose cause says "redirect";
 * - the call's signal (its deadline, or the client leaving) aborts the attempt and rejects with the
 *   signal's reason; an attempt with no answer within `timeoutMs` is aborted and rejects with ky's
 *   TimeoutError (which ky retries as it retries its own);
 * - network failures reject with `TypeError('fetch failed', { cause })`.
 *
 * The response body is buffered, up to `maxBodyBytes`, and handed over through
 * `bufferedBody(response)` instead of as the Response's stream: a Response made here has no body
 * stream (`response.body` is null). A body over the cap is dropped (`bufferedBody` gives null),
 * which the caller treats as "no JSON body". The Response carries only the headers ky and this
 * core read (the rate-limit ones); nothing else of it leaves the HTTP core.
 */
import { TimeoutError } from 'ky';
import type { Dispatcher } from 'undici';
import type { AbortLike } from './call-signals.js';

/** Bodies of the Responses made here: the bytes, or null when the body passed the cap. */
const bodies = new WeakMap<Response, Buffer | null>();

/**
 * The body read for this response: its bytes, null when it was over the cap, or undefined for a
 * Response this transport did not make.
 */
export function bufferedBody(response: Response): Buffer | null | undefined {
  return bodies.get(response);
}

/** Response headers kept on the Response: ky reads these for Retry-After, and so does retry-policy.ts. */
const KEPT_HEADERS: ReadonlySet<string> = new Set([
  'retry-after',
  'ratelimit-reset',
  'x-ratelimit-retry-after',
  'x-ratelimit-reset',
  'x-rate-limit-reset',
]);
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

export interface Attempt {
  /** ky's Request for this attempt: named by the timeout error, never read for the wire. */
  readonly request: Request;
  /** `http://host:port` of the provider. */
  readonly origin: string;
  /** The path with its query string, already encoded. */
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** The call's signal: its deadline or its client going away. */
  readonly signal: AbortLike;
  readonly timeoutMs: number;
}

export type SendAttempt = (attempt: Attempt) => Promise<Response>;

export function createAttemptSender(dispatcher: Dispatcher, maxBodyBytes: number): SendAttempt {
  return (attempt) => {
    if (attempt.signal.aborted) return Promise.reject(attempt.signal.reason!);
    return new Promise<Response>((resolve, reject) => {
      const handler = new AttemptHandler(attempt, maxBodyBytes, resolve, reject);
      dispatcher.dispatch(
        {
          origin: attempt.origin,
          path: attempt.path,
          method: attempt.method,
          headers: attempt.headers,
          body: attempt.body ?? null,
        },
        handler,
      );
    });
  };
}

/**
 * undici's (legacy, natively supported) dispatch handler for one attempt: collects the status,
 * the kept headers and the body; settles the promise once.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  readonly #attempt: Attempt;
  readonly #maxBodyBytes: number;
  readonly #resolve: (response: Response) => void;
  readonly #reject: (reason: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  readonly #onAbort: () => void;
  #abort: ((reason?: Error) => void) | null = null;
  /** Why the attempt was stopped before it had a connection, applied once it gets one. */
  #pendingAbort: Error | null = null;
  #settled = false;
  #status = 0;
  #headers: Record<string, string> | null = null;
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    attempt: Attempt,
    maxBodyBytes: number,
    resolve: (response: Response) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#attempt = attempt;
    this.#maxBodyBytes = maxBodyBytes;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#onAbort = () => this.#stop(attempt.signal.reason!);
    attempt.signal.addEventListener('abort', this.#onAbort, { once: true });
    this.#timer = setTimeout(() => this.#stop(new TimeoutError(attempt.request)), attempt.timeoutMs);
  }

  /** Settles with `reason` and aborts the request (now, or as soon as it has a connection). */
  #stop(reason: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(reason);
    if (this.#abort) this.#abort(reason);
    else this.#pendingAbort = reason;
  }

  #settle(): void {
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#attempt.signal.removeEventListener('abort', this.#onAbort);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    if (this.#pendingAbort) abort(this.#pendingAbort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode >= 300 && statusCode < 400) {
      this.#stop(new TypeError('fetch failed', { cause: new Error('unexpected redirect') }));
      return false;
    }
    this.#status = statusCode;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!.toString('latin1').toLowerCase();
      if (KEPT_HEADERS.has(name)) (this.#headers ??= {})[name] = rawHeaders[i + 1]!.toString('latin1');
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#settled) return false;
    this.#size += chunk.length;
    if (this.#size > this.#maxBodyBytes) {
      // Over the cap: answer without a body and stop reading.
      this.#respond(null);
      this.#abort?.(new RangeError(`response body over ${this.#maxBodyBytes} bytes`));
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    const chunks = this.#chunks;
    this.#respond(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#size));
  }

  onError(error: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(new TypeError('fetch failed', { cause: error }));
  }

  #respond(body: Buffer | null): void {
    if (this.#settled) return;
    this.#settle();
    let response: Response;
    try {
      response = new Response(
        null,
        this.#headers ? { status: this.#status, headers: this.#headers } : { status: this.#status },
      );
    } catch (error) {
      // A status fetch cannot represent (outside 200-599): as fetch would, a network error.
      this.#reject(new TypeError('fetch failed', { cause: error }));
      return;
    }
    bodies.set(response, NULL_BODY_STATUSES.has(this.#status) ? Buffer.alloc(0) : body);
    this.#resolve(response);
  }
}
