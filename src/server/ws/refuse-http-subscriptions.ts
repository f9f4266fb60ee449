/**
 * Subscriptions sent over HTTP are refused before Apollo Server sees them: 400 `BAD_REQUEST`, saying
 * they are served over WebSocket. Before, not in an Apollo plugin, because graphql 16's validation
 * throws (which Apollo answers as an internal error) on a subscription whose root field is skipped
 * by a variable the request does not define. Only a document that contains the word
 * `subscription` is parsed here, so queries and mutations cost one regular-expression test.
 */
import type { RequestHandler } from 'express';
import { Kind, OperationTypeNode, parse, type DocumentNode } from 'graphql';
import { SUBSCRIPTIONS_OVER_WEBSOCKET } from '../../resolvers/Subscription.js';

const MENTIONS_SUBSCRIPTION = /\bsubscription\b/;

export function refuseHttpSubscriptions(options: { readonly maxTokens: number }): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    const entries = Array.isArray(body) ? (body as unknown[]) : [body];
    const documents = entries.map((entry) =>
      typeof entry === 'object' && entry !== null ? (entry as { query?: unknown }).query : undefined,
    );
    const fromQueryString = (req.query as Record<string, unknown> | undefined)?.query;
    documents.push(fromQueryString);
    for (const document of documents) {
      const refusal = httpSubscriptionRefusal(document, options.maxTokens);
      if (refusal === null) continue;
      res.status(400).json(refusal);
      return;
    }
    next();
  };
}

/**
 * The 400 body for a GraphQL document sent over HTTP that holds a subscription operation, or null
 * (for any other HTTP front of Apollo Server to call before it).
 */
export function httpSubscriptionRefusal(document: unknown, maxTokens: number): { errors: unknown[] } | null {
  if (typeof document !== 'string' || !MENTIONS_SUBSCRIPTION.test(document)) return null;
  const location = subscriptionLocation(document, maxTokens);
  if (location === null) return null;
  return {
    errors: [{ message: SUBSCRIPTIONS_OVER_WEBSOCKET, locations: [location], extensions: { code: 'BAD_REQUEST' } }],
  };
}

/** Where the document's first subscription operation starts, or null (none, or it does not parse: Apollo says so). */
function subscriptionLocation(text: string, maxTokens: number): { line: number; column: number } | null {
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens });
  } catch {
    return null;
  }
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION) {
      const start = definition.loc?.startToken;
      return start ? { line: start.line, column: start.column } : { line: 1, column: 1 };
    }
  }
  return null;
}
