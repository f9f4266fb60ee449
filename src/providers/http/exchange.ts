/**
 * One exchange with the provider, from inside a concurrency slot: ky runs the attempts (retry
 * policy, attempt timeout); the answer becomes the caller's value, a refusal handed back as data,
 * or one typed ProviderError, logged once.
 */
import { HTTPError } from 'ky';
import { ProviderBadResponseError } from '../../domain/errors.js';
import type { ProviderHttpSettings } from './types.js';
import type { CallAttempts } from './call-attempts.js';
import { cancellationOf } from './call-signals.js';
import type { FailureLog } from './failure-log.js';
import type { ProviderAnswer, ProviderRequest } from './provider-request.js';
import type { ProviderIdentity } from '../../domain/refund.js';
import { readJsonBody } from './read-body.js';
import { translateTransportError } from './translate-error.js';
import type { Transport, TransportContext } from './transport.js';

/** 4xx answers a caller may take as a refusal: not credentials, not throttling, not a timeout. */
const isRefusalStatus = (status: number) =>
  status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 408 && status !== 429;

export interface ExchangeOptions {
  readonly provider: ProviderIdentity;
  readonly http: ProviderHttpSettings;
  readonly transport: Transport;
  readonly log: FailureLog;
  /** The provider's machine-readable error code from an error body, for the log only. */
  readonly errorCodeOf: (body: unknown) => string | undefined;
}

export type Exchange = <T>(url: URL, request: ProviderRequest<T>, call: CallAttempts) => Promise<ProviderAnswer<T>>;

export function createExchange(options: ExchangeOptions): Exchange {
  const { provider, http, transport, log } = options;

  return async (url, request, call) => {
    // Still queued when the deadline passed or the client left: no request at all.
    if (call.signals.aborted) throw call.signals.reason!;
    try {
      // The wait for a slot comes first: a queued call holds none of ky's objects.
      const queued = call.takeSlot();
      if (queued) await queued;
      const context: TransportContext = { call };
      // The body travels on the call (serialised once); the deadline is applied on the wire.
      const response = await transport.clients[request.retry](url, {
        method: request.method,
        context,
        fetch: call.fetch,
      });
      const status = (call.status = response.status);
      const body = readJsonBody(response);
      if (body === undefined) {
        throw new ProviderBadResponseError(provider, `the provider answered HTTP ${status} without a JSON body`, {
          status,
        });
      }
      return { ok: true, status, value: request.parse(body) };
    } catch (error) {
      // The call already answered its caller (deadline or client gone) and logged what it had to.
      if (call.settled) throw error;
      const cancelled = cancellationOf(provider, call.signals);
      if (cancelled) throw cancelled;
      let providerErrorCode: string | undefined;
      if (error instanceof HTTPError) {
        const status = (call.status = error.response.status);
        const body = readJsonBody(error.response);
        if (isRefusalStatus(status) && request.refusal?.(status, body)) return { ok: false, status, body };
        providerErrorCode = options.errorCodeOf(body);
      }
      const translated = translateTransportError(provider, error, { attempts: call.attempts, ...http });
      log.failure(translated, providerErrorCode, call.requestId);
      call.logged = true;
      throw translated;
    } finally {
      // A slot taken for an attempt that never went out (its credentials failed) is freed here.
      call.releaseUnused();
    }
  };
}
