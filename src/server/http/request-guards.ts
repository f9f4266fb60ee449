/**
 * HTTP-level guards in front of Apollo Server, for what must be refused before any parsing or
 * caching happens:
 * - the GraphQL document's size (comments and whitespace included), so no client can make the
 *   parser or the document caches hold megabytes per request;
 * - the nesting depth of the JSON the request carries (the body, and a GET's `variables` and
 *   `extensions`), so no input can overflow the stack of anything that walks it later.
 * Refusals are GraphQL-shaped JSON with `extensions.code: BAD_REQUEST`.
 */
import type { Request, RequestHandler, Response } from 'express';

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

export function createRequestGuards(options: RequestGuardOptions): RequestHandler {
  const maxJsonDepth = options.maxJsonDepth ?? MAX_JSON_DEPTH;
  return (req, res, next) => {
    const body: unknown = req.body;
    if (nestsDeeperThan(body, maxJsonDepth)) return refuseDepth(res, maxJsonDepth);
    for (const name of ['variables', 'extensions'] as const) {
      const text = queryParameter(req, name);
      if (text !== undefined && nestsDeeperThan(parseOrUndefined(text), maxJsonDepth)) {
        return refuseDepth(res, maxJsonDepth);
      }
    }
    const documents = Array.isArray(body) ? body.map((entry) => documentOf(entry)) : [documentOf(body)];
    documents.push(queryParameter(req, 'query'));
    for (const document of documents) {
      if (document === undefined) continue;
      // A UTF-16 unit is at most 3 UTF-8 bytes, so a short string needs no exact count.
      if (document.length * 3 <= options.maxDocumentBytes) continue;
      const bytes = Buffer.byteLength(document, 'utf8');
      if (bytes > options.maxDocumentBytes) {
        return refuse(
          res,
          413,
          `The GraphQL document is ${bytes} bytes, ${bytes - options.maxDocumentBytes} more than the limit of ${options.maxDocumentBytes} (MAX_DOCUMENT_BYTES; comments and whitespace count too)`,
        );
      }
    }
    next();
  };
}

function documentOf(entry: unknown): string | undefined {
  const query = typeof entry === 'object' && entry !== null ? (entry as { query?: unknown }).query : undefined;
  return typeof query === 'string' ? query : undefined;
}

function queryParameter(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // Apollo Server reports malformed JSON itself
  }
}

function refuseDepth(res: Response, limit: number): void {
  refuse(res, 400, `The request's JSON nests deeper than ${limit} levels`);
}

function refuse(res: Response, status: number, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}
