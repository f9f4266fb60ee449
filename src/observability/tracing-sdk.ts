/**
 * The OpenTelemetry SDK side of tracing (see tracing.ts), loaded only when tracing is on so a
 * deployment without OTEL_* settings never loads the SDK or the exporter.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { ProviderAttemptHooks } from '../providers/http/types.js';
import type { SpanRunner, Tracing, TracingSettings } from './tracing-types.js';

export function createTracing(settings: TracingSettings & { readonly tracesEndpoint: string }): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.tracesEndpoint }))],
  });
  // The async-hooks context manager and the W3C trace-context propagator, process-wide.
  provider.register();
  const tracer = provider.getTracer('refunds-subgraph');

  const span: SpanRunner = (name, attributes, run) =>
    tracer.startActiveSpan(name, { attributes }, async (active) => {
      try {
        return await run();
      } catch (error) {
        active.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
        throw error;
      } finally {
        active.end();
      }
    });

  const attemptHooks: ProviderAttemptHooks = {
    startAttempt(attempt, headers) {
      const attemptSpan = tracer.startSpan(attempt.method, {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: attempt.method,
          [ATTR_URL_PATH]: attempt.path,
          ...(attempt.attempt > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: attempt.attempt - 1 } : {}),
          'refunds.provider': attempt.provider,
          'refunds.request_id': attempt.requestId,
        },
      });
      propagation.inject(trace.setSpan(context.active(), attemptSpan), headers, {
        set: (carrier, key, value) => carrier.set(key, value),
      });
      return (end) => {
        if (end.status !== null) attemptSpan.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, end.status);
        if (end.errorType !== undefined) {
          attemptSpan.setAttribute(ATTR_ERROR_TYPE, end.errorType);
          attemptSpan.setStatus({ code: SpanStatusCode.ERROR });
        }
        attemptSpan.end();
      };
    },
  };

  return { tracer, span, attemptHooks, shutdown: () => provider.shutdown() };
}
