/** The shapes tracing.ts and tracing-sdk.ts share (kept apart so neither imports the other back). */
import type { Attributes, Tracer } from '@opentelemetry/api';
import type { ProviderAttemptHooks } from '../providers/http/types.js';

export interface TracingSettings {
  /** Where spans go (OTLP over HTTP, `…/v1/traces`); null turns tracing off. */
  readonly tracesEndpoint: string | null;
  readonly serviceName: string;
}

/** Runs `run` inside a span named `name` (a plain call when tracing is off). */
export type SpanRunner = <T>(name: string, attributes: Attributes, run: () => Promise<T>) => Promise<T>;

export interface Tracing {
  readonly tracer: Tracer;
  readonly span: SpanRunner;
  readonly attemptHooks: ProviderAttemptHooks;
  /** Flushes pending spans and stops exporting. */
  shutdown(): Promise<void>;
}
