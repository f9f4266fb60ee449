/**
 * `POST /graphql` and `GET /graphql` over plain node:http, ahead of express: Apollo Server's own
 * `executeHTTPGraphQLRequest`, with what express's chain gave them and the same answers:
 * - the router secret (401, router-auth.ts);
 * - the JSON body read up to MAX_BODY_BYTES: 413 'The request body is too large' past it, 400 'The
 *   request body is not valid JSON' for a body that is not a JSON object or array (body-parser's
 *   strict mode; an empty body is `{}`), both answered once the request is read off;
 * - the request guards (document size, JSON depth), subscriptions refused with 400 (they are
 *   served over WebSocket), the operation span when tracing is on, and the context (request id,
 *   client-abort signal) from the caller;
 * - CSRF prevention, which Apollo does from the headers passed on;
 * - one `res.end(body)` with Content-Length.
 *
 * `takes(req)` decides from the request line and headers alone, before any byte of the body is
 * read, so whatever it leaves goes to express untouched: other paths and methods, a browser's GET
 * (GraphiQL's page), a POST whose body is not plain `application/json` in UTF-8 or is encoded
 * (gzip…), a GET with a body. Express then answers exactly as it always did.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { context as otelContext, trace, type Context, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { RequestContext } from '../graphql/context.js';
import { cacheControlUntil } from '../graphql/cache-control.js';
import { httpSubscriptionRefusal } from '../ws/refuse-http-subscriptions.js';
import { refundTag, type CachedAnswer, type OperationCache } from './operation-cache.js';
import { checkRequestGuards, guardRefusalBody } from './request-guards.js';
import { createRouterSecretCheck, ROUTER_AUTH_REFUSAL } from './router-auth.js';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlHttpOptions {
  readonly apollo: ApolloServer<RequestContext>;
  /** Largest request body, in bytes (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  /** Largest GraphQL document, in UTF-8 bytes (MAX_DOCUMENT_BYTES). */
  readonly maxDocumentBytes: number;
  /** The parser's token limit, for refusing subscriptions (MAX_TOKENS). */
  readonly maxTokens: number;
  /** When set, requests must carry `Router-Authorization` with this value. */
  readonly routerSecret: string | null;
  /** The operation's context; `res` closing before it finished is the client going away. */
  readonly context: (req: IncomingMessage, res: ServerResponse) => Promise<RequestContext>;
  /** Starts the operation span (tracing on only) and returns the context to execute in. */
  readonly startSpan?: (req: IncomingMessage, res: ServerResponse, path: string) => Context;
  readonly logger: Logger;
  /** Identical reads answered from memory (operation-cache.ts); absent: every operation runs. */
  readonly operationCache?: OperationCache;
  /** Told of every answer the operation cache gave (the operation's log line and metrics). */
  readonly onCachedAnswer?: (req: IncomingMessage, answer: CachedAnswer, durationMs: number) => void;
}

