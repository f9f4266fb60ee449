/**
 * Receiving provider webhooks: refuse what is not a verified event (400, one warn line, nothing
 * recorded), record a verified one durably, answer the provider's expected 2xx, and only then
 * process it. A second delivery of an event id answers 2xx and does nothing. The body is never
 * logged, echoed or trusted for state: processing re-reads the refund from the provider.
 */
import type { RefundProviderName } from '../../domain/refund.js';
import type { WebhookHeaders, WebhookRejectionReason } from '../../providers/definition.js';
import type { Ledger, WebhookEventInput } from '../ledger/ledger.js';
import {
  createWebhookEventProcessor,
  type ProcessOutcome,
  type WebhookEventProcessorOptions,
} from './process-event.js';
import type { WebhookEndpoint } from './webhook-endpoints.js';

/** The largest body accepted; a refund event is a few kilobytes. */
export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;

/** What the webhook metrics count, by provider. */
export type WebhookOutcome =
  /** Refused with 400 (`reason` says why). */
  | 'rejected'
  /** No such endpoint, or it is off: 404. */
  | 'not_found'
  /** A verified event of a kind not followed: 2xx, not recorded. */
  | 'ignored'
  /** An event id recorded before: 2xx, nothing done. */
  | 'duplicate'
  /** Recorded and answered 2xx; processing follows. */
  | 'recorded'
  /** The ledger could not record it: 503, the provider retries. */
  | 'record_failed'
  | ProcessOutcome;

export interface WebhookObservation {
  /** The provider, or `unknown` for a path that names none. */
  readonly provider: RefundProviderName | 'unknown';
  readonly outcome: WebhookOutcome;
  readonly reason?: WebhookRejectionReason;
}

export interface WebhookAnswer {
  readonly status: number;
  /** JSON text. */
  readonly body: string;
}

export interface WebhookReceiverOptions extends Omit<WebhookEventProcessorOptions, 'ledger' | 'observe'> {
  readonly ledger: Pick<Ledger, 'recordEvent' | 'record' | 'markEventProcessed'>;
  /** How far a signed timestamp may be from now, either way (WEBHOOK_TOLERANCE_S). */
  readonly toleranceS: number;
  /** Told about every request's outcome and every processing outcome (metrics). */
  readonly observe?: (observation: WebhookObservation) => void;
}

export interface WebhookReceiver {
  /** True when `POST /webhooks/<path>` is on: a registered provider with its secret set. */
  enabled(path: string): boolean;
  /** Handles one request; never rejects. Processing starts after the answer is handed back. */
  receive(path: string, rawBody: Buffer, headers: WebhookHeaders): Promise<WebhookAnswer>;
  /** The 400 for a request refused before its body could be read (e.g. over the size limit). */
  refuse(path: string, reason: WebhookRejectionReason): WebhookAnswer;
  /**
   * Re-reads the event's refund from the provider, records it (`webhook`), marks the event
   * processed and tells `onRefreshed`. Anything failing leaves the event unprocessed, for the
   * reconciler to retry with this same function.
   */
  processEvent(event: WebhookEventInput): Promise<ProcessOutcome>;
  /**
   * `processEvent` for the reconciler's retries: resolves when the event was processed, rejects
   * (WebhookEventNotProcessedError) when it is left unprocessed, so a failure is never marked done.
   */
  retryEvent(event: WebhookEventInput): Promise<void>;
  /** Resolves when no processing started by `receive` is still running. */
  idle(): Promise<void>;
}

/** A retried event that is still not processed (its refund not found, or a read failing). */
export class WebhookEventNotProcessedError extends Error {
  override readonly name = 'WebhookEventNotProcessedError';
  constructor(
    event: WebhookEventInput,
    readonly outcome: Exclude<ProcessOutcome, 'processed'>,
  ) {
    super(`The ${event.provider} webhook event ${event.eventId} was not processed (${outcome})`);
  }
}

const MESSAGES: Readonly<Record<WebhookRejectionReason, string>> = {
  missing_signature: 'The signature header is missing',
  bad_signature: 'The signature does not verify',
  stale_timestamp: 'The signed timestamp is outside the tolerance',
  bad_timestamp: 'The timestamp headers are not valid',
  malformed_event: 'The body is not an event this endpoint understands',
  unsupported_media_type: 'The content type must be application/json',
  body_too_large: `The body is over ${MAX_WEBHOOK_BODY_BYTES / 1024} KB`,
};

const json = (status: number, body: object): WebhookAnswer => ({ status, body: JSON.stringify(body) });
const NOT_FOUND = json(404, { error: 'not_found', message: 'No webhook endpoint here' });
const UNAVAILABLE = json(503, { error: 'unavailable', message: 'The event could not be recorded; retry later' });

