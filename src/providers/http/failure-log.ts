/**
 * The log side of a failed provider call: one line per failure. Credentials refused (401/403) is
 * an error naming the settings to check; anything else a warning with the error's code, the HTTP
 * status, the provider's error code when it looks like one, and the cause's class and code (for a
 * schema mismatch, the failing field paths). Never a URL, a body, or a library's message.
 */
import type { Logger } from 'pino';
import { ProviderAuthFailedError, type ProviderError } from '../../domain/errors.js';
import type { RefundProviderName } from '../../domain/refund.js';
import { SchemaMismatchError } from './parse-body.js';
import { safeProviderCode } from './provider-code.js';

export interface FailureLog {
  failure(error: ProviderError, providerErrorCode: string | undefined, requestId: string): void;
  /** A call cancelled because its client left: not a provider failure, so debug only. */
  cancelled(requestId: string): void;
}

export function createFailureLog(provider: RefundProviderName, logger: Logger, credentialSettings: string): FailureLog {
  return {
    failure(error, providerErrorCode, requestId) {
      const fields = {
        requestId,
        provider,
        code: error.code,
        status: error.status,
        providerErrorCode: safeProviderCode(providerErrorCode),
      };
      if (error instanceof ProviderAuthFailedError) {
        logger.error(fields, `${provider} refused our credentials: check ${credentialSettings}`);
      } else {
        logger.warn({ ...fields, err: describeCause(error) }, error.message);
      }
    },
    cancelled(requestId) {
      logger.debug({ requestId, provider }, `${provider} call cancelled: the client went away`);
    },
  };
}

/**
 * The cause's class and code for the log (and, for a schema mismatch, the failing field paths):
 * enough to diagnose, never a URL, a message of a library's or a body.
 */
function describeCause(error: ProviderError): { type: string; code?: string; fields?: readonly string[] } | undefined {
  let cause: unknown = error.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  if (!(cause instanceof Error)) return undefined;
  if (cause instanceof SchemaMismatchError) return { type: cause.name, fields: cause.fields };
  const code = (cause as NodeJS.ErrnoException).code;
  return { type: cause.name, ...(typeof code === 'string' ? { code } : {}) };
}