export interface GraphqlHttpHandler {
  /** Whether this handler answers the request (decided from its headers; express gets the rest). */
  takes(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function createGraphqlHttpHandler(options: GraphqlHttpOptions): GraphqlHttpHandler {
  const secretMatches = options.routerSecret === null ? null : createRouterSecretCheck(options.routerSecret);

  const run = (req: IncomingMessage, res: ServerResponse, body: unknown, url: string, cacheKey: string | null) => {
    const queryAt = url.indexOf('?');
    const hashAt = url.indexOf('#');
    const search = queryAt === -1 ? '' : url.slice(queryAt, hashAt === -1 ? undefined : hashAt);
    const query = search === '' ? undefined : (parseQueryString(search.slice(1)) as Record<string, unknown>);
    const refusal = checkRequestGuards(body, query, { maxDocumentBytes: options.maxDocumentBytes });
    if (refusal !== null) return sendJson(res, refusal.status, guardRefusalBody(refusal));
    for (const document of documentsOf(body, query)) {
      const subscription = httpSubscriptionRefusal(document, options.maxTokens);
      if (subscription !== null) return sendJson(res, 400, subscription);
    }
    const go = () =>
      execute(options, req, res, body, search, cacheKey).catch((error: unknown) => {
        options.logger.error({ err: error }, 'Unhandled error in an HTTP request');
        if (res.headersSent) return void res.destroy();
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      });
    if (options.startSpan) return void otelContext.with(options.startSpan(req, res, GRAPHQL_PATH), go);
    void go();
  };

  return {
    takes,
    handle(req, res) {
      const url = req.url ?? '';
      if (secretMatches !== null && !secretMatches(req.headers['router-authorization'])) {
        res.setHeader('WWW-Authenticate', ROUTER_AUTH_REFUSAL.headers['WWW-Authenticate']);
        return sendJson(res, ROUTER_AUTH_REFUSAL.status, ROUTER_AUTH_REFUSAL.body);
      }
      if (req.method !== 'POST') return run(req, res, undefined, url, null);
      const started = performance.now();
      readBodyText(req, options.maxBodyBytes, (text) => {
        // A query string is checked on every request (it may hold a subscription): never from memory.
        const cacheable = typeof text === 'string' && url === GRAPHQL_PATH;
        const cacheKey = cacheable ? (options.operationCache?.keyOf(req, text) ?? null) : null;
        if (cacheKey !== null && answerFromCache(options, req, res, cacheKey, started)) return;
        const outcome = typeof text === 'string' ? parseStrictJson(text) : text;
        if (outcome.ok) return run(req, res, outcome.value, url, cacheKey);
        sendJson(res, outcome.status, {
          errors: [
            {
              message: outcome.status === 413 ? 'The request body is too large' : 'The request body is not valid JSON',
              extensions: { code: 'BAD_REQUEST' },
            },
          ],
        });
      });
    },
  };
}

/** Whether the lean path answers this request (from its method, path and headers only). */
function takes(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  if (!(url === GRAPHQL_PATH || url.startsWith(`${GRAPHQL_PATH}?`))) return false;
  const { headers } = req;
  if (req.method === 'POST') {
    return isPlainUtf8Json(headers['content-type']) && isIdentity(headers['content-encoding']) && hasBody(req);
  }
  if (req.method === 'GET') {
    // A client that may prefer HTML (a browser) is GraphiQL's to answer; a GET with a body is
    // left to the body parser, which the guards then check.
    const accept = headers.accept;
    return !hasBody(req) && !accept?.toLowerCase().includes('text/');
  }
  return false;
}

/** Answers from the operation cache when it holds this request's answer; false when it does not. */
function answerFromCache(
  options: GraphqlHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  key: string,
  started: number,
): boolean {
  const now = Date.now();
  const answer = options.operationCache?.get(key, now);
  if (answer === undefined) return false;
  if (options.startSpan) nameHitSpan(trace.getSpan(options.startSpan(req, res, GRAPHQL_PATH)), answer);
  res.writeHead(200, {
    ...answer.headers,
    'cache-control': cacheControlUntil(answer.freshUntil, now),
    'content-length': Buffer.byteLength(answer.body),
  });
  res.end(answer.body);
  options.onCachedAnswer?.(req, answer, performance.now() - started);
  return true;
}

/** The operation span of a hit, named as the operation's own was (`query RefundById`), marked as a hit. */
function nameHitSpan(span: Span | undefined, answer: CachedAnswer): void {
  if (!span) return;
  const { operationType, operationName } = answer.logged;
  const type = typeof operationType === 'string' ? operationType : 'query';
  span.updateName(typeof operationName === 'string' ? `${type} ${operationName}` : type);
  span.setAttribute('graphql.operation.type', type);
  if (typeof operationName === 'string') span.setAttribute('graphql.operation.name', operationName);
  span.setAttribute('refunds.operation_cache', 'hit');
}

/** Apollo's own HTTP execution of one request, answered with one write when the body is complete. */
async function execute(
  options: GraphqlHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  search: string,
  cacheKey: string | null,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search, body };
  const generation = options.operationCache?.generation() ?? 0;
  let context: RequestContext | undefined;
  const response = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest,
    context: async () => (context = await options.context(req, res)),
  });
  const outgoing: OutgoingHttpHeaders = {};
  for (const [name, value] of response.headers) outgoing[name] = value;
  const status = response.status ?? 200;
  if (response.body.kind === 'complete') {
    const text = response.body.string;
    if (cacheKey !== null && status === 200 && context !== undefined) {
      keepAnswer(options.operationCache, cacheKey, text, outgoing, context, generation);
    }
    outgoing['content-length'] = Buffer.byteLength(text);
    res.writeHead(status, outgoing);
    res.end(text);
    return;
  }
  res.writeHead(status, outgoing);
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Keeps an answer the router could cache (`public`), with what the hit's log line repeats. */
function keepAnswer(
  cache: OperationCache | undefined,
  key: string,
  body: string,
  outgoing: OutgoingHttpHeaders,
  context: RequestContext,
  generation: number,
): void {
  const cacheControl = outgoing['cache-control'];
  if (cache === undefined || typeof cacheControl !== 'string' || !cacheControl.startsWith('public')) return;
  if (context.debug || context.logged.fields === null) return;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(outgoing)) {
    if (name !== 'cache-control' && typeof value === 'string') headers[name] = value;
  }
  const { served } = context;
  const tags = served.untagged ? null : [...new Set(served.refs.map(refundTag))];
  const answer = { body, headers, freshUntil: context.freshness.until, logged: context.logged.fields, tags };
  cache.set(key, answer, generation, Date.now());
}

