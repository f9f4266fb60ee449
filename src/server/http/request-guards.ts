/**
 * HTTP-level guards in front of Apollo Server, for what must be refused before any parsing or
 * caching happens:
 * - the GraphQL document's size (comments and whitespace included), so no client can make the
 *   parser or the document caches hold megabytes per request;
 * - the nesting depth of the JSON the request carries (the body, and a GET's `variables` and
 *   `extensions`), so no input can overflow the stack of anything that walks it later.
 * Refusals are GraphQL-shaped JSON with `extensions.code: BAD_REQUEST`.
 */
import type { RequestHandler } from 'express';

/** How deep JSON in a request may nest. Real requests nest 4 levels at most (representations). */
export const MAX_JSON_DEPTH = 64;

export interface RequestGuardOptions {
  /** Largest GraphQL document, in UTF-8 bytes (MAX_DOCUMENT_BYTES). */
  readonly maxDocumentBytes: number;
  readonly maxJsonDepth?: number;
}

/** Whether `value` nests arrays and objects deeper than `limit`. Iterative: any depth is safe. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** A refusal: the HTTP status and the message of the GraphQL-shaped answer (`extensions.code: BAD_REQUEST`). */
export interface GuardRefusal {
  readonly status: 400 | 413;
  readonly message: string;
}

/**
 * The guards over a parsed request: its JSON body and its query-string parameters (as
 * `node:querystring` parses them; a repeated parameter is an array and is not a document). Null
 * when the request may go on.
 */
export function checkRequestGuards(
  body: unknown,
  query: Readonly<Record<string, unknown>> | undefined,
  options: RequestGuardOptions,
): GuardRefusal | null {
  const maxJsonDepth = options.maxJsonDepth ?? MAX_JSON_DEPTH;
  if (nestsDeeperThan(body, maxJsonDepth)) return depthRefusal(maxJsonDepth);
  for (const name of ['variables', 'extensions'] as const) {
    const text = stringParameter(query, name);
    if (text !== undefined && nestsDeeperThan(parseOrUndefined(text), maxJsonDepth)) {
      return depthRefusal(maxJsonDepth);
    }
  }
  const documents = Array.isArray(body) ? body.map((entry) => documentOf(entry)) : [documentOf(body)];
  documents.push(stringParameter(query, 'query'));
  for (const document of documents) {
    if (document === undefined) continue;
    // A UTF-16 unit is at most 3 UTF-8 bytes, so a short string needs no exact count.
    if (document.length * 3 <= options.maxDocumentBytes) continue;
    const bytes = Buffer.byteLength(document, 'utf8');
    if (bytes > options.maxDocumentBytes) {
      return {
        status: 413,
        message: `The GraphQL document is ${bytes} bytes, ${bytes - options.maxDocumentBytes} more than the limit of ${options.maxDocumentBytes} (MAX_DOCUMENT_BYTES; comments and whitespace count too)`,
      };
    }
  }
  return null;
}

/** The refusal's response body. */
export function guardRefusalBody(refusal: GuardRefusal): {
  errors: Array<{ message: string; extensions: { code: 'BAD_REQUEST' } }>;
} {
  return { errors: [{ message: refusal.message, extensions: { code: 'BAD_REQUEST' } }] };
}

/** The guards as express middleware, after express.json(). */
export function createRequestGuards(options: RequestGuardOptions): RequestHandler {
  return (req, res, next) => {
    const refusal = checkRequestGuards(req.body, req.query, options);
    if (refusal === null) return next();
    res.status(refusal.status).json(guardRefusalBody(refusal));
  };
}

function documentOf(entry: unknown): string | undefined {
  const query = typeof entry === 'object' && entry !== null ? (entry as { query?: unknown }).query : undefined;
  return typeof query === 'string' ? query : undefined;
}

function stringParameter(query: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined {
  const value = query?.[name];
  return typeof value === 'string' ? value : undefined;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // Apollo Server reports malformed JSON itself
  }
}

function depthRefusal(limit: number): GuardRefusal {
  return { status: 400, message: `The request's JSON nests deeper than ${limit} levels` };
}
