/**
 * ky's transport: a `fetch` built on undici's dispatcher API (`agent.request`) over the
 * provider's keep-alive Agent. Node's WHATWG fetch spends most of a provider GET's CPU on
 * machinery a JSON GET does not need (web streams, per-request AbortSignals, Request clones);
 * this keeps ky's retries, timeouts, hooks and errors and drops that cost.
 *
 * fetch semantics that the rest of the client relies on are kept: `redirect: 'error'` refuses a
 * 3xx with fetch's own TypeError, an aborted signal rejects with the signal's reason, and network
 * failures reject with `TypeError('fetch failed', { cause })`.
 *
 * A request body (a write's JSON) is read from the Request once and sent as bytes.
 *
 * The response body is buffered, up to `maxBodyBytes`, and handed over through `bufferedBody(response)`
 * instead of as the Response's stream: wrapping a few hundred bytes in a web ReadableStream and
 * reading it back through a stream reader cost more CPU and memory than the rest of the response.
 * So a Response made here has no body stream (`response.body` is null); read it with
 * `bufferedBody`. A body over the cap is dropped (`bufferedBody` gives null), which the caller
 * treats as "no JSON body".
 */
import type { Agent } from 'undici';

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Bodies of the Responses made here: the bytes, or null when the body passed the cap. */
const bodies = new WeakMap<Response, Buffer | null>();

/**
 * The body that `createDispatcherFetch` read for this response: its bytes, null when it was over
 * the cap, or undefined for a Response this transport did not make.
 */
export function bufferedBody(response: Response): Buffer | null | undefined {
  return bodies.get(response);
}

export function createDispatcherFetch(agent: Agent, maxBodyBytes: number): typeof fetch {
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const signal = init?.signal ?? request.signal;
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    let response: Awaited<ReturnType<Agent['request']>>;
    try {
      const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
      response = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method,
        headers,
        body,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError('fetch failed', { cause: error });
    }
    const { statusCode, body } = response;
    if (statusCode >= 300 && statusCode < 400 && request.redirect === 'error') {
      discard(body);
      throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    }
    let buffered: Buffer | null;
    try {
      buffered = await readBounded(body, maxBodyBytes);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError('fetch failed', { cause: error });
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
      else if (value !== undefined) responseHeaders.set(name, value);
    }
    if (buffered === null) responseHeaders.delete('content-length');
    const result = new Response(null, { status: statusCode, headers: responseHeaders });
    bodies.set(result, NULL_BODY_STATUSES.has(statusCode) ? Buffer.alloc(0) : buffered);
    return result;
  };
}

type ResponseBody = Awaited<ReturnType<Agent['request']>>['body'];

/**
 * Drops a body without reading it. undici's body stream emits an `error` (request aborted) when
 * destroyed before its end; without a listener that error would be thrown as uncaught.
 */
function discard(body: ResponseBody): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** The whole body, or null (and the stream destroyed) once it passes `maxBytes`. */
function readBounded(body: ResponseBody, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        body.off('data', onData).off('end', onEnd).off('error', reject);
        discard(body);
        resolve(null);
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    body.on('data', onData).once('end', onEnd).once('error', reject);
  });
}