function isJson(contentType: string | readonly string[] | undefined): boolean {
  const value = typeof contentType === 'string' ? contentType : contentType?.[0];
  return value?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** What handling one request needs from its receiver. */
interface RequestContext {
  readonly ledger: WebhookReceiverOptions['ledger'];
  readonly logger: WebhookReceiverOptions['logger'];
  readonly toleranceS: number;
  readonly now: () => Date;
  readonly observe: (observation: WebhookObservation) => void;
  /** Starts processing a newly recorded event on a later turn, after the answer is handed back. */
  readonly processLater: (event: WebhookEventInput) => void;
}

/** The 400 for a refused request, with its one warn line and its observation. */
function refuseRequest(
  context: RequestContext,
  provider: RefundProviderName,
  reason: WebhookRejectionReason,
): WebhookAnswer {
  context.logger.warn({ event: 'webhook.refused', provider, reason }, 'Webhook refused');
  context.observe({ provider, outcome: 'rejected', reason });
  return json(400, { error: reason, message: MESSAGES[reason] });
}

/**
 * Handles one request to an endpoint that is on (`secrets` are its own): refuses what is too
 * large, not JSON or does not verify; answers 2xx to a verified event of a kind not followed;
 * records the rest.
 */
async function receiveAt(
  context: RequestContext,
  endpoint: WebhookEndpoint,
  secrets: readonly string[],
  rawBody: Buffer,
  headers: WebhookHeaders,
): Promise<WebhookAnswer> {
  const { provider } = endpoint;
  if (rawBody.length > MAX_WEBHOOK_BODY_BYTES) return refuseRequest(context, provider, 'body_too_large');
  if (!isJson(headers['content-type'])) return refuseRequest(context, provider, 'unsupported_media_type');
  const receivedAt = context.now();
  const verification = endpoint.webhooks.verify(rawBody, headers, secrets, receivedAt, context.toleranceS);
  if (!verification.ok) return refuseRequest(context, provider, verification.reason);

  const { eventId, providerRefundId, lookup } = verification.event;
  const accepted = endpoint.webhooks.acceptedAnswer;
  if (providerRefundId === null && lookup === null) {
    context.observe({ provider, outcome: 'ignored' });
    return accepted;
  }
  const event: WebhookEventInput = { provider, eventId, receivedAt, signature: 'valid', providerRefundId, lookup };
  return recordEvent(context, event, accepted);
}

/**
 * Records a verified event durably and answers: 503 when the ledger fails (the provider retries),
 * else `accepted`. A new event is processed after the answer; a duplicate is not.
 */
async function recordEvent(
  context: RequestContext,
  event: WebhookEventInput,
  accepted: WebhookAnswer,
): Promise<WebhookAnswer> {
  const { logger, observe } = context;
  const { provider, eventId } = event;
  let recorded;
  try {
    recorded = await context.ledger.recordEvent(event);
  } catch (error) {
    logger.error({ provider, eventId, err: error }, 'Webhook event could not be recorded; answered 503');
    observe({ provider, outcome: 'record_failed' });
    return UNAVAILABLE;
  }
  if (recorded === 'duplicate') {
    logger.info({ event: 'webhook.duplicate', provider, eventId }, 'Webhook event received again; already recorded');
    observe({ provider, outcome: 'duplicate' });
    return accepted;
  }
  logger.info({ event: 'webhook.recorded', provider, eventId }, 'Webhook event recorded');
  observe({ provider, outcome: 'recorded' });
  context.processLater(event);
  return accepted;
}

export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const { ledger, logger, toleranceS } = options;
  const now = options.now ?? (() => new Date());
  const observe = options.observe ?? (() => undefined);
  const byPath = new Map(options.providers.map((endpoint) => [endpoint.path, endpoint]));
  const processor = createWebhookEventProcessor({
    ...options,
    observe: (provider, outcome) => observe({ provider, outcome }),
  });
  const running = new Set<Promise<unknown>>();

  const active = (path: string): WebhookEndpoint | undefined => {
    const endpoint = byPath.get(path);
    return endpoint?.secrets ? endpoint : undefined;
  };

  const processLater = (event: WebhookEventInput) => {
    const processing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => processor.processEvent(event));
    running.add(processing);
    void processing.finally(() => running.delete(processing));
  };
  const context: RequestContext = { ledger, logger, toleranceS, now, observe, processLater };

  async function receive(path: string, rawBody: Buffer, headers: WebhookHeaders): Promise<WebhookAnswer> {
    const endpoint = active(path);
    if (endpoint?.secrets == null) {
      observe({ provider: byPath.get(path)?.provider ?? 'unknown', outcome: 'not_found' });
      return NOT_FOUND;
    }
    return receiveAt(context, endpoint, endpoint.secrets, rawBody, headers);
  }

  return {
    enabled: (path) => active(path) !== undefined,
    receive: async (path, rawBody, headers) => {
      try {
        return await receive(path, rawBody, headers);
      } catch (error) {
        logger.error({ err: error }, 'Webhook request failed');
        return UNAVAILABLE;
      }
    },
    refuse: (path, reason) => {
      const endpoint = active(path);
      return endpoint ? refuseRequest(context, endpoint.provider, reason) : NOT_FOUND;
    },
    processEvent: (event) => processor.processEvent(event),
    async retryEvent(event) {
      const outcome = await processor.processEvent(event);
      if (outcome !== 'processed') throw new WebhookEventNotProcessedError(event, outcome);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
