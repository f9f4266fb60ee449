/**
 * OpenTelemetry tracing, off unless the standard OTEL_* variables ask for it (an OTLP endpoint).
 * When on: a span per GraphQL operation (continuing an incoming `traceparent`), per loader batch,
 * per cache lookup and per provider call attempt (HTTP semantic-convention attributes; never
 * credentials, bodies or the provider's host), and `traceparent` sent on to the providers. When off
 * nothing is created and the SDK is never loaded (tracing-sdk.ts is imported only when on).
 */
import type { Tracing, TracingSettings } from './tracing-types.js';

export type { SpanRunner, Tracing, TracingSettings } from './tracing-types.js';

/** Starts exporting spans, or null when tracing is off. */
export async function startTracing(settings: TracingSettings): Promise<Tracing | null> {
  const { tracesEndpoint } = settings;
  if (tracesEndpoint === null) return null;
  const { createTracing } = await import('./tracing-sdk.js');
  return createTracing({ ...settings, tracesEndpoint });
}