/** The GraphQL documents a request carries: in its body (one, or a batch) and in its query string. */
function documentsOf(body: unknown, query: Readonly<Record<string, unknown>> | undefined): unknown[] {
  const entries = Array.isArray(body) ? (body as unknown[]) : [body];
  const documents = entries.map((entry) =>
    typeof entry === 'object' && entry !== null ? (entry as { query?: unknown }).query : undefined,
  );
  documents.push(query?.query);
  return documents;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** `application/json`, with no parameter but an optional UTF-8 charset (what body-parser reads as is). */
function isPlainUtf8Json(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...parameters] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => /^\s*charset\s*=\s*(?:utf-8|"utf-8")\s*$/i.test(parameter));
}

function isIdentity(contentEncoding: string | undefined): boolean {
  return contentEncoding === undefined || contentEncoding.toLowerCase() === 'identity';
}

/** Whether the request carries a body (type-is's `hasBody`: a Transfer-Encoding or a numeric Content-Length). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && !Number.isNaN(Number(length)));
}

type BodyOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: 400 | 413 };
type BodyRefusal = Extract<BodyOutcome, { ok: false }>;

/**
 * Reads the body as UTF-8 text, a leading byte-order mark dropped. A body over `limit` bytes
 * (declared or received) is refused with 413; the request is still read off before the answer, so
 * the connection stays usable.
 */
function readBodyText(req: IncomingMessage, limit: number, done: (outcome: string | BodyRefusal) => void): void {
  const declared = Number(req.headers['content-length']);
  let refused: BodyRefusal | null = Number.isFinite(declared) && declared > limit ? { ok: false, status: 413 } : null;
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const settle = (outcome: string | BodyRefusal) => {
    if (settled) return;
    settled = true;
    req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    done(outcome);
  };
  const onData = (chunk: Buffer) => {
    if (refused !== null) return;
    received += chunk.length;
    if (received > limit) {
      refused = { ok: false, status: 413 };
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    if (refused !== null) return settle(refused);
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)).toString('utf8');
    settle(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  };
  // The client went away mid-body (closed before the end): a 400 nobody reads, as body-parser's.
  const onGone = () => settle({ ok: false, status: 400 });
  req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
}

/** Parses a body as body-parser's strict JSON does: an empty body is `{}`, anything but an object or array is refused. */
function parseStrictJson(text: string): BodyOutcome {
  if (text.length === 0) return { ok: true, value: {} };
  if (!text.startsWith('{') && !text.startsWith('[')) {
    // The first character that is not JSON whitespace (space, tab, line feed, carriage return).
    const first = /^[ \t\n\r]*([^ \t\n\r]|$)/.exec(text)?.[1];
    if (first !== '{' && first !== '[') return { ok: false, status: 400 };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400 };
  }
}
