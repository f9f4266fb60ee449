/**
 * The GraphQL operation span (tracing on only): continues the caller's `traceparent` (the router's)
 * and is active while the operation executes, so loader, cache and provider spans nest under it.
 * It starts after the body is read, so the context it activates reaches the execution.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import type { Tracing } from '../../observability/tracing.js';
import type { RequestContext } from '../graphql/context.js';

// HTTP semantic-convention attribute names (spelled out: this module loads even with tracing off).
const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
const ATTR_URL_PATH = 'url.path';
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';

/**
 * Starts the operation span of one request (ended with its response, carrying the status) and
 * returns the context to run the operation in.
 */
export function startOperationSpan(
  tracing: Tracing,
  req: Pick<IncomingMessage, 'headers' | 'method'>,
  res: ServerResponse,
  path: string,
): Context {
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracing.tracer.startSpan(
    'graphql',
    { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: path } },
    parent,
  );
  res.once('close', () => {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
    span.end();
  });
  return trace.setSpan(parent, span);
}

export function createOperationSpanMiddleware(tracing: Tracing): RequestHandler {
  return (req, res, next) => {
    // The request's own path: under a mount point express's `req.path` is relative to it.
    const path = req.originalUrl.split('?', 1)[0] ?? req.originalUrl;
    context.with(startOperationSpan(tracing, req, res, path), next);
  };
}

/** Names the operation span after the operation (`query RefundById`) and marks it failed on errors. */
export function createOperationSpanPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          const type = operation?.operation ?? 'unknown';
          span.updateName(operationName ? `${type} ${operationName}` : type);
          span.setAttribute('graphql.operation.type', type);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          if (errors.length > 0) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.setAttribute('graphql.error_codes', [...new Set(errors.map((e) => String(e.extensions?.code)))]);
          }
        },
      };
    },
  };
}
